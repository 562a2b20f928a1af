/**
 * Timings AWS documents for the mechanisms the failover relies on. Each value is an estimate the report uses
 * where the synthesized plan cannot tell (it is not configured anywhere); the source says where it comes from.
 */
export interface Timing {
  seconds: number;
  source: string;
}

export const AWS_TIMINGS = {
  /** Alias records take the target's TTL; API Gateway regional domain names answer with 60 s. */
  aliasTtl: {
    seconds: 60,
    source:
      'Route 53 alias records use the TTL of the target (API Gateway regional endpoint: 60 s): https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html',
  },
  /** Managed global database failover/switchover: promotion of the secondary cluster. */
  auroraGlobalPromotion: {
    seconds: 60,
    source:
      'Aurora Global Database managed failover typically completes in about a minute: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html',
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
  /** Typical Aurora global database replication lag. */
  auroraTypicalLag: {
    seconds: 1,
    source:
      'Aurora Global Database replicates with typical latency under a second: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html',
  },
  /** Typical DynamoDB global table replication (no SLA). */
  dynamodbTypicalLag: {
    seconds: 1,
    source:
      'DynamoDB global tables typically propagate writes within a second: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html',
  },
  /** S3 Replication Time Control SLA. */
  s3Rtc: {
    seconds: 900,
    source:
      'S3 Replication Time Control replicates 99.99 % of objects within 15 minutes (SLA): https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html',
  },
} as const satisfies Record<string, Timing>;
