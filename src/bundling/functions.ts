/** The Lambda functions the app deploys: one bundle each, built from the runtime/ folder. */
export const LAMBDA_FUNCTIONS = {
  'payment-api': {
    entry: 'runtime/payment-api/handler.ts',
    description: 'POST /payments and GET /payments/{id}',
  },
  health: {
    entry: 'runtime/health/handler.ts',
    description: 'The public deep GET /health (status, region, role)',
  },
  probe: {
    entry: 'runtime/health/probe-handler.ts',
    description: 'The SigV4-only GET /health/probe (with each component) for the failover detectors',
  },
  migrate: {
    entry: 'runtime/migrate/handler.ts',
    description: 'Applies ledger schema migrations',
    // The SQL files travel next to index.js, where the runner looks for them.
    extraDir: { from: 'runtime/migrations', to: 'migrations' },
  },
  'fence-action': {
    entry: 'runtime/fence-action/handler.ts',
    description: 'Region switch plan step: activates this region in the write fence',
  },
  'alert-relay': {
    entry: 'runtime/alert-relay/handler.ts',
    description: 'Relays the primary region alerts to the secondary region topic',
  },
  detector: {
    entry: 'runtime/detection/handler.ts',
    description: 'Probes the primary from one vantage point, publishes its verdict to CloudWatch',
  },
} as const;

export type LambdaFunctionId = keyof typeof LAMBDA_FUNCTIONS;
export const LAMBDA_FUNCTION_IDS = Object.keys(LAMBDA_FUNCTIONS) as LambdaFunctionId[];

export interface LambdaBundle {
  id: LambdaFunctionId;
  /** Absolute path of the deterministic zip. */
  zipPath: string;
  /** base64 SHA-256 of the zip, the form Lambda's source_code_hash uses. */
  sha256: string;
  rawBytes: number;
  zipBytes: number;
}

export type LambdaBundles = Record<LambdaFunctionId, LambdaBundle>;
