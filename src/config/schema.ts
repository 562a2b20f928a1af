import { z } from 'zod';
import {
  CANARY_MERCHANT_ID,
  isBindablePrincipal,
  MAX_MERCHANT_BINDINGS,
  MAX_MERCHANTS_ENV_CHARS,
  principalKey,
} from '../../runtime/payment-api/merchants';
import { MERCHANT_ID_PATTERN } from '../../runtime/payment-api/schema';
import { AURORA_POSTGRESQL_MAJORS, ENGINE_MAJORS, engineVersionProblem } from './engine-versions';
import { SAFETY_PROFILES, safetyIssues } from './safety';

/** Regions this project knows how to name (the short codes keep resource names under AWS length limits). */
export const REGION_CODES = {
  'us-east-1': 'use1',
  'us-east-2': 'use2',
  'us-west-1': 'usw1',
  'us-west-2': 'usw2',
  'eu-west-1': 'euw1',
  'eu-central-1': 'euc1',
} as const;
export type Region = keyof typeof REGION_CODES;
const regionNames = Object.keys(REGION_CODES) as [Region, ...Region[]];

/**
 * The Region sets a DynamoDB global table with multi-Region strong consistency may span, restricted to the
 * regions above: "MRSC global tables cannot span Region sets" (US: N. Virginia, Ohio, Oregon; EU: Ireland,
 * London, Paris, Frankfurt; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html).
 */
export const MRSC_REGION_SETS: readonly Region[][] = [
  ['us-east-1', 'us-east-2', 'us-west-2'],
  ['eu-west-1', 'eu-central-1'],
];

/**
 * Availability Zone ids (stable across accounts, unlike AZ names) used for the private subnets, first
 * `azCount` of each list. Pinned rather than discovered so the subnet set never changes on its own.
 * use1-az3 is left out: it is the constrained zone of us-east-1 that does not offer every instance family.
 */
export const DEFAULT_AZ_IDS: Record<Region, string[]> = {
  'us-east-1': ['use1-az1', 'use1-az2', 'use1-az4'],
  'us-east-2': ['use2-az1', 'use2-az2', 'use2-az3'],
  'us-west-1': ['usw1-az1', 'usw1-az3'],
  'us-west-2': ['usw2-az1', 'usw2-az2', 'usw2-az3'],
  'eu-west-1': ['euw1-az1', 'euw1-az2', 'euw1-az3'],
  'eu-central-1': ['euc1-az1', 'euc1-az2', 'euc1-az3'],
};

/** Retention values CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const cidr16 = z
  .string()
  .regex(/^10\.(\d{1,3})\.0\.0\/16$/, 'must be a 10.x.0.0/16 block')
  .refine((v) => Number(v.split('.')[1]) <= 255, 'second octet must be 0-255');

const tagKey = z
  .string()
  .regex(/^[\w .:/=+@-]{1,128}$/, 'tag keys are 1-128 of letters, digits, spaces and _.:/=+-@')
  // AWS reserves the `aws:` prefix (in any letter case) for its own tags; TagResource calls would fail.
  .refine((k) => !/^aws:/i.test(k), 'the "aws:" prefix is reserved by AWS; choose another key');

/**
 * Environment suffix, the last part of every resource name: 2-12 characters, lowercase letters, digits and
 * single hyphens, starting with a letter and never ending with a hyphen. RDS identifiers refuse two
 * consecutive hyphens and a trailing hyphen, and a trailing hyphen would put `--` into the names that continue
 * after the suffix. Twelve characters keep the longest derived names inside the AWS limits (measured with a
 * 12-character suffix and a 12-digit account id): the receipts bucket
 * `payment-processing-receipts-<suffix>-use1-<account>` is 58 of S3's 63, the replication role
 * `payment-processing-receipts-replication-<suffix>-use2` 57 of IAM's 64, the Lambda
 * `payment-processing-payment-api-<suffix>-use1` 48 of 64 and the instance
 * `payment-processing-ledger-<suffix>-use1-1` 45 of RDS's 63.
 */
export const ENVIRONMENT_SUFFIX_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,11}$/;

const backendSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('local').describe('State in terraform-state/<stack>.tfstate on this machine') })
    .strict(),
  z
    .object({
      type: z.literal('s3').describe('State in one S3 bucket per region (set by STATE_BUCKET_PREFIX)'),
      bucketPrefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{2,50}$/, 'lowercase letters, digits and hyphens')
        .describe(
          'Prefix of the state buckets: each stack keeps its state in <prefix>-<region code>, a bucket in the region the stack must stay manageable from',
        ),
      keyPrefix: z
        .string()
        .regex(/^[\w./-]{1,100}$/)
        .default('payments-dr')
        .describe('Prefix of the state object keys: <keyPrefix>/<suffix>/<stack>.tfstate'),
      useLockfile: z.boolean().default(true).describe('S3-native state locking (Terraform/OpenTofu >= 1.10)'),
      kmsKeyIds: z
        .partialRecord(z.enum(regionNames), z.string().min(1))
        .default({})
        .describe('Optional CMK (key ARN or alias) per region for the state objects'),
    })
    .strict(),
]);

export const configSchema = z
  .object({
    environmentSuffix: z
      .string()
      .regex(
        ENVIRONMENT_SUFFIX_PATTERN,
        '2-12 chars: lowercase letters, digits and single hyphens; starts with a letter, ends with a letter or digit',
      )
      .describe('Last part of every resource name, e.g. prod (2-12 of a-z 0-9 and single hyphens)'),
    regions: z
      .object({
        primary: z.enum(regionNames).default('us-east-1').describe('Active region (must be us-east-1)'),
        secondary: z.enum(regionNames).default('us-east-2').describe('Standby region'),
        witness: z
          .enum(regionNames)
          .default('us-west-2')
          .describe(
            'Witness region of the payment control table (DynamoDB multi-Region strong consistency): the third region of the primary and secondary regions\u2019 MRSC Region set; it stores no readable data',
          ),
      })
      .strict()
      .prefault({})
      .describe('The active-passive region pair'),
    network: z
      .object({
        primaryCidr: cidr16.default('10.0.0.0/16').describe('VPC block of the primary region'),
        secondaryCidr: cidr16.default('10.1.0.0/16').describe('VPC block of the secondary region'),
        azCount: z
          .number()
          .int()
          .min(2)
          .max(3)
          .default(3)
          .describe('Availability zones (and private subnets) per region'),
        azIds: z
          .partialRecord(
            z.enum(regionNames),
            z.array(z.string().regex(/^[a-z]{2,4}\d-az\d{1,2}$/, 'an AZ id such as use1-az1')),
          )
          .default({})
          .describe('AZ ids per region, replacing the built-in lists (stable ids, not AZ names)'),
      })
      .strict()
      .prefault({})
      .describe('VPCs of both regions'),
    dns: z
      .object({
        zoneName: z
          .string()
          .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a DNS name such as example.com')
          .describe('Public hosted zone that serves the payment API name (must exist; not created here)'),
        zoneId: z
          .string()
          .regex(/^Z[A-Z0-9]{1,31}$/, 'a Route 53 zone id such as Z0123456789ABCDEFGHIJ')
          .describe(
            'Route 53 hosted zone id; given, not looked up, so no stack needs the Route 53 API to plan',
          ),
        apiLabel: z
          .string()
          .regex(/^[a-z0-9-]{1,40}$/)
          .default('payments')
          .describe('Label of the failover name <apiLabel>.<zoneName>; regional names add -use1 / -use2'),
      })
      .strict()
      .describe('DNS of the payment API'),
    alerts: z
      .object({
        emails: z
          .array(z.email())
          .max(10)
          .default([])
          .describe('Addresses subscribed to both regions\u2019 alert topics (each must confirm by email)'),
      })
      .strict()
      .prefault({})
      .describe('Who is paged'),
    failover: z
      .object({
        mode: z
          .enum(['automatic', 'manual'])
          .default('automatic')
          .describe(
            'automatic: the Region switch plan\u2019s trigger starts an execution when both vantage points agree the primary failed and the secondary is healthy (the mode of a trigger-started execution is not documented by AWS; the runbook covers a graceful one); manual: the agreement alarm only pages and an operator starts the execution (drctl failover)',
          ),
        detectionMinutes: z
          .number()
          .int()
          .min(2)
          .max(15)
          .default(3)
          .describe(
            'Consecutive one-minute periods in which both vantage points (us-east-2, us-west-2) must see the primary failed before the agreement alarm fires; 3 outlasts an in-region Aurora failover (typically well under a minute) and a Lambda or API deployment',
          ),
        probesPerRun: z
          .number()
          .int()
          .min(1)
          .max(6)
          .default(3)
          .describe(
            'Signed probes of the primary per detector run, spread evenly over one minute (three: every 20 s); a minute counts as failed only when every probe fails (a network error only while the vantage point\u2019s own control probe answers), as healthy when any probe succeeds, and as no evidence otherwise (runtime/detection/classify.ts)',
          ),
        probeTimeoutMs: z
          .number()
          .int()
          .min(500)
          .max(10000)
          .default(3000)
          .describe(
            'Time limit of one probe (connect to last byte); a probe that takes longer counts as failed',
          ),
        approveUngraceful: z
          .boolean()
          .default(false)
          .describe(
            'Adds a manual approval step before the data-loss part of an ungraceful execution (the plan waits for an approver; a trigger-started execution then waits too, so RTO includes the approver\u2019s response)',
          ),
        approvalTimeoutMinutes: z
          .number()
          .int()
          .min(5)
          .max(1440)
          .default(60)
          .describe('How long an approval step waits before the execution fails'),
        rtoObjectiveMinutes: z
          .number()
          .int()
          .min(1)
          .max(60)
          .default(15)
          .describe(
            'The plan\u2019s recovery time objective (ARC Region switch tracks each execution against it); the report checks the computed worst case against it',
          ),
        minMinutesBetweenExecutions: z
          .number()
          .int()
          .min(30)
          .max(10080)
          .default(60)
          .describe(
            'Least time between two trigger-started executions: a flapping signal cannot start a second failover',
          ),
        operatorPrincipalArns: z
          .array(z.string().regex(/^arn:aws:iam::\d{12}:(root|role\/.+|user\/.+)$/))
          .default([])
          .describe(
            'IAM roles or users allowed to assume the DR operator role (default: this account). All of one account unless operatorOrgId is set; an account root only with operatorOrgId. Every session must carry MFA no older than operatorMfaMaxAgeSeconds and a source identity',
          ),
        operatorOrgId: z
          .string()
          .regex(/^o-[a-z0-9]{10,32}$/)
          .optional()
          .describe(
            'AWS Organizations id (o-...): lets operatorPrincipalArns name other accounts, and the operator role trusts only principals of this organisation (aws:PrincipalOrgID); unset: only principals of the deploying account (aws:PrincipalAccount)',
          ),
        operatorMfaMaxAgeSeconds: z
          .number()
          .int()
          .min(300)
          .max(3600)
          .default(3600)
          .describe(
            'Largest age of the MFA sign-in behind a DR operator role session (aws:MultiFactorAuthAge), 300 to 3600 s',
          ),
      })
      .strict()
      .superRefine((f, ctx) => {
        const accounts = new Set(f.operatorPrincipalArns.map((a) => a.split(':')[4]));
        if (f.operatorOrgId) return;
        if (accounts.size > 1)
          ctx.addIssue({
            code: 'custom',
            path: ['operatorPrincipalArns'],
            message: `names ${accounts.size} accounts: principals of another account need failover.operatorOrgId`,
          });
        for (const [i, a] of f.operatorPrincipalArns.entries())
          if (a.endsWith(':root'))
            ctx.addIssue({
              code: 'custom',
              path: ['operatorPrincipalArns', i],
              message:
                'an account root trusts every principal of that account: leave the list empty for this account, or set failover.operatorOrgId',
            });
      })
      .prefault({})
      .describe('Failure detection and failover'),
    audit: z
      .object({
        organizationTrailArn: z
          .string()
          .regex(/^arn:aws:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[\w.-]+$/)
          .nullable()
          .default(null)
          .describe(
            'ARN of the organization trail that already records this account, with S3 data events for both receipts buckets and log file validation: when set, no trail of this environment is created (null, the default: the failover stack creates a multi-Region trail with home Region us-east-2)',
          ),
      })
      .strict()
      .prefault({})
      .describe('Audit trail (CloudTrail) of the account'),
    database: z
      .object({
        engineVersion: z
          .string()
          .superRefine((v, ctx) => {
            const problem = engineVersionProblem(v);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          })
          .default('14.15')
          .describe(
            `Aurora PostgreSQL version of the global database, major.minor: major ${ENGINE_MAJORS.join(', ')} (14 is the requirement's; the cluster parameter group family follows the major). Aurora ends standard support for 14 on ${AURORA_POSTGRESQL_MAJORS[14].endOfStandardSupport}: after that creating a cluster on it fails, see docs/deploy.md for the major upgrade`,
          ),
        minCapacityAcu: z.number().min(0.5).max(128).default(0.5).describe('Serverless v2 minimum capacity'),
        maxCapacityAcu: z.number().min(1).max(128).default(4).describe('Serverless v2 maximum capacity'),
        backupRetentionDays: z
          .number()
          .int()
          .min(1)
          .max(35)
          .default(1)
          .describe('Days of automated backups (point-in-time recovery window)'),
        rpoBoundSeconds: z
          .number()
          .int()
          .min(20)
          .max(3600)
          .optional()
          .describe(
            'Opt-in bound on the ledger\u2019s data loss: rds.global_db_rpo on the primary cluster (never on the secondary, where AWS advises the default in a two-Region global database). Availability cost: once us-east-2 lags more than this many seconds, Aurora pauses every ledger commit in us-east-1 (payments answer 503) until it catches up; it also blocks major version upgrades. Off by default: the ledger RPO is then the typical replication lag, with no configured worst case',
          ),
        masterPasswordVersion: z
          .number()
          .int()
          .min(1)
          .default(1)
          .describe('Bump to rotate the generated master password (write-only attribute version)'),
      })
      .strict()
      .prefault({})
      .describe('The ledger (Aurora PostgreSQL global database)'),
    api: z
      .object({
        throttleRateLimit: z
          .number()
          .int()
          .min(1)
          .max(10000)
          .default(100)
          .describe('Stage throttling: steady requests per second'),
        throttleBurstLimit: z
          .number()
          .int()
          .min(1)
          .max(5000)
          .default(200)
          .describe('Stage throttling: burst requests'),
        wafRateLimitPer5Min: z
          .number()
          .int()
          .min(100)
          .max(2_000_000_000)
          .optional()
          .describe(
            'WAF: requests per 5 minutes from one source IP before WAF blocks it (403). Default: 300 x throttleRateLimit, the stage\u2019s own steady rate, so one IP (a merchant\u2019s servers behind one NAT address) is never blocked below what the stage allows. Size it as the largest merchant\u2019s peak requests per second per source IP x 300 x headroom, at most the default',
          ),
        manageAccountCloudWatchRole: z
          .boolean()
          .default(false)
          .describe(
            'Let this environment own API Gateway\u2019s CloudWatch role, one setting per region for the whole account: apply overwrites the role other APIs use and destroy resets it for every REST API in the region. Default false: run scripts/bootstrap-account.sh once per account instead (docs/deploy.md)',
          ),
        merchants: z
          .array(
            z
              .object({
                merchantId: z
                  .string()
                  .regex(MERCHANT_ID_PATTERN, 'must be 1 to 64 letters, digits, _ or -')
                  .refine((id) => id !== CANARY_MERCHANT_ID, {
                    message: `"${CANARY_MERCHANT_ID}" is the drill's canary merchant (the DR operator role's)`,
                  })
                  .describe('The merchant id the principal\u2019s payments carry (`merchantId` of the body)'),
                principalArn: z
                  .string()
                  .refine(isBindablePrincipal, {
                    message:
                      'must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name> or :user/<name>), no wildcard',
                  })
                  .describe('The IAM role or user that signs the merchant\u2019s requests'),
              })
              .strict(),
          )
          .max(MAX_MERCHANT_BINDINGS)
          .default([])
          .superRefine((bindings, ctx) => {
            const seen = new Set<string>();
            bindings.forEach((b, i) => {
              const key = principalKey(b.principalArn);
              if (key === undefined) return;
              if (seen.has(key))
                ctx.addIssue({
                  code: 'custom',
                  path: [i, 'principalArn'],
                  message: 'names a principal already bound: a principal acts for exactly one merchant',
                });
              seen.add(key);
            });
            const rendered = JSON.stringify(
              Object.fromEntries(bindings.map((b) => [b.principalArn, b.merchantId])),
            );
            if (rendered.length > MAX_MERCHANTS_ENV_CHARS)
              ctx.addIssue({
                code: 'custom',
                path: [],
                message: `the bindings take ${rendered.length} characters in the payment function's environment, more than ${MAX_MERCHANTS_ENV_CHARS} (Lambda allows 4 KB for all its variables): shorten role paths or names`,
              });
          })
          .describe(
            `Merchant binding: the IAM principals allowed to call the payment routes, each acting for exactly one merchant (a merchant may have several principals). The REST API\u2019s resource policy denies every other principal, and the payment function refuses a body naming another merchant (403) and answers a payment of another merchant 404. The DR operator role is always bound to the drill\u2019s canary merchant "${CANARY_MERCHANT_ID}". Empty (the default): no merchant can pay, and synth warns. At most ${MAX_MERCHANT_BINDINGS} (the Lambda environment holds 4 KB, the resource policy 8192 characters). Onboarding: docs/deploy.md, "Onboarding a merchant"`,
          ),
      })
      .strict()
      .prefault({})
      .describe('The REST API in front of the payment function'),
    thresholds: z
      .object({
        auroraReplicationLagMs: z
          .number()
          .int()
          .min(100)
          .default(1000)
          .describe('Aurora global replication lag alarm'),
        auroraRpoLagMs: z
          .number()
          .int()
          .min(100)
          .default(5000)
          .describe(
            'Aurora RPO lag alarm (AuroraGlobalDBRPOLag of the region\u2019s cluster while it is a secondary): the data a failover would lose; below database.rpoBoundSeconds when that is set, so it pages before commits block',
          ),
        auroraConnections: z.number().int().min(10).default(400).describe('Ledger connections alarm'),
        dynamodbReplicationLatencyMs: z
          .number()
          .int()
          .min(100)
          .default(2000)
          .describe('DynamoDB global table replication latency alarm'),
        s3ReplicationLatencySeconds: z
          .number()
          .int()
          .min(60)
          .max(900)
          .default(900)
          .describe('S3 replication latency alarm (Replication Time Control: 15 minutes)'),
        apiP99LatencyMs: z.number().int().min(50).default(1500).describe('API p99 latency alarm'),
        api5xxPerMinute: z.number().int().min(1).default(5).describe('API 5xx responses per minute alarm'),
        lambdaErrorsPerMinute: z
          .number()
          .int()
          .min(1)
          .default(5)
          .describe('Payment function errors per minute alarm'),
      })
      .strict()
      .prefault({})
      .describe('Alarm thresholds'),
    logRetentionDays: z
      .number()
      .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
        message: `one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(365)
      .describe(`Days every log group keeps its events: one of ${LOG_RETENTION_DAYS.join(', ')}`),
    safety: z
      .enum(SAFETY_PROFILES)
      .default('test')
      .describe(
        'How hard the ledger, receipts, control table, master secret and keys are to lose (src/config/safety.ts). test: destroyable at once (no deletion protection, no final snapshot, emptied buckets, no secret recovery window, 7-day key deletion). production: deletion protection, a final snapshot, prevent_destroy, AWS Backup with a copy in the other region, database.backupRetentionDays >= 7, a 30-day secret recovery window and key deletion window, receipt versions protected, and key administration by keyAdminRoleArn only (docs/deploy.md, "Production safety profile")',
      ),
    keyAdminRoleArn: z
      .string()
      .regex(
        /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
        'an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
      )
      .optional()
      .describe(
        'Required with safety "production": the existing IAM role that alone administers the KMS keys and the receipts buckets\u2019 protection (versioning, lifecycle, bucket policy, version deletion); apply the stacks as this role. Unused by the test profile',
      ),
    tags: z
      .record(tagKey, z.string().max(256))
      .default({})
      .describe(
        'Extra tags on every resource (Environment, Purpose, DR-Role and Region are set by the project)',
      ),
    backend: backendSchema
      .prefault({ type: 'local' })
      .describe('Where Terraform keeps each stack\u2019s state'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.regions.primary === c.regions.secondary) {
      ctx.addIssue({
        code: 'custom',
        path: ['regions', 'secondary'],
        message: 'must differ from regions.primary',
      });
    }
    if (c.regions.primary !== 'us-east-1') {
      // Route 53 publishes health-check metrics only in us-east-1, and an alarm can only notify a topic of its
      // own region: the health-check alarm and the alert relay are built on the primary being us-east-1.
      ctx.addIssue({
        code: 'custom',
        path: ['regions', 'primary'],
        message: 'must be "us-east-1" (Route 53 health-check metrics and their alarm exist only there)',
      });
    }
    const { witness } = c.regions;
    const regionSet = MRSC_REGION_SETS.find((set) => set.includes(c.regions.primary));
    if (
      witness === c.regions.primary ||
      witness === c.regions.secondary ||
      !regionSet ||
      !regionSet.includes(c.regions.secondary) ||
      !regionSet.includes(witness)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['regions', 'witness'],
        message: `primary, secondary and witness must be three different regions of one MRSC Region set (${MRSC_REGION_SETS.map((s) => s.join('/')).join('; ')})`,
      });
    }
    if (c.network.primaryCidr === c.network.secondaryCidr) {
      ctx.addIssue({
        code: 'custom',
        path: ['network', 'secondaryCidr'],
        message: 'must not overlap network.primaryCidr (VPC peering needs distinct ranges)',
      });
    }
    for (const region of [c.regions.primary, c.regions.secondary]) {
      const ids = c.network.azIds[region] ?? DEFAULT_AZ_IDS[region];
      if (ids.length < c.network.azCount || new Set(ids).size !== ids.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['network', 'azIds', region],
          message: `needs ${c.network.azCount} distinct AZ ids (network.azCount) for ${region}`,
        });
      }
    }
    const bound = c.database.rpoBoundSeconds;
    if (bound !== undefined && c.thresholds.auroraRpoLagMs >= bound * 1000) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', 'auroraRpoLagMs'],
        message: `must be below database.rpoBoundSeconds (${bound * 1000} ms), or it pages only once commits block`,
      });
    }
    if (c.database.maxCapacityAcu < c.database.minCapacityAcu) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'maxCapacityAcu'],
        message: 'must be >= minCapacityAcu',
      });
    }
    for (const issue of safetyIssues(c)) ctx.addIssue({ code: 'custom', ...issue });
    for (const reserved of ['Environment', 'Purpose', 'DR-Role', 'Region']) {
      if (reserved in c.tags) {
        ctx.addIssue({
          code: 'custom',
          path: ['tags', reserved],
          message: 'is set by the project; choose another key',
        });
      }
    }
  });

export type Config = z.infer<typeof configSchema>;

/** WAF's rate-based rules count requests over 300 s (the evaluation window used here). */
export const WAF_RATE_WINDOW_SECONDS = 300;

/**
 * The per-IP WAF limit actually deployed: the configured one, else the stage's steady rate over WAF's window, so a
 * single source is limited only where the stage would throttle it anyway.
 */
export const wafRateLimitPer5Min = (api: Config['api']): number =>
  api.wafRateLimitPer5Min ?? api.throttleRateLimit * WAF_RATE_WINDOW_SECONDS;

/** The AZ ids of `region`'s private subnets. */
export const azIdsFor = (c: Config, region: Region): string[] =>
  (c.network.azIds[region] ?? DEFAULT_AZ_IDS[region]).slice(0, c.network.azCount);
export type ConfigInput = z.input<typeof configSchema>;
export type BackendConfig = Config['backend'];
export type FailoverMode = Config['failover']['mode'];
