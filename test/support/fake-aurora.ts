import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * A test double of the Aurora global database control plane. moto has no global failover or switchover, so the
 * RDS client is replaced by an aws-sdk-client-mock double that keeps a small model: which member writes,
 * the global status, and a promotion that completes after a given number of topology reads (time-free, so
 * tests decide exactly when the new writer appears).
 */
export const ACCOUNT = '123456789012';
export const GLOBAL_ID = 'payment-processing-ledger-global-test';
export const PRIMARY_ID = 'payment-processing-ledger-test-use1';
export const SECONDARY_ID = 'payment-processing-ledger-test-use2';
export const PRIMARY_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:${PRIMARY_ID}`;
export const SECONDARY_ARN = `arn:aws:rds:us-east-2:${ACCOUNT}:cluster:${SECONDARY_ID}`;

export type Side = 'primary' | 'secondary';

/** Identifiers of the global database of environment `suffix`, as src/resource-names.ts derives them. */
export function auroraIds(suffix: string) {
  const primaryId = `payment-processing-ledger-${suffix}-use1`;
  const secondaryId = `payment-processing-ledger-${suffix}-use2`;
  return {
    globalId: `payment-processing-ledger-global-${suffix}`,
    primaryId,
    secondaryId,
    primaryArn: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:${primaryId}`,
    secondaryArn: `arn:aws:rds:us-east-2:${ACCOUNT}:cluster:${secondaryId}`,
  };
}

export interface FakeAuroraOptions {
  /** Environment suffix of the identifiers (default `test`). */
  suffix?: string;
  writer?: Side;
  /** The topology read (counted from the promotion request) that first reports the target as writer. */
  readsUntilPromoted?: number;
  status?: string;
  secondarySync?: string;
  primarySync?: string;
  /** Whether the primary is still a member (an unplanned failover can leave it out). */
  primaryMember?: boolean;
  primaryClusterStatus?: string;
}

export class FakeAurora {
  writer: Side;
  status: string;
  secondarySync: string | undefined;
  primarySync: string | undefined;
  primaryMember: boolean;
  primaryClusterStatus: string;
  readsUntilPromoted: number;
  /** Promotion in flight: target and remaining reads. */
  inFlight?: { target: Side; remaining: number; dataLoss: boolean };
  /** Errors thrown by the next promotion calls, in order. */
  promotionErrors: Error[] = [];
  /** Promotion calls that take effect but whose response is lost (the caller sees this error instead). */
  lostResponses: Error[] = [];
  /** Errors thrown by the next topology reads, in order. */
  describeErrors: Error[] = [];
  readonly calls: Array<{ command: string; input: unknown; region: string }> = [];
  readonly ids: ReturnType<typeof auroraIds>;

  constructor(options: FakeAuroraOptions = {}) {
    this.ids = auroraIds(options.suffix ?? 'test');
    this.writer = options.writer ?? 'primary';
    this.status = options.status ?? 'available';
    this.secondarySync = options.secondarySync ?? 'connected';
    this.primarySync = options.primarySync ?? 'connected';
    this.primaryMember = options.primaryMember ?? true;
    this.primaryClusterStatus = options.primaryClusterStatus ?? 'available';
    this.readsUntilPromoted = options.readsUntilPromoted ?? 2;
  }

  promotionCalls(): Array<{ command: string; input: unknown; region: string }> {
    return this.calls.filter(
      (c) => c.command === 'FailoverGlobalCluster' || c.command === 'SwitchoverGlobalCluster',
    );
  }

  /** A topology read: advances a promotion in flight by one read, then reports. */
  describe(): GlobalCluster {
    this.advance();
    return this.snapshot();
  }

  private advance(): void {
    if (!this.inFlight) return;
    this.inFlight.remaining--;
    if (this.inFlight.remaining <= 0) {
      this.writer = this.inFlight.target;
      this.inFlight = undefined;
      this.status = 'available';
    }
  }

