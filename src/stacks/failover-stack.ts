import { DataAwsApiGatewayDomainName } from '@cdktn/provider-aws/lib/data-aws-api-gateway-domain-name';
import { DataAwsArcregionswitchRoute53HealthChecks } from '@cdktn/provider-aws/lib/data-aws-arcregionswitch-route53-health-checks';
import { TerraformOutput } from 'cdktn';
import type { Construct } from 'constructs';
import type { Config, Region } from '../config';
import { accountId } from '../account';
import { keySafety, safetyProfile } from '../config/safety';
import type { LambdaBundles } from '../bundling/functions';
import { AuditTrail } from '../constructs/audit-trail';
import { Detection } from '../constructs/detection';
import { FailoverRecord } from '../constructs/dns-failover';
import { RegionSwitchPlan } from '../constructs/region-switch-plan';
import { arn } from '../grants';
import { DrStack } from './dr-stack';

/**
 * The failover engine and what it steers, in one state kept in us-east-2 (the region that must stay manageable
 * when us-east-1 fails): the ARC Region switch plan with its execution role, and the two failover records of the
 * public name, each carrying the health check the plan created for its region (read back through
 * `aws_arcregionswitch_route53_health_checks`). The plan names the regional stacks' resources (clusters, fence
 * functions) by their deterministic names.
 *
 * Applied after both regional stacks: the records alias each region's API domain, which this stack reads from
 * that region's API Gateway. Nothing here is needed during an outage: executions run in ARC, not in Terraform.
 */
export class FailoverStack extends DrStack {
  readonly plan: RegionSwitchPlan;
  readonly records: Record<Region, FailoverRecord>;
  readonly detection: Detection;
  /** The account's multi-Region trail, home Region us-east-2 (none when audit.organizationTrailArn names one). */
  readonly auditTrail?: AuditTrail;

  constructor(scope: Construct, id: string, config: Config, bundles: LambdaBundles) {
    const { primary, secondary } = config.regions;
    super(scope, id, { config, role: 'failover', stateRegion: secondary });
    // The first provider is the stack's default: us-east-2.
    const home = this.provider(secondary);
    const account = accountId(this, home);
    const names = this.names;
    const regions = [primary, secondary] as const;
    const byRegion = <T>(f: (r: Region) => T) =>
      ({ [primary]: f(primary), [secondary]: f(secondary) }) as Record<Region, T>;
    const recordSetIds = byRegion((r) => names.failoverRecordId(r === primary ? 'primary' : 'secondary', r));
    const alarmArn = (name: string) => arn.cloudwatchAlarms(secondary, account, name);
    // Two vantage points that share no failure domain with the primary or each other (names.detectorRegions).
    this.detection = new Detection(this, 'detection', {
      names,
      accountId: account,
      primaryRegion: primary,
      secondaryRegion: secondary,
      vantages: [
        { region: names.detectorRegions[0], provider: home },
        { region: names.detectorRegions[1], provider: this.provider(names.detectorRegions[1]) },
      ],
      failover: config.failover,
      bundle: bundles.detector,
      logRetentionDays: config.logRetentionDays,
      alarmTopicArn: names.alertTopicArn(secondary, account),
      keySafety: keySafety(safetyProfile(config)),
    });

    this.plan = new RegionSwitchPlan(this, 'region-switch', {
      provider: home,
      planName: names.regionSwitchPlan,
      executionRoleName: names.planExecutionRole,
      accountId: account,
      regions: config.regions,
      failover: config.failover,
      globalClusterId: names.globalClusterId,
      clusterArns: byRegion((r) => arn.rdsCluster(r, account, names.clusterId(r))),
      fenceFunctionArns: byRegion((r) => arn.lambdaFunction(r, account, names.fenceFunction(r))),
      dns: { zoneId: config.dns.zoneId, recordName: names.publicApiHost, recordSetIds },
      approvalRoleArn: arn.iamRole(account, names.operatorRole),
      // By deterministic ARN (the names the detection's alarms carry), so the plan reads as what it triggers on.
      primaryFailed: { key: 'primary-failed', arn: alarmArn(this.detection.primaryFailedAlarmName) },
      secondaryUnhealthy: {
        key: 'secondary-unhealthy',
        arn: alarmArn(this.detection.secondaryUnhealthyAlarmName),
      },
      dependsOn: [this.detection.primaryFailedAlarm, this.detection.secondaryUnhealthyAlarm],
    });

    const healthChecks = new DataAwsArcregionswitchRoute53HealthChecks(this, 'plan-health-checks', {
      provider: home,
      planArn: this.plan.plan.arn,
    });
    // The plan's check of one region: exactly one must exist, or the apply stops here (a record without its
    // check would answer PRIMARY forever). ARC creates them with the plan; see docs/deploy.md when it has not yet.
    const healthCheckOf = (region: Region) =>
      `\${one([for hc in ${healthChecks.fqn}.health_checks : hc.health_check_id if hc.region == "${region}"])}`;

    this.records = byRegion((region) => {
      const domain = new DataAwsApiGatewayDomainName(this, `api-domain-${region}`, {
        provider: this.provider(region),
        domainName: names.publicApiHost,
      });
      return new FailoverRecord(this, `failover-record-${region}`, {
        provider: home,
        zoneId: config.dns.zoneId,
        publicName: names.publicApiHost,
        role: region === primary ? 'PRIMARY' : 'SECONDARY',
        setIdentifier: recordSetIds[region],
        target: { regionalDomainName: domain.regionalDomainName, regionalZoneId: domain.regionalZoneId },
        healthCheckId: healthCheckOf(region),
      });
    });

    // In this stack because its state, like the trail's home Region, bucket and key, is in us-east-2: the audit
    // record and its management outlive the loss of us-east-1 (audit-trail.ts).
    if (config.audit.organizationTrailArn === null) {
      this.auditTrail = new AuditTrail(this, 'audit-trail', {
        provider: home,
        region: secondary,
        accountId: account,
        trailName: names.auditTrail,
        bucketName: names.auditTrailBucket(secondary, account),
        keyAlias: names.auditTrailKeyAlias,
        dataEventBuckets: regions.map((r) => names.receiptsBucket(r, account)),
        keySafety: keySafety(safetyProfile(config)),
        noncurrentVersionDays: 365,
      });
    }

    new TerraformOutput(this, 'region_switch_plan_arn', { value: this.plan.plan.arn });
    new TerraformOutput(this, 'region_switch_plan_name', { value: names.regionSwitchPlan });
    for (const region of regions) {
      new TerraformOutput(this, `health_check_id_${region.replace(/-/g, '_')}`, {
        value: healthCheckOf(region),
      });
    }
  }
}
