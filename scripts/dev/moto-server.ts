import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from './loopback-faults';

/**
 * Starts one `moto_server` (the AWS emulator, from the project's .venv) on a free loopback port and stops it
 * when `stop` is called. moto serves every region from one process. MOTO_URL, when set, points at an
 * already running emulator instead (nothing is started then).
 */
export interface MotoHandle {
  url: string;
  /** Process id of the emulator this handle started (undefined for MOTO_URL). */
  pid?: number;
  stop(): Promise<void>;
}

async function waitUntilUp(url: string, child: ChildProcess | undefined, deadlineMs: number): Promise<void> {
  const started = Date.now();
  let lastError = '';
  while (Date.now() - started < deadlineMs) {
    if (child && child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (e) {
      lastError = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer at ${url} within ${deadlineMs} ms (${lastError})`);
}

/**
 * `port` starts the emulator on that port (e.g. again after stopping it, to simulate a restart that lost its
 * state); a free one by default.
 */
export async function startMoto(options: { deadlineMs?: number; port?: number } = {}): Promise<MotoHandle> {
  const deadlineMs = options.deadlineMs ?? 30_000;
  if (process.env.MOTO_URL) {
    await waitUntilUp(process.env.MOTO_URL, undefined, deadlineMs);
    return { url: process.env.MOTO_URL, stop: async () => undefined };
  }
  const bin = resolve(__dirname, '../../.venv/bin/moto_server');
  if (!existsSync(bin)) {
    throw new Error(`moto_server not found at ${bin}: run "bash scripts/setup-python.sh" (or set MOTO_URL)`);
  }
  const port = options.port ?? (await freePort());
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child, deadlineMs);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  return {
    url,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Clears every resource in the emulator (all regions), so test files start from nothing. */
export async function resetMoto(url: string): Promise<void> {
  const res = await fetch(`${url}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}
