/** The Lambda functions the app deploys: one bundle each, built from the runtime/ folder. */
export const LAMBDA_FUNCTIONS = {
  'payment-api': {
    entry: 'runtime/payment-api/handler.ts',
    description: 'POST /payments, GET /payments/{id} and the deep GET /health',
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
