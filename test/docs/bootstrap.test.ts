import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The once-per-account bootstrap steps documented beside the state buckets (docs/deploy.md, step 1): their dry runs
 * print the AWS CLI calls and need no AWS, so what they would do is checked here.
 */
const ROOT = join(__dirname, '..', '..');
const run = (script: string, args: string[]) =>
  spawnSync('bash', [join(ROOT, 'scripts', script), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('scripts/bootstrap-account.sh (API Gateway CloudWatch role, one per account and region)', () => {
  it('checks each region first and sets the role only through update-account, in both regions', () => {
    const r = run('bootstrap-account.sh', ['--dry-run']);
    expect(r.status, r.stderr).toBe(0);
    const calls = r.stdout.split('\n').filter((l) => l.startsWith('aws '));
    expect(calls).toEqual([
      'aws apigateway get-account --region us-east-1 --query cloudwatchRoleArn --output text',
      expect.stringMatching(/^aws iam create-role --role-name apigateway-cloudwatch-logs /),
      'aws iam attach-role-policy --role-name apigateway-cloudwatch-logs --policy-arn arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
      expect.stringMatching(
        /^aws apigateway update-account --region us-east-1 --patch-operations op=replace\\,path=\/cloudwatchRoleArn\\,value=arn:aws:iam::\\<account-id\\>:role\/apigateway-cloudwatch-logs$/,
      ),
      'aws apigateway get-account --region us-east-2 --query cloudwatchRoleArn --output text',
      expect.stringMatching(/^aws apigateway update-account --region us-east-2 /),
    ]);
    // The role trusts API Gateway of this account only.
    expect(calls[1]).toContain('apigateway.amazonaws.com');
    expect(calls[1]).toContain('aws:SourceAccount');
    // Nothing is ever reset or deleted: the script only fills a region that has no role.
    expect(r.stdout).not.toMatch(/delete|remove|op=remove/i);
  });

  it('takes another role name and region list; refuses bad ones with exit 2 and one line', () => {
    const r = run('bootstrap-account.sh', [
      '--dry-run',
      '--role-name',
      'shared-apigw-logs',
      '--region',
      'us-west-2',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('aws apigateway get-account --region us-west-2');
    expect(r.stdout).not.toContain('us-east-1');
    expect(r.stdout).toContain('role/shared-apigw-logs');
    for (const args of [['--region', 'nowhere'], ['--role-name', 'bad name'], ['--bogus']]) {
      const bad = run('bootstrap-account.sh', ['--dry-run', ...args]);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
