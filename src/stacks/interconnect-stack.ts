import { CloudwatchDashboard } from '@cdktn/provider-aws/lib/cloudwatch-dashboard';
import { DataAwsRoute53Records } from '@cdktn/provider-aws/lib/data-aws-route53-records';
import { DataAwsKmsKey } from '@cdktn/provider-aws/lib/data-aws-kms-key';
import { DataAwsRouteTable } from '@cdktn/provider-aws/lib/data-aws-route-table';
import { DataAwsVpc } from '@cdktn/provider-aws/lib/data-aws-vpc';
import { SnsTopicSubscription } from '@cdktn/provider-aws/lib/sns-topic-subscription';
import { Route } from '@cdktn/provider-aws/lib/route';
import { VpcPeeringConnection } from '@cdktn/provider-aws/lib/vpc-peering-connection';
import { VpcPeeringConnectionAccepterA } from '@cdktn/provider-aws/lib/vpc-peering-connection-accepter';
import { VpcPeeringConnectionOptions } from '@cdktn/provider-aws/lib/vpc-peering-connection-options';
import { TerraformOutput } from 'cdktn';
import type { Construct } from 'constructs';
import type { Config } from '../config';
import { accountId } from '../account';
import { BucketReplication } from '../constructs/bucket-replication';
import { regionCatalog } from '../monitoring/catalog';
import { dashboardBody } from '../monitoring/dashboard';
import { arn } from '../grants';
import { DrStack } from './dr-stack';

/**
 * Links between the two regional stacks that need both to exist: the VPC peering (requested in the primary
 * region, accepted in the secondary) and its routes. Applied after `primary` and `secondary`; it finds both
 * VPCs and route tables by their deterministic Name tags. Nothing on the failover path depends on it.
 */
export class InterconnectStack extends DrStack {
  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id, { config, role: 'interconnect', stateRegion: config.regions.secondary });
    const { primary, secondary } = config.regions;
    const { primaryCidr, secondaryCidr } = config.network;
    const p = this.provider(primary);
    const s = this.provider(secondary);
    const names = this.names;
    const byName = (name: string) => [{ name: 'tag:Name', values: [name] }];

    const primaryVpc = new DataAwsVpc(this, 'primary-vpc', {
      provider: p,
      filter: byName(names.vpcName(primary)),
    });
    const secondaryVpc = new DataAwsVpc(this, 'secondary-vpc', {
      provider: s,
      filter: byName(names.vpcName(secondary)),
    });
    const primaryRt = new DataAwsRouteTable(this, 'primary-rt', {
      provider: p,
      filter: byName(names.routeTableName(primary)),
    });
    const secondaryRt = new DataAwsRouteTable(this, 'secondary-rt', {
      provider: s,
      filter: byName(names.routeTableName(secondary)),
    });

    const peering = new VpcPeeringConnection(this, 'peering', {
      provider: p,
      vpcId: primaryVpc.id,
      peerVpcId: secondaryVpc.id,
      peerRegion: secondary,
      autoAccept: false,
      tags: { Name: names.peering, Side: 'requester' },
    });
    const accepter = new VpcPeeringConnectionAccepterA(this, 'peering-accepter', {
      provider: s,
      vpcPeeringConnectionId: peering.id,
      autoAccept: true,
      tags: { Name: names.peering, Side: 'accepter' },
    });
    // Lets each side resolve the other's private DNS names (e.g. Aurora endpoints) to private addresses.
    new VpcPeeringConnectionOptions(this, 'requester-options', {
      provider: p,
      vpcPeeringConnectionId: accepter.vpcPeeringConnectionId,
      requester: { allowRemoteVpcDnsResolution: true },
    });
    new VpcPeeringConnectionOptions(this, 'accepter-options', {
      provider: s,
      vpcPeeringConnectionId: accepter.vpcPeeringConnectionId,
      accepter: { allowRemoteVpcDnsResolution: true },
    });
    new Route(this, 'primary-to-secondary', {
      provider: p,
      routeTableId: primaryRt.id,
      destinationCidrBlock: secondaryCidr,
      vpcPeeringConnectionId: peering.id,
    });
    new Route(this, 'secondary-to-primary', {
      provider: s,
      routeTableId: secondaryRt.id,
      destinationCidrBlock: primaryCidr,
      vpcPeeringConnectionId: accepter.vpcPeeringConnectionId,
    });
    new TerraformOutput(this, 'peering_connection_id', { value: peering.id });

    // Receipts replication in both directions: primary -> secondary keeps the DR copy (RTC 15 min);
    // secondary -> primary carries receipts written during a failover back for failback.
    const account = accountId(this, p);
    const ends = {
      primary: {
        region: primary,
        bucketName: names.receiptsBucket(primary, account),
        kmsKeyArn: new DataAwsKmsKey(this, 'primary-data-key', { provider: p, keyId: names.keyAlias.data })
          .arn,
      },
      secondary: {
        region: secondary,
        bucketName: names.receiptsBucket(secondary, account),
        kmsKeyArn: new DataAwsKmsKey(this, 'secondary-data-key', { provider: s, keyId: names.keyAlias.data })
          .arn,
      },
    };
    const forward = new BucketReplication(this, 'receipts-forward', {
      provider: p,
      roleName: names.receiptsReplicationRole(primary),
      ruleId: names.receiptsReplicationRuleId,
      accountId: account,
      source: ends.primary,
      destination: ends.secondary,
      rtcMinutes: 15,
    });
    const back = new BucketReplication(this, 'receipts-back', {
      provider: s,
      roleName: names.receiptsReplicationRole(secondary),
      ruleId: names.receiptsReplicationRuleId,
      accountId: account,
      source: ends.secondary,
      destination: ends.primary,
      rtcMinutes: 15,
    });
    new TerraformOutput(this, 'receipts_replication_roles', { value: [forward.role.arn, back.role.arn] });

    // The primary region's alerts also reach the secondary region's topic, through the relay function there
    // (an alarm can only notify a topic of its own region). No filter policy: SNS's `exists: false` matches
    // only messages that carry some attribute, and alarm notifications carry none, so it would drop them all.
    // There is no loop to break: the relay publishes to the other region's topic, which it does not
    // subscribe to, and it skips a message already marked as relayed (runtime/alert-relay/relay.ts).
    new SnsTopicSubscription(this, 'alert-relay', {
      provider: p,
      topicArn: names.alertTopicArn(primary, account),
      protocol: 'lambda',
      endpoint: arn.lambdaFunction(secondary, account, names.alertRelayFunction),
    });

    // One dashboard definition over both regions, deployed in each so the surviving region's copy is readable.
    // The primary health check id is read from the PRIMARY failover record (Route 53), not from another state.
    const publicName = names.publicApiHost;
    const records = new DataAwsRoute53Records(this, 'public-records', {
      provider: p,
      zoneId: config.dns.zoneId,
      nameRegex: `^${publicName.replace(/\./g, '\\.')}\\.?$`,
    });
    // Only the PRIMARY record carries a health check. (No quotes in the expression: it sits inside a JSON string.)
    const healthCheckId = `\${compact([for r in ${records.fqn}.resource_record_sets : r.health_check_id])[0]}`;
    const body = dashboardBody({
      catalogs: [regionCatalog(config, primary, account), regionCatalog(config, secondary, account)],
      healthCheckId,
      healthCheckRegion: primary,
    });
    for (const [region, provider] of [
      [primary, p],
      [secondary, s],
    ] as const) {
      new CloudwatchDashboard(this, `dashboard-${region}`, {
        provider,
        dashboardName: names.dashboard(region),
        dashboardBody: body,
      });
    }
  }
}
