import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_MIN_BACKUP_RETENTION_DAYS, safetyProfile } from '../../src/config/safety';

/** The deploy guide's table of the two safety profiles quotes the profile's numbers (src/config/safety.ts). */
const table = readFileSync(join(__dirname, '..', '..', 'docs/deploy.md'), 'utf8').replace(/\s+/g, ' ');
const test = safetyProfile({ safety: 'test' });
const production = safetyProfile({
  safety: 'production',
  keyAdminRoleArn: 'arn:aws:iam::111122223333:role/x',
});

describe('docs/deploy.md: the safety profiles', () => {
  it('quotes the backup, secret and key windows of each profile', () => {
    expect(table).toContain(
      `| ${PRODUCTION_MIN_BACKUP_RETENTION_DAYS} days or more (fewer is a config error) |`,
    );
    expect(table).toContain(`both kept ${production.backup?.retentionDays} days`);
    expect(table).toContain(`| ${production.secretRecoveryWindowDays}-day recovery window`);
    expect(table).toContain(`| ${test.kmsDeletionWindowDays}-day deletion window;`);
    expect(table).toContain(`| ${production.kmsDeletionWindowDays}-day window, \`prevent_destroy\`;`);
    expect(test.secretRecoveryWindowDays).toBe(0); // "deleted at once"
    expect(table).toContain('| Master secret | deleted at once |');
  });
});
