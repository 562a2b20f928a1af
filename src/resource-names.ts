import type { Config, Region } from './config';
import { REGION_CODES } from './config';
import { failoverSnapshotPrefix } from '../runtime/recovery/names';
import { arn } from './grants';
import { Naming, PROJECT_PREFIX } from './naming';

/** The deployed stage of the regional REST APIs (part of every execute-api ARN and API Gateway metric). */
const API_STAGE = 'prod';

/**
 * Every name that crosses a stack boundary or that an operator sees (functions, tables, topics, alarms, roles,
 * dashboards, host names), derived from the configuration only. This is the one place such a name is built:
 * stacks, constructs, the monitoring catalog and drctl (cli/lib/names.ts) all read it from here, and find each
 * other's resources through these names instead of reading another stack's state.
 */
export function resourceNames(config: Pick<Config, 'environmentSuffix' | 'dns' | 'regions'>) {
  const n = new Naming(config.environmentSuffix);
  const suffix = config.environmentSuffix;
  const { apiLabel, zoneName } = config.dns;
  const { primary, secondary } = config.regions;
  const alertTopic = (region: Region) => n.regional('alerts', region);
  const paymentControlTable = n.name('payment-control');
  const regionalApiHost = (region: Region) => `${apiLabel}-${REGION_CODES[region]}.${zoneName}`;
  const probeRoute = { method: 'GET', path: 'health/probe' } as const;
  return {
    environment: suffix,
    primaryRegion: primary,
    secondaryRegion: secondary,

    // Data layer (global stack), found by the regional stacks and drctl.
    globalClusterId: n.name('ledger-global'),
    clusterId: (region: Region) => n.regional('ledger', region),
    /** The cluster parameter group of one engine major version (a major upgrade brings a new one). */
    ledgerParameterGroup: (region: Region, major: number) => `${n.regional('ledger', region)}-pg${major}`,
    /**
     * The snapshot Aurora takes when a regional cluster is deleted (safety "production"): deterministic, so a
     * runbook finds it; a second deletion of the same cluster fails until the first one's snapshot is renamed.
     */
    ledgerFinalSnapshot: (region: Region) => `${n.regional('ledger', region)}-final`,
    /** AWS Backup of the ledger (safety "production"): vault, plan and service role of each region. */
    ledgerBackupVault: (region: Region) => n.regional('ledger-backup', region),
    ledgerBackupPlan: (region: Region) => n.regional('ledger-backup', region),
    ledgerBackupRole: (region: Region) => n.regional('ledger-backup', region),
    databaseName: 'payments',
    masterUsername: 'payments_admin',
    appDbUser: 'payments_app',
    dbSecretName: n.name('ledger-master'),
    /** Idempotency-key reservations and the active-region write fence (DynamoDB MRSC, global stack). */
    paymentControlTable,
    /**
     * @deprecated The idempotency records are the control table's reservations now (`paymentControlTable`);
     * this alias stays until drctl's status and drill (cli/lib/status.ts, cli/lib/drill/) read the new name.
     */
    idempotencyTable: paymentControlTable,
    sessionsTable: n.name('sessions'),
    /** Bucket names must be unique across all of AWS: the account id makes them so, deterministically. */
    receiptsBucket: (region: Region, accountId: string) => `${n.regional('receipts', region)}-${accountId}`,
    /** The id of the one rule of each receipts replication configuration (a dimension of its S3 metrics). */
    receiptsReplicationRuleId: 'receipts-to-other-region',
    receiptsReplicationRole: (sourceRegion: Region) => n.regional('receipts-replication', sourceRegion),
    /** Aliases of the multi-Region keys; every stack finds the key of its own region by these names. */
    keyAlias: { data: n.alias('data'), ops: n.alias('ops') },
    /** The keys' own names (their descriptions start with them). */
    keyName: { data: n.name('data'), ops: n.name('ops') },
    operatorRole: n.name('dr-operator'),

    /** The table a point-in-time restore of `table` goes to (docs/runbooks/restore.md); the data key allows it. */
    restoredTable: (table: string) => `${table}-restore`,

    // Lost-write recovery (drctl recover-lost-writes), in the old primary's region.
    /** `rds:unplanned-global-failover-<cluster>-`: the snapshot Aurora attempts of an old primary. */
    failoverSnapshotPrefix: (region: Region) => failoverSnapshotPrefix(n.regional('ledger', region)),
    /** Manual copies of those snapshots: `<prefix>-<yyyymmddThhmm>` (at most 63 characters). */
    lostWritesSnapshotPrefix: (region: Region) => n.regional('lost-writes', region),
    /** The temporary cluster the copy is restored to (one at a time; deleted after the run) and its instance. */
    recoveryClusterId: (region: Region) => n.regional('ledger-recovery', region),
    recoveryInstanceId: (region: Region) => `${n.regional('ledger-recovery', region)}-1`,

    // Network (regional stacks), found by the interconnect stack by Name tag.
    vpcName: (region: Region) => n.regional('vpc', region),
    routeTableName: (region: Region) => n.regional('private-rt', region),
    /** Name tags of the rest of a region's network. */
    network: (region: Region) => ({
      defaultSecurityGroup: n.regional('default-closed', region),
      subnet: (index: number) => n.regional(`private-${index + 1}`, region),
      endpoint: (service: string) => n.regional(`${service}-endpoint`, region),
      endpointSecurityGroup: n.regional('endpoints', region),
      flowLogs: n.regional('flow-logs', region),
    }),
    peering: n.name('peering'),
    lambdaSecurityGroup: (region: Region) => n.regional('lambda', region),
    databaseSecurityGroup: (region: Region) => n.regional('ledger-db', region),

    // The payment service of each region.
    paymentFunction: (region: Region) => n.regional('payment-api', region),
    migrateFunction: (region: Region) => n.regional('migrate', region),
    reconcileSchedule: (region: Region) => n.regional('reconcile', region),
    /** Records of failed asynchronous (scheduled reconcile) invocations of a region's payment function. */
    reconcileFailures: (region: Region) => n.regional('reconcile-failures', region),
    apiName: (region: Region) => n.regional('api', region),
    apiStage: API_STAGE,
    apiGatewayLogsRole: (region: Region) => n.regional('apigateway-logs', region),
    /** execute-api ARN of one route of a region's API (any API id: the API is found by the stage and route). */
    executeApiArn: (region: Region, accountId: string, method: string, path: string) =>
      `arn:aws:execute-api:${region}:${accountId}:*/${API_STAGE}/${method}/${path}`,
    publicApiHost: `${apiLabel}.${zoneName}`,
    regionalApiHost,

    // Failover engine (failover stack, state in us-east-2): the ARC Region switch plan and its steps.
    /**
     * The Region switch plan of this environment. ARC allows at most 32 characters of [a-zA-Z0-9-] (CloudFormation
     * AWS::ARCRegionSwitch::Plan Name: pattern ^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$), so no resource word:
     * `payment-processing-<suffix>` is at most 31 with a suffix of at most 12.
     */
    regionSwitchPlan: `${PROJECT_PREFIX}-${suffix}`,
    /** The role ARC assumes to evaluate and execute the plan (and to read its trigger alarms). */
    planExecutionRole: n.name('region-switch'),
    /** The detectors' agreement alarm (us-east-2): both vantage points see the primary failed. */
    primaryFailedAlarm: n.name('primary-failed'),
    /** The secondary's own health as the us-east-2 detector sees it (missing data is unhealthy). */
    secondaryUnhealthyAlarm: n.name('secondary-unhealthy'),
    /** The plan's write-fence step, one function per region (regional stacks). */
    fenceFunction: (region: Region) => n.regional('fence', region),
    /**
     * Set identifier of a failover record of the public name: it contains the region name, which is how the
     * plan's Route 53 health-check step maps each record set to its region.
     */
    failoverRecordId: (role: 'primary' | 'secondary', region: Region) => `${role}-${region}`,

    // Audit (failover stack, us-east-2): the account's multi-Region trail, its log bucket and key, in the region that
    // survives the loss of the primary (src/constructs/audit-trail.ts).
    auditTrail: n.name('audit'),
    auditTrailBucket: (region: Region, accountId: string) =>
      `${n.regional('audit-trail', region)}-${accountId}`,
    auditTrailKeyAlias: n.alias('audit'),

    // Alerts.
    alertTopic,
    alertTopicArn: (region: Region, accountId: string) => arn.snsTopic(region, accountId, alertTopic(region)),
    /** The secondary region's function that relays the primary region's alerts. */
    alertRelayFunction: n.name('alert-relay'),
    alertRelayDeadLetters: n.name('alert-relay-dlq'),
    /** A regional metric alarm: `payment-processing-<id>-<suffix>-<regioncode>`. */
    regionalAlarm: (id: string, region: Region) => n.regional(id, region),
    alarmPrefix: `${PROJECT_PREFIX}-`,
    /** Alarm names of this environment as an IAM resource pattern. */
    alarmNamePattern: `${PROJECT_PREFIX}-*-${suffix}*`,
    /** Alarms of this environment: `payment-processing-...-<suffix>` or `payment-processing-...-<suffix>-...`. */
    isEnvironmentAlarm: (name: string) =>
      name.startsWith(`${PROJECT_PREFIX}-`) && (name.endsWith(`-${suffix}`) || name.includes(`-${suffix}-`)),
    dashboard: (region: Region) => n.regional('dr', region),

    // The health functions of each region (GET /health, GET /health/probe), apart from the payment function.
    healthFunction: (region: Region) => n.regional('health', region),
    probeFunction: (region: Region) => n.regional('health-probe', region),
    // Failure detection (failover stack): a detector per vantage point, two agreement alarms in us-east-2.
    /** The probe route each regional API serves (IAM authorization), as an execute-api resource path. */
    probeRoute,
    /** What a detector probes: a region's own API name (not the failover name) and the probe route. */
    probeUrl: (region: Region) => `https://${regionalApiHost(region)}/${probeRoute.path}`,
    /** A region's public, unsigned health route (a detector's control target). */
    healthUrl: (region: Region) => `https://${regionalApiHost(region)}/health`,
    /** The detector of one vantage point; its schedule carries the same name. */
    /**
     * The detectors' vantage points: the secondary region and the MRSC witness, which share no failure domain with
     * the primary or each other. The failover stack deploys a detector in each; the API lets only them probe.
     */
    detectorRegions: [secondary, config.regions.witness] as const,
    detectorFunction: (vantage: Region) => n.regional('detector', vantage),
    detectorDeadLetters: (vantage: Region) => n.regional('detector-dlq', vantage),
    /** The key of a vantage point's detector where the project has no key of its own (its function, logs, queue). */
    detectorKeyAlias: (vantage: Region) => `alias/${n.regional('detector', vantage)}`,
    /** Namespace of the detectors' verdicts (PrimaryFailed, SecondaryHealthy by Vantage). */
    detectionNamespace: `PaymentsDR/${suffix}/detection`,
    /** A vantage point has produced too few verdicts lately: detection is blind there. */
    detectorBlindAlarm: (vantage: Region) => n.regional('detector-blind', vantage),
  };
}

export type ResourceNames = ReturnType<typeof resourceNames>;
