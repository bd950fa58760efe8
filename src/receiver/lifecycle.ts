/**
 * The receiver's running parts over time: the tick that closes due traces, the assembler's
 * clock, the periodic status line, and the two ways everything held is sent on (`flush`, `close`).
 *
 * The assembler's clock is the wall clock while the consumer keeps up, and the receive time of
 * the last record read while it is behind (a restart's replay, a paused consumer): traces close
 * as they would have when the records came, never because a backlog was slow to read. Behind
 * means: fewer records consumed than were appended (or left by an earlier process).
 */
import type { Server } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { Assembler } from './assembler/assembler.js';
import type { Clock } from './clock.js';
import type { Forwarder } from './forwarder/forwarder.js';
import type { Spool } from './spool/types.js';

export interface LifecycleDeps {
  readonly spool: Spool;
  readonly assembler: Assembler;
  readonly forwarder: Forwarder;
  readonly clock: Clock;
  readonly quietMillis: number;
  readonly drainMillis: number;
}

/** How often due traces are looked for: a quarter of the quiet time, within 10 .. 100 ms. */
function tickMillis(quietMillis: number): number {
  return Math.min(100, Math.max(10, Math.floor(quietMillis / 4)));
}

/**
 * Traces closed (mapped to spans) per turn of the event loop: the rest wait for the next turn,
 * so requests are answered in between, whatever piles up.
 */
const CLOSES_PER_TURN = 16;

export class Lifecycle {
  private readonly _deps: LifecycleDeps;
  private readonly _stop = new AbortController();
  private _lastAt = 0;
  /** Records appended (and left by an earlier process), and records consumed (or lost on read-back). */
  private _appended: number;
  private _consumedCount = 0;
  private readonly _corruptAtOpen: number;
  private _caughtUp: Array<{ target: number; resolve: () => void }> = [];
  private _closing: Promise<void> | undefined;
  private _tasks: Array<Promise<void>> = [];
  private _server: Server | undefined;
  private _slicing = false;

  constructor(deps: LifecycleDeps) {
    this._deps = deps;
    const stats = deps.spool.stats();
    this._appended = stats.unreadRecords;
    this._corruptAtOpen = stats.corruptRecords;
  }

  /** Told by the handler's path of every record the spool took. */
  appended(): void {
    this._appended++;
  }

  private _consumed(): number {
    // A record that no longer reads back is skipped by the spool (and counted as corrupt).
    return this._consumedCount + this._deps.spool.stats().corruptRecords - this._corruptAtOpen;
  }

  private get _behind(): boolean {
    return this._consumed() < this._appended;
  }

  get closing(): boolean {
    return this._closing !== undefined;
  }

  /** The assembler's clock (see above). */
  now(): number {
    return this._behind ? this._lastAt : this._deps.clock.now();
  }

  /** What the consumer tells the lifecycle. */
  consumerHooks(failure: (message: string) => void): {
    consumed: (at: number) => void;
    unreadable: (ref: string, message: string) => void;
    mismatch: (ref: string, message: string) => void;
  } {
    return {
      consumed: (at) => {
        this._consumedCount++;
        this._lastAt = Math.max(this._lastAt, at);
        this.tick();
        this._release();
      },
      unreadable: (ref, message) => {
        this._consumedCount++;
        failure(`spooled record ${ref} cannot be read back (${message}); its events are not forwarded`);
        this._release();
      },
      mismatch: (ref, message) => failure(`spooled record ${ref}: ${message}`),
    };
  }

  start(consuming: Promise<void>, server: Server, statusIntervalMillis: number, status: () => string): void {
    this._server = server;
    const { clock } = this._deps;
    const signal = this._stop.signal;
    const every = async (ms: number, task: () => void): Promise<void> => {
      while (!signal.aborted) {
        await clock.sleep(ms, signal);
        if (!signal.aborted) task();
      }
    };
    let last = '';
    this._tasks = [
      consuming,
      every(tickMillis(this._deps.quietMillis), () => this.tick()),
      statusIntervalMillis === 0
        ? Promise.resolve()
        : every(statusIntervalMillis, () => {
            const line = status();
            if (line !== last) diag.info(`otel-langfuse-bridge receiver: ${line}`);
            last = line;
          }),
    ];
  }

  /** Closes what is due, a slice per turn of the event loop. */
  tick(): void {
    if (this._slicing) return;
    const more = this._deps.assembler.tick(this.now(), CLOSES_PER_TURN);
    if (!more) return;
    this._slicing = true;
    setImmediate(() => {
      this._slicing = false;
      if (!this._stop.signal.aborted) this.tick();
    });
  }

  /** Forwards everything accepted so far, complete or not, and waits until it is delivered. */
  async flush(): Promise<void> {
    await this._allConsumed();
    this._deps.assembler.flush();
    await this._deps.forwarder.idle();
  }

  /** Stops accepting, sends on what is held within `drainMillis`, closes the spool and target. */
  close(shutdownTarget: () => Promise<void>): Promise<void> {
    this._closing ??= this._close(shutdownTarget);
    return this._closing;
  }

  private async _close(shutdownTarget: () => Promise<void>): Promise<void> {
    const { spool, assembler, forwarder, clock, drainMillis } = this._deps;
    const deadline = clock.now() + drainMillis;
    const timeLeft = (): Promise<void> => clock.sleep(Math.max(0, deadline - clock.now()), this._stop.signal);
    const server = this._server;
    if (server !== undefined) {
      // Requests in flight finish (their events are spooled); idle keep-alive sockets close now,
      // busy ones once the drain time is over.
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([stopped, timeLeft()]);
      server.closeAllConnections();
      await stopped;
    }
    await Promise.race([this._allConsumed(), timeLeft()]);
    assembler.flush();
    await Promise.race([forwarder.idle(), timeLeft()]);
    const left = forwarder.queuedTraces + forwarder.inFlight;
    forwarder.stop();
    if (left > 0) diag.warn(`otel-langfuse-bridge receiver: ${left} traces not delivered within ${drainMillis} ms; they stay in the spool and go out at the next start`);
    this._stop.abort();
    await spool.close();
    await Promise.all(this._tasks);
    await shutdownTarget();
  }

  /** Resolves once the consumer has read every record appended so far. */
  private _allConsumed(): Promise<void> {
    const target = this._appended;
    if (this._consumed() >= target) return Promise.resolve();
    return new Promise((resolve) => this._caughtUp.push({ target, resolve }));
  }

  private _release(): void {
    const consumed = this._consumed();
    const still: Array<{ target: number; resolve: () => void }> = [];
    for (const w of this._caughtUp) {
      if (consumed >= w.target) w.resolve();
      else still.push(w);
    }
    this._caughtUp = still;
  }
}
