/**
 * The safety profile (config `safety`): how hard the environment's data is to lose. `test` is destroyable at once
 * (what every environment was before the setting existed, byte for byte); `production` keeps the ledger, the
 * receipts, the control table, the master secret and the keys through a mistaken `destroy`, a force-new change or
 * a deleted role. The constructs read the derived values below, never the profile name.
 */
export const SAFETY_PROFILES = ['test', 'production'] as const;
export type SafetyProfileName = (typeof SAFETY_PROFILES)[number];

/** Fewest days of Aurora automated backups (the point-in-time recovery window) production accepts. */
export const PRODUCTION_MIN_BACKUP_RETENTION_DAYS = 7;

/** What the schema checks across fields (structural types: this module is imported by the schema). */
interface SafetyInput {
  safety: SafetyProfileName;
  keyAdminRoleArn?: string | undefined;
  database: { backupRetentionDays: number };
}

/** Problems of a configuration with its profile, as schema issues (path and a one-line message). */
export function safetyIssues(c: SafetyInput): Array<{ path: string[]; message: string }> {
  if (c.safety !== 'production') return [];
  const out: Array<{ path: string[]; message: string }> = [];
  if (c.database.backupRetentionDays < PRODUCTION_MIN_BACKUP_RETENTION_DAYS) {
    out.push({
      path: ['database', 'backupRetentionDays'],
      message: `must be at least ${PRODUCTION_MIN_BACKUP_RETENTION_DAYS} with safety "production" (is ${c.database.backupRetentionDays})`,
    });
  }
  if (c.keyAdminRoleArn === undefined) {
    out.push({
      path: ['keyAdminRoleArn'],
      message:
        'required with safety "production": the IAM role that administers the keys and the receipts buckets\u2019 protection',
    });
  }
  return out;
}

/** AWS Backup of the ledger (production only): one daily recovery point per region, copied to the other region. */
export interface LedgerBackupSettings {
  /** AWS Backup cron (UTC): after both regions' Aurora backup window (03:00-04:00) and maintenance (05:00-07:00). */
  schedule: string;
  /** Minutes a job may wait to start, and to finish, before AWS Backup cancels it. */
  startWindowMinutes: number;
  completionWindowMinutes: number;
  /** Days each recovery point is kept, in its own vault and as the copy in the other region's vault. */
  retentionDays: number;
}

export interface SafetyProfile {
  name: SafetyProfileName;
  /** deletion_protection of the global cluster, both regional clusters, every DynamoDB table and replica. */
  deletionProtection: boolean;
  /** `lifecycle { prevent_destroy }` of the ledger (global and regional clusters), receipts buckets, control table, keys. */
  preventDestroy: boolean;
  /** A final snapshot (deterministic name) when a regional cluster is deleted; test skips it. */
  finalSnapshot: boolean;
  /** Secrets Manager recovery window of the master secret (0: deleted at once). */
  secretRecoveryWindowDays: number;
  /** KMS waiting period before a key scheduled for deletion is deleted (7 to 30 days). */
  kmsDeletionWindowDays: number;
  /** The only administrator of the keys and of the receipts buckets' protection (production); undefined in test. */
  keyAdminRoleArn?: string;
  /** AWS Backup of the ledger; undefined in test. */
  backup?: LedgerBackupSettings;
}

const TEST: SafetyProfile = {
  name: 'test',
  deletionProtection: false,
  preventDestroy: false,
  finalSnapshot: false,
  secretRecoveryWindowDays: 0,
  kmsDeletionWindowDays: 7,
};

/** The derived values of a configuration's profile. */
export function safetyProfile(c: {
  safety: SafetyProfileName;
  keyAdminRoleArn?: string | undefined;
}): SafetyProfile {
  if (c.safety === 'test') return TEST;
  if (c.keyAdminRoleArn === undefined) throw new Error('safety "production" needs keyAdminRoleArn');
  return {
    name: 'production',
    deletionProtection: true,
    preventDestroy: true,
    finalSnapshot: true,
    // The longest window Secrets Manager allows (7-30 days): a deleted master secret can be restored for a month.
    secretRecoveryWindowDays: 30,
    // The longest waiting period KMS allows (7-30 days, default 30): time to notice and cancel a key deletion.
    kmsDeletionWindowDays: 30,
    keyAdminRoleArn: c.keyAdminRoleArn,
    backup: {
      schedule: 'cron(0 8 * * ? *)',
      startWindowMinutes: 60,
      completionWindowMinutes: 360,
      // Beyond the longest PITR window Aurora offers (35 days), so a backup outlives the automated ones.
      retentionDays: 42,
    },
  };
}

/** The key settings of a profile, as every KMS key of the project takes them (MultiRegionKey, detector keys). */
export function keySafety(s: SafetyProfile): {
  deletionWindowInDays: number;
  preventDestroy: boolean;
  keyAdminRoleArn?: string;
} {
  return {
    deletionWindowInDays: s.kmsDeletionWindowDays,
    preventDestroy: s.preventDestroy,
    ...(s.keyAdminRoleArn !== undefined ? { keyAdminRoleArn: s.keyAdminRoleArn } : {}),
  };
}
