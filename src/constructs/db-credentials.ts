import { EphemeralAwsSecretsmanagerSecretVersion } from '@cdktn/provider-aws/lib/ephemeral-aws-secretsmanager-secret-version';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktn/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktn/provider-aws/lib/secretsmanager-secret-version';
import { EphemeralRandomPassword } from '@cdktn/provider-random/lib/ephemeral-random-password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { Fn, Token } from 'cdktn';
import { Construct } from 'constructs';

export interface DbCredentialsProps {
  provider: AwsProvider;
  secretName: string;
  username: string;
  kmsKeyArn: string;
  /** Region and key (alias accepted) of the secret's replica, readable when the primary region is down. */
  replica: { region: string; kmsKeyId: string };
  /** Bumping it makes Terraform send a new generated password to both the secret and the cluster. */
  passwordVersion: number;
  /**
   * Days a deleted secret stays restorable (7-30; safety "production" uses 30). 0 deletes it at once, so that the
   * deterministic name is reusable by a re-deploy (test).
   * @default 0
   */
  recoveryWindowInDays?: number;
}

/**
 * Master credentials of the global database without a password in code, in the synthesized JSON or in the
 * Terraform state: AWS does not support the RDS-managed master secret (`manage_master_user_password`) for
 * clusters in a global database, so an *ephemeral* random password (never persisted) is written through the
 * write-only `secret_string_wo` to a Secrets Manager secret encrypted with the CMK and replicated to the
 * secondary region. Applications use IAM authentication; this secret is for migrations and break-glass only.
 *
 * The secret, not the generator, is the one source of the password. The random password is ephemeral: every
 * Terraform run generates a new one, and a write-only attribute only sends it when its `*_wo_version` changes.
 * Fed to both the secret version and the cluster directly, a partial apply (the secret version written, the
 * cluster creation or password change failed) would leave the secret holding run 1's password while the retry
 * sends run 2's to the cluster. So the cluster's `master_password_wo` is read back from the secret version that
 * was written (an ephemeral read of that exact `version_id`, opened after that version exists): a retry finds
 * the version unchanged and sends the cluster the password already in the secret, so the cluster is only ever
 * given what the secret holds. Still nothing reaches the state: write-only attributes and ephemeral values only.
 */
export class DbCredentials extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly secretVersion: SecretsmanagerSecretVersion;
  /** Feed to `master_password_wo` of the primary cluster (an ephemeral value; write-only attributes only). */
  readonly passwordForCluster: string;
  readonly passwordVersion: number;

  constructor(scope: Construct, id: string, p: DbCredentialsProps) {
    super(scope, id);
    const random = new RandomProvider(this, 'random');
    const password = new EphemeralRandomPassword(this, 'password', {
      provider: random,
      length: 40,
      special: true,
      // RDS refuses '/', '@', '"' and spaces in master passwords.
      overrideSpecial: '!#$%^&*()-_=+[]{}<>:?',
      minLower: 4,
      minUpper: 4,
      minNumeric: 4,
      minSpecial: 2,
    });
    this.passwordVersion = p.passwordVersion;

    this.secret = new SecretsmanagerSecret(this, 'secret', {
      provider: p.provider,
      name: p.secretName,
      description:
        'Master credentials of the Aurora ledger global database (migrations and break-glass only)',
      kmsKeyId: p.kmsKeyArn,
      // Test: destroyable at once, the name is deterministic and must be reusable by a re-deploy. Production: a
      // deleted secret is restorable for the window (RestoreSecret), and its name is taken until the window ends.
      recoveryWindowInDays: p.recoveryWindowInDays ?? 0,
      replica: [{ region: p.replica.region, kmsKeyId: p.replica.kmsKeyId }],
    });
    this.secretVersion = new SecretsmanagerSecretVersion(this, 'version', {
      provider: p.provider,
      secretId: this.secret.id,
      secretStringWo: Fn.jsonencode({ username: p.username, password: password.result }),
      secretStringWoVersion: p.passwordVersion,
    });

    // Read back exactly the version written above: referencing its version_id orders the read after the write
    // (and, on a rotation, after the new version exists) and never picks up a version made outside Terraform.
    const stored = new EphemeralAwsSecretsmanagerSecretVersion(this, 'stored', {
      provider: p.provider,
      secretId: this.secret.id,
      versionId: this.secretVersion.versionId,
    });
    this.passwordForCluster = Token.asString(Fn.lookup(Fn.jsondecode(stored.secretString), 'password'));
  }
}
