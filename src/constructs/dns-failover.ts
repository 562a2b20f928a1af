import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Route53HealthCheck } from '@cdktn/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { Construct } from 'constructs';
import type { ApiGatewayDomainName } from '@cdktn/provider-aws/lib/api-gateway-domain-name';

export interface PrimaryHealthCheckProps {
  provider: AwsProvider;
  name: string;
  /** The primary's own name (not the failover name, which would follow the failover). */
  fqdn: string;
  /**
   * 10 s requests (the "fast" interval) x 3 failures: Route 53 declares the primary unhealthy about 30 s
   * after its /health starts failing (plus up to one interval of phase), while a single slow or dropped
   * check cannot move traffic. Values come from config failover.healthCheck*.
   */
  intervalSeconds: 10 | 30;
  failureThreshold: number;
}

/**
 * Route 53 HTTPS health check on the primary region's deep /health (GET, the open route), measured from all
 * Route 53 checker regions. It is the data-plane trigger of traffic failover: no API call is needed during
 * an outage. Its CloudWatch metric exists only in us-east-1, so it drives notifications, never failover.
 */
export class PrimaryHealthCheck extends Construct {
  readonly healthCheck: Route53HealthCheck;

  constructor(scope: Construct, id: string, p: PrimaryHealthCheckProps) {
    super(scope, id);
    this.healthCheck = new Route53HealthCheck(this, 'check', {
      provider: p.provider,
      type: 'HTTPS',
      fqdn: p.fqdn,
      port: 443,
      resourcePath: '/health',
      enableSni: true,
      requestInterval: p.intervalSeconds,
      failureThreshold: p.failureThreshold,
      measureLatency: true,
      tags: { Name: p.name },
    });
  }

  /** Alarm on the health check (metric namespace AWS/Route53, us-east-1 only). */
  addAlarm(props: { provider: AwsProvider; alarmName: string; actions: string[] }): CloudwatchMetricAlarm {
    return new CloudwatchMetricAlarm(this, 'alarm', {
      provider: props.provider,
      alarmName: props.alarmName,
      alarmDescription:
        'Route 53 reports the primary region payment API unhealthy: DNS now points to the secondary',
      namespace: 'AWS/Route53',
      metricName: 'HealthCheckStatus',
      dimensions: { HealthCheckId: this.healthCheck.id },
      statistic: 'Minimum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
      alarmActions: props.actions,
      okActions: props.actions,
    });
  }
}

export interface FailoverRecordProps {
  provider: AwsProvider;
  zoneId: string;
  publicName: string;
  role: 'PRIMARY' | 'SECONDARY';
  setIdentifier: string;
  domain: ApiGatewayDomainName;
  /**
   * The health check that decides whether this record answers (the PRIMARY record's).
   * @default none: the record is always eligible (the SECONDARY)
   */
  healthCheckId?: string;
}

/**
 * One of the two failover alias records at the public name. Alias records take the target's TTL (API
 * Gateway regional domains: 60 s), so resolvers may keep the old answer up to a minute after failover.
 */
export class FailoverRecord extends Construct {
  constructor(scope: Construct, id: string, p: FailoverRecordProps) {
    super(scope, id);
    new Route53Record(this, 'record', {
      provider: p.provider,
      zoneId: p.zoneId,
      name: p.publicName,
      type: 'A',
      setIdentifier: p.setIdentifier,
      failoverRoutingPolicy: { type: p.role },
      ...(p.healthCheckId ? { healthCheckId: p.healthCheckId } : {}),
      alias: {
        name: p.domain.regionalDomainName,
        zoneId: p.domain.regionalZoneId,
        evaluateTargetHealth: true,
      },
    });
  }
}