  snapshot(): GlobalCluster {
    const member = (side: Side) => ({
      DBClusterArn: side === 'primary' ? this.ids.primaryArn : this.ids.secondaryArn,
      IsWriter: this.writer === side,
      Readers: [],
      ...(this.writer === side
        ? {}
        : {
            SynchronizationStatus: (side === 'primary'
              ? this.primarySync
              : this.secondarySync) as 'connected',
          }),
    });
    const members = [member('secondary')];
    if (this.primaryMember) members.unshift(member('primary'));
    return {
      GlobalClusterIdentifier: this.ids.globalId,
      GlobalClusterArn: `arn:aws:rds::${ACCOUNT}:global-cluster:${this.ids.globalId}`,
      Status: this.status,
      Engine: 'aurora-postgresql',
      GlobalClusterMembers: members,
      ...(this.inFlight
        ? {
            FailoverState: {
              Status: 'failing-over',
              FromDbClusterArn:
                this.inFlight.target === 'secondary' ? this.ids.primaryArn : this.ids.secondaryArn,
              ToDbClusterArn:
                this.inFlight.target === 'secondary' ? this.ids.secondaryArn : this.ids.primaryArn,
              IsDataLossAllowed: this.inFlight.dataLoss,
            },
          }
        : {}),
    };
  }

  private promote(target: string | undefined, dataLoss: boolean): { GlobalCluster: GlobalCluster } {
    const error = this.promotionErrors.shift();
    if (error) throw error;
    const side: Side | undefined =
      target === this.ids.secondaryArn ? 'secondary' : target === this.ids.primaryArn ? 'primary' : undefined;
    if (!side) throw Object.assign(new Error(`unknown target ${target}`), { name: 'DBClusterNotFoundFault' });
    if (this.inFlight || this.status !== 'available') {
      throw Object.assign(new Error('global cluster is busy'), { name: 'InvalidGlobalClusterStateFault' });
    }
    this.inFlight = { target: side, remaining: this.readsUntilPromoted, dataLoss };
    this.status = dataLoss ? 'failing-over' : 'switching-over';
    const lost = this.lostResponses.shift();
    if (lost) throw lost;
    return { GlobalCluster: this.snapshot() };
  }

  /** Installs the double on one client instance (other RDS clients stay untouched). */
  install(client: RDSClient): ReturnType<typeof mockClient> {
    const mock = mockClient(client);
    const record = async (command: string, input: unknown) => {
      this.calls.push({ command, input, region: await client.config.region() });
    };
    mock.on(DescribeGlobalClustersCommand).callsFake(async (input: { GlobalClusterIdentifier?: string }) => {
      await record('DescribeGlobalClusters', input);
      const error = this.describeErrors.shift();
      if (error) throw error;
      if (input.GlobalClusterIdentifier !== this.ids.globalId) {
        throw Object.assign(new Error('not found'), { name: 'GlobalClusterNotFoundFault' });
      }
      return { GlobalClusters: [this.describe()] };
    });
    mock
      .on(FailoverGlobalClusterCommand)
      .callsFake(async (input: { TargetDbClusterIdentifier?: string; AllowDataLoss?: boolean }) => {
        await record('FailoverGlobalCluster', input);
        return this.promote(input.TargetDbClusterIdentifier, input.AllowDataLoss === true);
      });
    mock
      .on(SwitchoverGlobalClusterCommand)
      .callsFake(async (input: { TargetDbClusterIdentifier?: string }) => {
        await record('SwitchoverGlobalCluster', input);
        return this.promote(input.TargetDbClusterIdentifier, false);
      });
    mock.on(DescribeDBClustersCommand).callsFake(async (input: { DBClusterIdentifier?: string }) => {
      await record('DescribeDBClusters', input);
      return {
        DBClusters: [{ DBClusterIdentifier: input.DBClusterIdentifier, Status: this.primaryClusterStatus }],
      };
    });
    return mock;
  }
}

/** An RDS client of `region` with the fake installed. */
export function fakeRds(fake: FakeAurora, region: string): RDSClient {
  const client = new RDSClient({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  fake.install(client);
  return client;
}

export const awsError = (name: string, status: number, message = name): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
