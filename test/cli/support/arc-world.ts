import type { AwsClients } from '../../../cli/lib/aws';
import { arcClient } from '../../../cli/lib/arc-client';
import { type HttpClient, nodeHttpClient } from '../../../cli/lib/http';
import { ArcDouble, type ArcDoubleOptions, type DoubleStep } from '../../support/arc-double';
import { FakeAurora, fakeRds } from '../../support/fake-aurora';
import { VirtualClock } from '../../support/virtual-clock';
import { type ArcStub, startArcStub } from './arc-stub';
import { mockedSts, noAws, staticCredentials } from './cli';

/**
 * drctl's world for the Region switch commands: the ARC double behind the loopback stub (real HTTP, real
 * SigV4, one server per Region), the Aurora global database as the fake-aurora double (for the preflight and
 * the final topology), STS, and a virtual clock that stands still while a request is in flight. The plan is
 * the one the lead's construct builds: per target Region an optional approval step, the fence, Aurora, DNS.
 */
export const REGIONS = ['us-east-1', 'us-east-2'] as const;
export const STEP_MS = { fence: 5_000, aurora: 60_000, dns: 30_000 };

export function planSteps(approval: boolean): DoubleStep[] {
  return [
    ...(approval ? [{ name: 'approve-ungraceful', type: 'ManualApproval' as const, durationMs: 0 }] : []),
    { name: 'fence', type: 'CustomActionLambda', durationMs: STEP_MS.fence },
    { name: 'aurora', type: 'AuroraGlobalDatabase', durationMs: STEP_MS.aurora },
    { name: 'dns', type: 'Route53HealthCheck', durationMs: STEP_MS.dns },
  ];
}

export interface ArcWorld {
  clock: VirtualClock;
  double: ArcDouble;
  stub: ArcStub;
  /** drctl's `clients.arc`: the real client, through the stub, on the world's clock. */
  arc: AwsClients['arc'];
  /** AwsClients for drctl: ARC through the stub, RDS through the fake, STS mocked; everything else fails. */
  clients(fake: FakeAurora, seen?: string[]): AwsClients;
  close(): Promise<void>;
}

export async function arcWorld(
  suffix: string,
  over: Partial<ArcDoubleOptions> = {},
  clock = new VirtualClock(),
): Promise<ArcWorld> {
  const double = new ArcDouble({
    account: '123456789012',
    planName: `payment-processing-${suffix}`,
    regions: [...REGIONS],
    primaryRegion: 'us-east-1',
    workflows: { 'us-east-2': planSteps(false), 'us-east-1': planSteps(false) },
    now: () => clock.now(),
    ...over,
  });
  const stub = await startArcStub({
    double,
    regions: REGIONS,
    credentials: [{ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }],
    now: () => clock.now(),
  });
  // Real I/O: time must not run ahead while a request is in flight.
  const http: HttpClient = { request: (req) => clock.hold(nodeHttpClient.request(req)) };
  const arc = (seen?: string[]) => (credentialsRegion: string) =>
    arcClient({
      http,
      credentials: () => {
        seen?.push(`credentials ${credentialsRegion}`);
        return staticCredentials();
      },
      endpoint: (region) => {
        seen?.push(`arc ${region}`);
        return stub.endpoint(region);
      },
      now: () => clock.now(),
    });
  return {
    clock,
    double,
    stub,
    arc: arc(),
    clients: (fake, seen) => {
      const note = <T>(what: string, region: string, value: T): T => {
        seen?.push(`${what} ${region}`);
        return value;
      };
      const rds = { 'us-east-1': fakeRds(fake, 'us-east-1'), 'us-east-2': fakeRds(fake, 'us-east-2') };
      const sts = { 'us-east-1': mockedSts('us-east-1'), 'us-east-2': mockedSts('us-east-2') };
      return noAws({
        credentials: (region) => note('credentials', region, staticCredentials()),
        rds: (region) => note('rds', region, rds[region as 'us-east-1']),
        sts: (region) => note('sts', region, sts[region as 'us-east-1']),
        // drctl resolves ARC's credentials through the secondary region (cli/lib/plan.ts arcOf).
        arc: arc(seen),
      });
    },
    close: () => stub.close(),
  };
}
