import { AbortError, type Clock } from '../../runtime/shared/clock';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  cleanup: () => void;
}

/**
 * A clock whose time only moves when every task using it is asleep: `sleep` registers a timer, and once the
 * process has nothing else to do (two macrotask turns later, after all promise reactions ran) the clock jumps
 * to the earliest timer and wakes it. Concurrent sleepers wake in time order, so hours of polling run in
 * milliseconds and measured durations are exact. I/O through test doubles resolves through promises and
 * needs nothing more; real network I/O (an emulator) must be wrapped in `hold` (see `holdDuring`) so that time
 * does not run ahead while a request is in flight.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private pending = false;
  private busy = 0;
  /** Every requested sleep, in call order (for backoff assertions). */
  readonly sleeps: number[] = [];

  constructor(start = Date.parse('2030-01-01T00:00:00.000Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Moves time forward without waking anything (simulates work that takes time). */
  advance(ms: number): void {
    this.t += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortError());
        return;
      }
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve,
        cleanup: () => undefined,
      };
      if (signal) {
        const onAbort = (): void => {
          this.timers = this.timers.filter((x) => x !== timer);
          reject(new AbortError());
        };
        signal.addEventListener('abort', onAbort, { once: true });
        timer.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.timers.push(timer);
      this.schedule();
    });
  }

  /** Keeps time still until `work` settles. */
  hold<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    return work.finally(() => {
      this.busy--;
      if (this.busy === 0 && this.timers.length > 0) this.schedule();
    });
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => setImmediate(() => this.fire()));
  }

  private fire(): void {
    this.pending = false;
    if (this.timers.length === 0 || this.busy > 0) return;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = this.timers.shift() as Timer;
    this.t = Math.max(this.t, next.at);
    next.cleanup();
    next.resolve();
    if (this.timers.length > 0) this.schedule();
  }
}

interface WithMiddleware {
  middlewareStack: {
    add(
      mw: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Makes every request of an SDK client hold the virtual clock while it is in flight. */
export function holdDuring<T>(clock: VirtualClock, client: T): T {
  (client as unknown as WithMiddleware).middlewareStack.add((next) => (args) => clock.hold(next(args)), {
    step: 'initialize',
    name: 'holdVirtualClock',
  });
  return client;
}
