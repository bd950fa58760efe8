/**
 * The forwarder: closed traces are packed into exports (bounded in spans and bytes, like the
 * SDK's BatchSpanProcessor), a few exports in flight at once, so a slow backend is served at its
 * throughput rather than its latency.
 *
 * - Delivered: the traces' events are marked done in the spool (their segment can go).
 * - May succeed later (network, timeout, 408, 429, 5xx): retried with backoff for as long as it
 *   takes; meanwhile the queue fills, the consumer pauses and the spool keeps the rest on disk.
 * - Refused for good (another 4xx): an export of several traces is split in halves and each half
 *   tried on its own, so one bad trace cannot sink the others; a single trace goes to the
 *   dead-letter file, counted and logged, then marked done.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { backoffMillis } from '../../exporter/deliver.js';
import type { IngestionEvent } from '../../mapping/schema.js';
import type { Emission } from '../assembler/assembler.js';
import type { Clock } from '../clock.js';
import type { Spool } from '../spool/types.js';
import type { ExportBatch, ReceiverTarget } from '../targets/target.js';
import type { DeadLetter } from './dead-letter.js';

export interface ForwarderLimits {
  /** Spans per export (the BatchSpanProcessor's default batch is 512). */
  readonly maxExportSpans: number;
  /** Request bytes of the traces in one export (as they came in). */
  readonly maxExportBytes: number;
  /** Exports in flight at once. */
  readonly concurrency: number;
  /** Bytes queued and in flight past which the consumer pauses. */
  readonly maxQueuedBytes: number;
}

export const DEFAULT_FORWARDER_LIMITS: ForwarderLimits = {
  maxExportSpans: 256,
  maxExportBytes: 4 * 1024 * 1024,
  concurrency: 4,
  maxQueuedBytes: 6 * 1024 * 1024,
};

/** Told what becomes of exports, for metrics and logs. */
export interface ForwarderObserver {
  exported(spans: number, millis: number): void;
  retrying(spans: number, reason: string, inMillis: number): void;
  deadLettered(spans: number, events: number, reason: string): void;
  failure(message: string): void;
}

export interface ForwarderDeps {
  readonly target: ReceiverTarget;
  readonly spool: Pick<Spool, 'done'>;
  readonly deadLetter: DeadLetter;
  readonly clock: Clock;
  readonly limits: ForwarderLimits;
  readonly observe: ForwarderObserver;
}

/** One export's worth of traces. */
interface Work extends ExportBatch {
  readonly emissions: readonly Emission[];
  readonly bytes: number;
}

function workOf(emissions: readonly Emission[]): Work {
  const spans: ReadableSpan[] = [];
  const events: IngestionEvent[] = [];
  let bytes = 0;
  for (const e of emissions) {
    for (const span of e.spans) spans.push(span);
    for (const event of e.events) events.push(event);
    bytes += e.bytes;
  }
  return { emissions, spans, events, bytes, route: emissions[0]?.route ?? '' };
}

export class Forwarder {
  private readonly _deps: ForwarderDeps;
  private readonly _queue: Emission[] = [];
  /** Halves of refused exports, tried before anything else. */
  private readonly _front: Work[] = [];
  private _bytes = 0;
  private _inFlight = 0;
  private _waiters: Array<() => void> = [];
  private readonly _stop = new AbortController();
  private _pumpScheduled = false;

  constructor(deps: ForwarderDeps) {
    this._deps = deps;
  }

  /** Bytes queued and in flight. */
  get heldBytes(): number {
    return this._bytes;
  }

  get inFlight(): number {
    return this._inFlight;
  }

  get queuedTraces(): number {
    return this._queue.length + this._front.reduce((n, w) => n + w.emissions.length, 0);
  }

  enqueue(emission: Emission): void {
    if (emission.spans.length === 0) {
      // Nothing to send (events that make no span): done at once.
      void this._settle([emission]);
      return;
    }
    this._queue.push(emission);
    this._bytes += emission.bytes;
    // Traces closed together (one tick) go out together: the pump runs once they are all queued.
    if (!this._pumpScheduled) {
      this._pumpScheduled = true;
      queueMicrotask(() => {
        this._pumpScheduled = false;
        this._pump();
      });
    }
  }

