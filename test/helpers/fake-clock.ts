/**
 * A fake clock for the receiver's stages: time moves only when a test says so, and every sleep
 * that falls due resolves, in time order. No test waits on the wall clock.
 */
import type { Clock } from '../../src/receiver/clock.js';

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
}

export class FakeClock implements Clock {
  private _now: number;
  private _sleepers: Sleeper[] = [];

  constructor(start = Date.parse('2026-12-01T00:00:00Z')) {
    this._now = start;
  }

  now(): number {
    return this._now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = { at: this._now + Math.max(0, ms), resolve };
      this._sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this._sleepers = this._sleepers.filter((s) => s !== sleeper);
        resolve();
      }, { once: true });
    });
  }

  /** Sleeps pending right now. */
  get sleeping(): number {
    return this._sleepers.length;
  }

  /**
   * Moves time forward by `ms`, waking each sleeper whose time has come (in order), and lets the
   * promise jobs they start run before moving on.
   */
  async advance(ms: number): Promise<void> {
    const end = this._now + ms;
    for (;;) {
      await settle();
      const next = this._sleepers.filter((s) => s.at <= end).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this._now = Math.max(this._now, next.at);
      this._sleepers = this._sleepers.filter((s) => s !== next);
      next.resolve();
    }
    this._now = end;
    await settle();
  }
}

/** Lets pending promise jobs and I/O callbacks run (one turn of the event loop). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
