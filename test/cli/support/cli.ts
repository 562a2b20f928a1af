import { randomBytes } from 'node:crypto';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../../cli/lib/aws';
import type { CliDeps } from '../../../cli/lib/context';
import type { CliIo } from '../../../cli/lib/io';
import { runCli } from '../../../cli/program';
import { systemClock } from '../../../runtime/shared/clock';

/** Runs drctl in process with captured output and injected dependencies. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  stderrLines: string[];
  prompts: string[];
}

export function captureIo(options: { interactive?: boolean; answer?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const io: CliIo = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    interactive: options.interactive ?? false,
    prompt: async (q) => {
      prompts.push(q);
      return options.answer ?? '';
    },
  };
  return { io, out, err, prompts };
}

/** AWS clients that fail the test if a command touches one it should not; `parts` are allowed. */
export function noAws(parts: Partial<AwsClients> = {}): AwsClients {
  const fail = (what: string) => () => {
    throw new Error(`unexpected AWS client use: ${what}`);
  };
  return {
    rds: fail('rds'),
    cloudwatch: fail('cloudwatch'),
    ddb: fail('ddb'),
    s3: fail('s3'),
    sns: fail('sns'),
    sts: fail('sts'),
    arc: fail('arc'),
    credentials: fail('credentials'),
    ...parts,
  };
}

export const ACCOUNT_ID = '123456789012';
export const CALLER_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/dr-operator`;

/** Static credentials, as the provider chain would return them. */
export const staticCredentials = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' });

/** An STS client whose GetCallerIdentity answers (a test double; nothing is sent). */
export function mockedSts(region = 'us-east-2'): STSClient {
  const sts = new STSClient({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  mockClient(sts)
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT_ID, Arn: CALLER_ARN, UserId: 'AID' });
  return sts;
}

export const uniqueSuffix = (): string => `t${randomBytes(4).toString('hex')}`;

export async function drctl(
  argv: string[],
  deps: Partial<CliDeps> & { interactive?: boolean; answer?: string } = {},
): Promise<Captured> {
  const cap = captureIo({ interactive: deps.interactive, answer: deps.answer });
  const code = await runCli(argv, {
    io: cap.io,
    env: {},
    clients: () => noAws(),
    clock: systemClock,
    http: {
      request: async () => {
        throw new Error('unexpected HTTP request');
      },
    },
    operator: 'tester@test',
    random: () => 0.5,
    ...deps,
  });
  const stderr = cap.err.join('');
  return {
    code,
    stdout: cap.out.join(''),
    stderr,
    stderrLines: stderr.split('\n').filter((l) => l.length > 0),
    prompts: cap.prompts,
  };
}
