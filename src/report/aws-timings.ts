/**
 * Timings AWS documents for the mechanisms the failover relies on, each with where AWS says so. The report uses
 * them where the synthesized plan cannot tell (nothing configures them). `best` and `seconds` (the worst case)
 * bound a term; where AWS gives one figure both are that figure. `checked` says how the quote was verified:
 * `docs search (2026-12-02)` for a quote found again in the AWS documentation for this report; `carried` for a
 * value kept from the previous report whose quote was not found again this time (listed as unverified).
 */
export interface Timing {
  /** Worst case (or the one documented value). */
  seconds: number;
  /** Best case; equals `seconds` when AWS gives a single value. */
  best: number;
  source: string;
  checked: 'docs search (2026-12-02)' | 'carried';
}

const AURORA_DR =
  'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html';
const EVENTBRIDGE_SCHEDULE =
  'https://docs.aws.amazon.com/eventbridge/latest/userguide/run-lambda-schedule.html';

export const AWS_TIMINGS = {
  /**
   * Alias records answer with the target's TTL; API Gateway regional domain names answer with 60 s. A resolver
   * that cached the old answer just before the change keeps it for up to the TTL (worst); one without a cached
   * answer resolves the new one at once (best).
   */
  aliasTtl: {
    seconds: 60,
    best: 0,
    source:
      'Route 53 alias records use the TTL of the target (API Gateway regional endpoint: 60 s): https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html',
    checked: 'carried',
  },
  /**
   * A scheduled rule starts its target somewhere within its minute: AWS gives one-minute resolution and "a delay
   * of several seconds" before the target runs, so the run that first sees a failure may start up to a minute
   * after the failure began (worst) or right away (best).
   */
  eventBridgeStart: {
    seconds: 60,
    best: 0,
    source: `EventBridge "doesn't provide second-level precision in schedule expressions. The finest resolution using a cron expression is one minute", and "there can be a delay of several seconds between the time the scheduled rule is triggered and the time the target service runs the target resource": ${EVENTBRIDGE_SCHEDULE}`,
    checked: 'docs search (2026-12-02)',
  },
  /**
   * Global database failover (the plan's ungraceful Aurora step: FailoverGlobalCluster with AllowDataLoss). AWS
   * gives no duration, only "RTO can be in the order of minutes"; the report reads that as 1 to 5 minutes (an
   * interpretation of AWS's wording, not a figure AWS gives) and never uses a switchover measured by a drill,
   * which is a different operation. Replace it with measured failovers through policy.auroraPromotionSeconds.
   */
  auroraGlobalFailover: {
    seconds: 300,
    best: 60,
    source: `AWS gives no failover duration: "For an Aurora global database, RTO can be in the order of minutes" (${AURORA_DR}); read as 1-5 min (interpretation, unverified)`,
    checked: 'docs search (2026-12-02)',
  },
  /** Aurora cluster endpoints are DNS names with a 5 s TTL. */
  auroraEndpointTtl: {
    seconds: 5,
    best: 0,
    source:
      'Aurora DNS zones use a short TTL of 5 seconds (AWS Knowledge Center, https://repost.aws/knowledge-center/aurora-mysql-redirected-endpoint-writer; endpoints: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.Endpoints.html)',
    checked: 'docs search (2026-12-02)',
  },
  /** In-region failover to an Aurora replica. */
  auroraInRegionFailover: {
    seconds: 30,
    best: 30,
    source:
      'With an Aurora Replica, failover typically completes within 30 seconds: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html',
    checked: 'carried',
  },
  /** Without a replica Aurora must create a new instance. */
  auroraRecreateInstance: {
    seconds: 600,
    best: 600,
    source:
      'Without an Aurora Replica, Aurora creates a new DB instance, typically in under 10 minutes: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html',
    checked: 'carried',
  },
  /** Typical Aurora global database replication lag (typical, not a bound). */
  auroraTypicalLag: {
    seconds: 1,
    best: 1,
    source: `Aurora replicates to secondary Regions with latency "typically under a second" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html, found in its translated pages) and "RPO is typically measured in seconds" (${AURORA_DR}): typical, not guaranteed`,
    checked: 'docs search (2026-12-02)',
  },
  /**
   * Smallest value of rds.global_db_rpo (Aurora PostgreSQL), set on the primary (writer) cluster's parameter
   * group. With it, Aurora "blocks transaction commits if there is no secondary DB cluster that has an RPO lag
   * time less than the RPO time", so it is the worst-case data loss of a failover.
   */
  auroraRpoMinimum: {
    seconds: 20,
    best: 20,
    source: `rds.global_db_rpo: "Valid values are from 20 seconds up to the maximum integer value of 2,147,483,647"; Aurora PostgreSQL "blocks transaction commits if there is no secondary DB cluster that has an RPO lag time less than the RPO time": ${AURORA_DR}`,
    checked: 'carried',
  },
  /** Typical DynamoDB global table replication (no SLA). */
  dynamodbTypicalLag: {
    seconds: 1,
    best: 1,
    source:
      'DynamoDB global tables typically propagate writes within a second; there is no replication SLA: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html',
    checked: 'carried',
  },
  /** S3 Replication Time Control SLA. */
  s3Rtc: {
    seconds: 900,
    best: 900,
    source:
      'S3 Replication Time Control replicates most objects in seconds and 99.99 % of them within 15 minutes (SLA; found in the translated page https://docs.aws.amazon.com/ja_jp/AmazonS3/latest/dev/replication-walkthrough-5.html): https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html',
    checked: 'docs search (2026-12-02)',
  },
} as const satisfies Record<string, Timing>;

/** Defaults AWS or Terraform document for values a plan may leave unset (used only where they apply). */
export const DOCUMENTED_DEFAULTS = {
  /** aws_cloudwatch_event_rule.state (and the deprecated is_enabled). */
  eventRuleState: {
    value: 'ENABLED',
    source:
      'Terraform aws_cloudwatch_event_rule: state "Defaults to `ENABLED`" (is_enabled "Defaults to true"): https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_event_rule',
  },
} as const;

/** The AWS timings whose quote was not found again for this report (the report lists them as unverified). */
export const unverifiedTimings = (): string[] =>
  Object.entries(AWS_TIMINGS)
    .filter(([, t]) => t.checked === 'carried')
    .map(([id, t]) => `${id} (${t.source})`);
