import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { Construct } from 'constructs';

export interface FailoverRecordProps {
  provider: AwsProvider;
  zoneId: string;
  publicName: string;
  role: 'PRIMARY' | 'SECONDARY';
  /** Contains the region name: the plan's Route 53 step maps record sets to regions by it. */
  setIdentifier: string;
  /** The region's API Gateway domain of the public name (its regional target). */
  target: { regionalDomainName: string; regionalZoneId: string };
  /** The health check the Region switch plan created for this record's region, whose state the plan sets. */
  healthCheckId: string;
}

/**
 * One of the two failover alias records at the public name. Both carry a health check owned by the Region
 * switch plan (src/constructs/region-switch-plan.ts): Route 53 answers PRIMARY while its check is healthy, and
 * only a plan execution changes the checks, so traffic moves with executions and never back on its own.
 * `evaluate_target_health` is off for the same reason: the API Gateway target's own health must not move traffic
 * behind the plan's back. Alias records take the target's TTL (API Gateway regional domains: 60 s), so resolvers
 * may keep the old answer up to a minute after the plan's DNS step.
 */
export class FailoverRecord extends Construct {
  readonly record: Route53Record;

  constructor(scope: Construct, id: string, p: FailoverRecordProps) {
    super(scope, id);
    this.record = new Route53Record(this, 'record', {
      provider: p.provider,
      zoneId: p.zoneId,
      name: p.publicName,
      type: 'A',
      setIdentifier: p.setIdentifier,
      failoverRoutingPolicy: { type: p.role },
      healthCheckId: p.healthCheckId,
      alias: {
        name: p.target.regionalDomainName,
        zoneId: p.target.regionalZoneId,
        evaluateTargetHealth: false,
      },
    });
  }
}
