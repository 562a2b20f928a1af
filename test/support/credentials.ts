import { afterAll, beforeAll } from 'vitest';

/**
 * Static test credentials in the environment for the calling test file, where the SDK's default provider
 * chain finds them (drctl's real client factory, the functions' runtimes built from the environment); the
 * previous values are put back after the file. Call at the top level of the file.
 */
export function useTestCredentials(): void {
  const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const saved: Partial<Record<(typeof keys)[number], string | undefined>> = {};
  beforeAll(() => {
    for (const k of keys) saved[k] = process.env[k];
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  });
  afterAll(() => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
}
