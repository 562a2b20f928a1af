import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { type MotoHandle, startMoto } from '../../scripts/dev/moto-server';

declare module 'vitest' {
  export interface ProvidedContext {
    motoUrl: string;
  }
}

let moto: MotoHandle | undefined;

/** One moto emulator for the whole test run, on loopback; stopped when the run ends. */
export async function setup(project: TestProject): Promise<void> {
  moto = await startMoto();
  project.provide('motoUrl', moto.url);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}