  /** Resolves once queued and in-flight bytes are under the bound (at once after stop()). */
  room(): Promise<void> {
    return this._when(() => this._bytes < this._deps.limits.maxQueuedBytes || this._stop.signal.aborted);
  }

  /** Resolves once nothing is queued or in flight (after stop(): once nothing is in flight). */
  idle(): Promise<void> {
    const stopped = (): boolean => this._stop.signal.aborted;
    return this._when(() => this._inFlight === 0 && (stopped() || (this._queue.length === 0 && this._front.length === 0)));
  }

  /** Gives up retrying (shutdown past its grace): what is not delivered stays in the spool. */
  stop(): void {
    this._stop.abort();
    this._notify();
  }

  private _when(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (condition()) resolve();
        else this._waiters.push(check);
      };
      this._waiters.push(check);
    });
  }

  private _notify(): void {
    const waiters = this._waiters;
    this._waiters = [];
    for (const w of waiters) w();
  }

  private _pump(): void {
    while (this._inFlight < this._deps.limits.concurrency && !this._stop.signal.aborted) {
      const work = this._front.shift() ?? this._take();
      if (work === undefined) break;
      this._inFlight++;
      void this._run(work).finally(() => {
        this._inFlight--;
        this._bytes -= work.bytes;
        this._pump();
        this._notify();
      });
    }
  }

  /** The next export from the queue: consecutive traces of one route, within the limits. */
  private _take(): Work | undefined {
    const first = this._queue[0];
    if (first === undefined) return undefined;
    const { maxExportSpans, maxExportBytes } = this._deps.limits;
    let count = 0;
    let spans = 0;
    let bytes = 0;
    for (const e of this._queue) {
      const fits = count === 0 || (e.route === first.route && spans + e.spans.length <= maxExportSpans && bytes + e.bytes <= maxExportBytes);
      if (!fits) break;
      count++;
      spans += e.spans.length;
      bytes += e.bytes;
    }
    return workOf(this._queue.splice(0, count));
  }

  private async _run(work: Work): Promise<void> {
    const { target, clock, observe } = this._deps;
    for (let attempt = 0; !this._stop.signal.aborted; attempt++) {
      const started = clock.now();
      const outcome = await target.export(work);
      if (outcome.kind === 'ok') {
        observe.exported(work.spans.length, clock.now() - started);
        await this._settle(work.emissions);
        return;
      }
      if (outcome.kind === 'refused') {
        await this._refused(work, outcome.reason, outcome.status);
        return;
      }
      const wait = backoffMillis(attempt, outcome.retryAfterMillis);
      observe.retrying(work.spans.length, outcome.reason, wait);
      await clock.sleep(wait, this._stop.signal);
    }
  }

  private async _refused(work: Work, reason: string, status: number | undefined): Promise<void> {
    if (work.emissions.length > 1) {
      // Split: each half holds its own bytes from here on.
      const half = Math.ceil(work.emissions.length / 2);
      const halves = [workOf(work.emissions.slice(0, half)), workOf(work.emissions.slice(half))];
      this._front.unshift(...halves);
      this._bytes += work.bytes; // released again by _run's caller; the halves hold it meanwhile
      return;
    }
    try {
      await this._deps.deadLetter.write(work.events, reason, status);
    } catch (err) {
      // Not kept anywhere else: leave the events pending in the spool (replayed on restart).
      this._deps.observe.failure(`dead-letter file ${this._deps.deadLetter.path} not written: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this._deps.observe.deadLettered(work.spans.length, work.events.length, reason);
    await this._settle(work.emissions);
  }

  /** Marks the emissions' events done in the spool. */
  private async _settle(emissions: readonly Emission[]): Promise<void> {
    const marks: Array<Promise<void>> = [];
    for (const e of emissions) for (const { ref, keys, hashes } of e.done.values()) marks.push(this._deps.spool.done(ref, keys, Uint32Array.from(hashes)));
    const results = await Promise.allSettled(marks);
    for (const r of results) {
      if (r.status === 'rejected') this._deps.observe.failure(`done marks not saved (the events may be sent again after a restart): ${String(r.reason)}`);
    }
  }
}
