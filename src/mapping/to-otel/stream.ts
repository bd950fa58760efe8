/**
 * The reverse mapping as a stream, for inputs too large to hold (a replayed log, a receiver that
 * runs for days): events go in chunk by chunk, and a trace's spans come out once the trace has been
 * idle for a given number of events. Memory is then proportional to the open traces, not to the
 * input. Pure: idleness is counted in events, never read from a clock.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { MappingResult } from '../result.js';
import { IssueSink } from '../result.js';
import { toReadableSpan } from '../span-record.js';
import type { SpanRecord } from '../span-record.js';
import type { ToOtelOptions } from './index.js';
import { createContext } from './index.js';
import { toMergeItem } from './merge.js';
import { TraceGroups } from './trace-groups.js';

export interface IngestionStreamOptions extends ToOtelOptions {
  /**
   * A trace is emitted once this many events have arrived after its last one. Default `Infinity`:
   * everything is emitted by `end()`, exactly as `ingestionToSpans` maps it. An event for a trace
   * already emitted is a `LATE_EVENT` issue and still carried: a late observation hangs under the
   * root already sent (an update merges only with the events after it, under the same span id),
   * late trace fields go on a zero-length `langfuse.bridge.trace_update` child of that root.
   */
  idleEvents?: number;
}

/** How many emitted entity keys are remembered to recognise late events: 4 windows, within bounds. */
function rememberedKeys(idleEvents: number): number {
  return Math.min(1_000_000, Math.max(10_000, 4 * idleEvents));
}

/** Per group: the sequence number of its latest event. */
interface Idle {
  last: number;
}

const IDLE_STATE = {
  create: (): Idle => ({ last: 0 }),
  join: (into: Idle, from: Idle): void => {
    into.last = Math.max(into.last, from.last);
  },
};

/** {@link IngestionSpanStream} with its spans as records (what the OTLP writers take). */
export class IngestionRecordStream {
  private readonly _idleEvents: number;
  private readonly _groups: TraceGroups<Idle>;
  private readonly _fromJson: boolean;
  private _seq = 0;
  private _ended = false;

  /**
   * `fromJson`: the events pushed are what `JSON.parse` made, owned by the stream from then on:
   * valid ones are kept as they are instead of as validated copies (the same spans).
   */
  constructor(options: IngestionStreamOptions = {}, fromJson = false) {
    this._fromJson = fromJson;
    const idle = options.idleEvents;
    this._idleEvents = typeof idle === 'number' && idle >= 1 ? Math.floor(idle) : Number.POSITIVE_INFINITY;
    const base = createContext(options, new IssueSink());
    this._groups = new TraceGroups(base, IDLE_STATE, rememberedKeys(this._idleEvents), `(idleEvents ${this._idleEvents})`);
  }

  /** Events held in open groups (the memory the stream keeps). */
  get openEvents(): number {
    return this._groups.openEvents;
  }

  /** Adds events; returns the spans of every trace that has now been idle for `idleEvents` events. */
  push(events: readonly unknown[]): MappingResult<SpanRecord[]> {
    const sink = new IssueSink();
    if (this._ended) {
      sink.add('SKIPPED', `push after end(): ${events.length} events not mapped`);
      return { value: [], issues: sink.issues };
    }
    for (const raw of events) {
      const item = toMergeItem(raw, this._seq++, sink, undefined, this._fromJson);
      if (item === undefined || item === 'sdk-log') continue;
      this._groups.addToGroup(item, sink).group.state.last = this._seq;
    }
    const spans: SpanRecord[] = [];
    for (let oldest = this._groups.oldest(); oldest !== undefined; oldest = this._groups.oldest()) {
      if (this._seq - oldest.group.state.last < this._idleEvents) break; // the rest were touched later
      this._groups.closeRecords(oldest.key, spans, sink);
    }
    return { value: spans, issues: sink.issues };
  }

  /**
   * Emits every open trace now and goes on taking events (a receiver that went quiet). Events
   * for those traces that come later are late: see `idleEvents`.
   */
  flush(): MappingResult<SpanRecord[]> {
    const sink = new IssueSink();
    const spans: SpanRecord[] = [];
    if (!this._ended) for (const [key] of this._groups.entries()) this._groups.closeRecords(key, spans, sink);
    return { value: spans, issues: sink.issues };
  }

  /** Emits every open trace. The stream takes no more events afterwards. */
  end(): MappingResult<SpanRecord[]> {
    const result = this.flush();
    this._ended = true;
    return result;
  }
}

const spansOf = (result: MappingResult<SpanRecord[]>): MappingResult<ReadableSpan[]> => ({ value: result.value.map(toReadableSpan), issues: result.issues });

/**
 * `push` chunks of raw ingestion events (each chunk in any order, typically one request's `batch`)
 * and get back the spans of the traces that became idle; `end()` emits the rest. Issues are
 * reported with the call whose input raised them.
 */
export class IngestionSpanStream {
  private readonly _records: IngestionRecordStream;

  constructor(options: IngestionStreamOptions = {}) {
    this._records = new IngestionRecordStream(options);
  }

  /** Events held in open groups (the memory the stream keeps). */
  get openEvents(): number {
    return this._records.openEvents;
  }

  /** Adds events; returns the spans of every trace that has now been idle for `idleEvents` events. */
  push(events: readonly unknown[]): MappingResult<ReadableSpan[]> {
    return spansOf(this._records.push(events));
  }

  /**
   * Emits every open trace now and goes on taking events (a receiver that went quiet). Events
   * for those traces that come later are late: see `idleEvents`.
   */
  flush(): MappingResult<ReadableSpan[]> {
    return spansOf(this._records.flush());
  }

  /** Emits every open trace. The stream takes no more events afterwards. */
  end(): MappingResult<ReadableSpan[]> {
    return spansOf(this._records.end());
  }
}
