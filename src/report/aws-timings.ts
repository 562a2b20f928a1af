/**
 * Timings AWS documents for the mechanisms the failover relies on. Each value is an estimate the report uses
 * where the synthesized plan cannot tell (it is not configured anywhere); the source says where it comes from,
 * quoting AWS where AWS gives a figure and saying so where it does not.
 */
export interface Timing {
  seconds: number;
  source: string;
}

const AURORA_DR =
  'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html';

export const AWS_TIMINGS = {
  /** Alias records take the target's TTL; API Gateway regional domain names answer with 60 s. */
  aliasTtl: {
    seconds: 60,
    source:
      'Route 53 alias records use the TTL of the target (API Gateway regional endpoint: 60 s): https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html',
  },
  /**
   * Managed global database failover (FailoverGlobalCluster with AllowDataLoss): promotion of the secondary.
   *
   * AWS gives no duration for the promotion itself. What it states: "For Aurora Global Database, RTO can be in
   * the order of minutes" (AURORA_DR, "Planning for business continuity and disaster recovery"), and for a
   * switchover "Your database is unavailable for a short time while the primary and selected secondary clusters
   * are assuming their new roles" (API_SwitchoverGlobalCluster). The "under a minute" of older material
   * described detach-and-promote and is no longer in the guide. The estimate therefore takes "minutes" at face
   * value (2 min) rather than assuming a sub-minute promotion; replace it with promotion times measured in
   * drills (`drctl drill` reports `promotionMs`) through `policy.auroraPromotionSeconds`. The runtime's own
   * upper limit is PROMOTION_TIMEOUT_MS (10 min by default), after which the orchestrator reports a timeout.
   */
  auroraGlobalPromotion: {
    seconds: 120,
    source: `estimate, 2 min: AWS states no promotion duration, only "For Aurora Global Database, RTO can be in the order of minutes" (${AURORA_DR}) and, for switchover, "Your database is unavailable for a short time" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html); replace with drill measurements via policy.auroraPromotionSeconds`,
  },
  /** Aurora cluster endpoints are DNS names with a 5 s TTL. */
  auroraEndpointTtl: {
    seconds: 5,
    source:
      'Aurora endpoints use a 5-second DNS TTL: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.Endpoints.html',
  },
  /** In-region failover to an Aurora replica. */
  auroraInRegionFailover: {
    seconds: 30,
    source:
      'With an Aurora Replica, failover typically completes within 30 seconds: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html',
  },
  /** Without a replica Aurora must create a new instance. */
  auroraRecreateInstance: {
    seconds: 600,
    source:
      'Without an Aurora Replica, Aurora creates a new DB instance, typically in under 10 minutes: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html',
  },
  /** Typical Aurora global database replication lag (typical, not a bound). */
  auroraTypicalLag: {
    seconds: 1,
    source:
      'Aurora replicates to secondary Regions "with latency typically under a second" (typical, not guaranteed): https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html',
  },
  /**
   * Smallest value of rds.global_db_rpo (Aurora PostgreSQL), set on the primary (writer) cluster's parameter
   * group. With it, Aurora "blocks transaction commits if there is no secondary DB cluster that has an RPO lag
   * time less than the RPO time", so it is the worst-case data loss of a failover; without it nothing bounds the
   * lag ("RPO is typically measured in seconds").
   */
  auroraRpoMinimum: {
    seconds: 20,
    source: `rds.global_db_rpo: "Valid values are from 20 seconds up to the maximum integer value of 2,147,483,647"; Aurora PostgreSQL "blocks transaction commits if there is no secondary DB cluster that has an RPO lag time less than the RPO time": ${AURORA_DR}`,
  },
  /** Typical DynamoDB global table replication (no SLA). */
  dynamodbTypicalLag: {
    seconds: 1,
    source:
      'DynamoDB global tables typically propagate writes within a second; there is no replication SLA: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html',
  },
  /** S3 Replication Time Control SLA. */
  s3Rtc: {
    seconds: 900,
    source:
      'S3 Replication Time Control replicates 99.99 % of objects within 15 minutes (SLA): https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html',
  },
} as const satisfies Record<string, Timing>;

/** Defaults AWS or Terraform document for values a plan may leave unset (used only where they apply). */
export const DOCUMENTED_DEFAULTS = {
  /** Route 53 HealthCheckConfig.RequestInterval. */
  healthCheckInterval: {
    value: 30,
    source:
      'Route 53: "If you don\'t specify a value for RequestInterval, the default value is 30 seconds": https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html',
  },
  /** Route 53 HealthCheckConfig.FailureThreshold. */
  healthCheckFailureThreshold: {
    value: 3,
    source:
      'Route 53: "If you don\'t specify a value for FailureThreshold, the default value is three health checks": https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html',
  },
  /** aws_cloudwatch_event_rule.state (and the deprecated is_enabled). */
  eventRuleState: {
    value: 'ENABLED',
    source:
      'Terraform aws_cloudwatch_event_rule: state "Defaults to `ENABLED`" (is_enabled "Defaults to true"): https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_event_rule',
  },
} as const;
