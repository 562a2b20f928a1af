import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The local server in a child process of its own, restarted when asked or when it died. */
export class ServerProcess {
  child?: ChildProcess;
  crashes = 0;
  private expectedExit = false;
  stderr = '';

  constructor(
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.expectedExit = false;
    const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/local/server.ts'], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.once('exit', () => {
      if (!this.expectedExit) {
        this.crashes++;
        console.error(`faults: the server exited unexpectedly: ${this.stderr.slice(-500)}`);
        void this.start();
      }
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`the local server did not start: ${this.stderr.slice(-1000)}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.expectedExit = true;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
