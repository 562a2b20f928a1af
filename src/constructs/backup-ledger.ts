import { BackupPlan } from '@cdktn/provider-aws/lib/backup-plan';
import { BackupSelection } from '@cdktn/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktn/provider-aws/lib/backup-vault';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktn/provider-aws/lib/iam-role-policy-attachment';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { LedgerBackupSettings } from '../config/safety';
import { assumeRolePolicy } from '../iam';
import { arn } from '../grants';

/** The AWS managed policies of an AWS Backup service role (AWS Backup Developer Guide, "IAM service roles"). */
export const BACKUP_SERVICE_POLICIES = [
  'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
  'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
] as const;

export interface LedgerBackupProps {
  provider: AwsProvider;
  region: string;
  accountId: string;
  /** Names of this region's vault, plan and role (ResourceNames.ledgerBackup*). */
  vaultName: string;
  planName: string;
  roleName: string;
  /** The vault of the other region, found by its deterministic name (it is created by the other regional stack). */
  peer: { region: string; vaultName: string };
  /** This region's data key (the vault's recovery points are encrypted with it). */
  kmsKeyArn: string;
  /** ARN of this region's ledger cluster. */
  clusterArn: string;
  settings: LedgerBackupSettings;
}

/**
 * AWS Backup of one region's ledger cluster (safety "production"): a daily recovery point in a vault of this
 * region, encrypted with the region's data key, and a copy of it in the other region's vault, so a backup survives
 * the loss of a region and of the global database itself (a dropped table replicates to the secondary at once:
 * the replica is no backup). Both regional stacks build one, each for its own cluster, so whichever region is the
 * writer after a failover is backed up without a change.
 *
 * Why on top of Aurora's continuous backups (PITR, database.backupRetentionDays >= 7 in production): those live in
 * the cluster's own region, end with the cluster's retention period, and are deleted with the cluster (only the
 * final snapshot stays); recovery points in a vault are separate resources with their own retention and a
 * cross-region copy.
 *
 * Resource and attribute names: hashicorp/aws 6.66.0 aws_backup_vault (name, kms_key_arn), aws_backup_plan
 * (rule.rule_name, target_vault_name, schedule, start_window, completion_window, lifecycle.delete_after,
 * copy_action.destination_vault_arn, copy_action.lifecycle), aws_backup_selection (name, plan_id, iam_role_arn,
 * resources): https://registry.terraform.io/providers/hashicorp/aws/6.66.0/docs/resources/backup_plan and the
 * backup_vault and backup_selection pages beside it; the role with the AWS managed policies as in the provider's
 * aws_backup_selection example (https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html).
 * A vault ARN is `arn:aws:backup:<region>:<account>:backup-vault:<name>` (AWS Backup API, BackupVaultArn).
 *
 * Unverified by AWS text here: that AWS Backup snapshots a cluster while it is the secondary of a global database.
 * If it does not, that region's daily job fails (visible in AWS Backup) until a failover makes it the writer; the
 * writer's recovery points and their copies in the other region are unaffected.
 */
export class LedgerBackup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;
  readonly selection: BackupSelection;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, p: LedgerBackupProps) {
    super(scope, id);
    const provider = p.provider;
    this.vault = new BackupVault(this, 'vault', {
      provider,
      name: p.vaultName,
      kmsKeyArn: p.kmsKeyArn,
      // A vault holding recovery points cannot be deleted; no force_destroy, so `destroy` never empties it.
      forceDestroy: false,
    });

    // No aws:SourceAccount condition: AWS Backup's default service role (AWSBackupDefaultServiceRole) trusts
    // backup.amazonaws.com without one, and a condition the service does not send would stop every backup job.
    this.role = new IamRole(this, 'role', {
      provider,
      name: p.roleName,
      description: `AWS Backup of the ledger cluster in ${p.region}`,
      assumeRolePolicy: assumeRolePolicy('backup.amazonaws.com'),
    });
    const attachments = BACKUP_SERVICE_POLICIES.map(
      (policyArn, i) =>
        new IamRolePolicyAttachment(this, i === 0 ? 'backup-policy' : 'restore-policy', {
          provider,
          role: this.role.name,
          policyArn,
        }),
    );

    const s = p.settings;
    this.plan = new BackupPlan(this, 'plan', {
      provider,
      name: p.planName,
      rule: [
        {
          ruleName: 'daily-with-copy-to-other-region',
          targetVaultName: this.vault.name,
          schedule: s.schedule,
          startWindow: s.startWindowMinutes,
          completionWindow: s.completionWindowMinutes,
          lifecycle: { deleteAfter: s.retentionDays },
          copyAction: [
            {
              destinationVaultArn: arn.backupVault(p.peer.region, p.accountId, p.peer.vaultName),
              lifecycle: { deleteAfter: s.retentionDays },
            },
          ],
        },
      ],
    });

    this.selection = new BackupSelection(this, 'selection', {
      provider,
      name: p.planName,
      planId: this.plan.id,
      iamRoleArn: this.role.arn,
      resources: [p.clusterArn],
      dependsOn: attachments,
    });
  }
}
