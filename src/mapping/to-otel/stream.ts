/**
 * The reverse mapping as a stream, for inputs too large to hold (a replayed log, a receiver that
 * runs for days): events go in chunk by chunk, and a trace's spans come out once the trace has been
 * idle for a given number of events. Memory is then proportional to the open traces, not to the
 * input. Pure: idleness is counted in events, never read from a clock.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { MappingResult } from '../result.js';
import { IssueSink } from '../result.js';
import type { Context, ToOtelOptions } from './index.js';
import { createContext, spansFromMerged } from './index.js';
import type { MergeItem } from './merge.js';
import { mergeItems, toMergeItem } from './merge.js';

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

/** The events of one trace (or of an entity whose trace is not known yet) waiting to be merged. */
interface Group {
  items: MergeItem[];
  /** Sequence number of its latest event. */
  last: number;
  /** Observations whose events are here, so that updates without a `traceId` find them. */
  readonly observationIds: string[];
  /** Opened for a trace (or observation) already emitted: every event in it is late. */
  readonly late: boolean;
}

/** What a late update needs from the observation it updates: the fields fixed at its start. */
function identityOf(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { startTime: body.startTime };
  for (const field of ['name', 'parentObservationId', 'traceId']) if (typeof body[field] === 'string') out[field] = body[field];
  return out;
}

const traceKey = (id: string): string => `t:${id}`;
const observationKey = (id: string): string => `o:${id}`;
const scoreKey = (id: string): string => `s:${id}`;

/**
 * `push` chunks of raw ingestion events (each chunk in any order, typically one request's `batch`)
 * and get back the spans of the traces that became idle; `end()` emits the rest. Issues are
 * reported with the call whose input raised them.
 */
export class IngestionSpanStream {
  private readonly _idleEvents: number;
  private readonly _base: Context;
  private _seq = 0;
  /** Open groups, least recently touched first (a Map keeps insertion order; a touch re-inserts). */
  private readonly _groups = new Map<string, Group>();
  /** Observation id -> key of the open group holding its events. */
  private readonly _observationGroup = new Map<string, string>();
  /** Entity keys of emitted groups, oldest first, bounded. */
  private readonly _closed = new Set<string>();
  private readonly _remembered: number;
  /**
   * Observations already emitted (their identity fields), oldest first, bounded like `_closed`:
   * an event for one of them is late.
   */
  private readonly _sent = new Map<string, Record<string, unknown>>();
  private _ended = false;

  constructor(options: IngestionStreamOptions = {}) {
    const idle = options.idleEvents;
    this._idleEvents = typeof idle === 'number' && idle >= 1 ? Math.floor(idle) : Number.POSITIVE_INFINITY;
    this._remembered = rememberedKeys(this._idleEvents);
    this._base = createContext(options, new IssueSink());
  }

  /** Events held in open groups (the memory the stream keeps). */
  get openEvents(): number {
    let n = 0;
    for (const g of this._groups.values()) n += g.items.length;
    return n;
  }

  /** Adds events; returns the spans of every trace that has now been idle for `idleEvents` events. */
  push(events: readonly unknown[]): MappingResult<ReadableSpan[]> {
    const sink = new IssueSink();
    if (this._ended) {
      sink.add('SKIPPED', `push after end(): ${events.length} events not mapped`);
      return { value: [], issues: sink.issues };
    }
    for (const raw of events) {
      const item = toMergeItem(raw, this._seq++, sink);
      if (item !== undefined && item !== 'sdk-log') this._add(item, sink);
    }
    const spans: ReadableSpan[] = [];
    for (const [key, group] of this._groups) {
      if (this._seq - group.last < this._idleEvents) break; // the rest were touched later
      this._close(key, group, spans, sink);
    }
    return { value: spans, issues: sink.issues };
  }

  /**
   * Emits every open trace now and goes on taking events (a receiver that went quiet). Events
   * for those traces that come later are late: see `idleEvents`.
   */
  flush(): MappingResult<ReadableSpan[]> {
    const sink = new IssueSink();
    const spans: ReadableSpan[] = [];
    if (!this._ended) for (const [key, group] of this._groups) this._close(key, group, spans, sink);
    return { value: spans, issues: sink.issues };
  }

  /** Emits every open trace. The stream takes no more events afterwards. */
  end(): MappingResult<ReadableSpan[]> {
    const sink = new IssueSink();
    const spans: ReadableSpan[] = [];
    if (!this._ended) for (const [key, group] of this._groups) this._close(key, group, spans, sink);
    this._ended = true;
    return { value: spans, issues: sink.issues };
  }

  private _add(item: MergeItem, sink: IssueSink): void {
    const key = this._keyOf(item);
    let group = this._groups.get(key);
    if (group === undefined) {
      const late = this._closed.has(key) || (item.entity === 'observation' && this._sent.has(item.body.id as string));
      group = { items: [], last: 0, observationIds: [], late };
    } else this._groups.delete(key); // re-inserted below: now the most recently touched
    if (group.late) {
      const message = `${item.event.type} arrived after its trace was emitted (idleEvents ${this._idleEvents}); sent under the same root, merged only with the events after it`;
      sink.forItem({ eventId: item.event.id }).add('LATE_EVENT', message);
    }
    this._groups.set(key, group);
    group.items.push(item);
    group.last = this._seq;
    if (item.entity === 'observation') {
      const id = item.body.id as string;
      if (!this._observationGroup.has(id)) {
        this._observationGroup.set(id, key);
        group.observationIds.push(id);
      }
    }
  }

  /** The group an event belongs to: its trace when named, else the group already holding its entity. */
  private _keyOf(item: MergeItem): string {
    const body = item.body;
    const id = body.id as string;
    const traceId = typeof body.traceId === 'string' && body.traceId !== '' ? body.traceId : undefined;
    if (item.entity === 'trace') return traceKey(id);
    if (item.entity === 'score') {
      if (traceId !== undefined) return traceKey(traceId);
      const target = typeof body.observationId === 'string' ? this._observationGroup.get(body.observationId) : undefined;
      return target ?? scoreKey(id);
    }
    const held = this._observationGroup.get(id);
    if (held === undefined) return traceId === undefined ? observationKey(id) : traceKey(traceId);
    if (traceId === undefined || !held.startsWith('o:')) return held;
    // Its trace is known now: the updates that came first join the trace's group.
    this._moveGroup(held, traceKey(traceId));
    return traceKey(traceId);
  }

  private _moveGroup(from: string, to: string): void {
    const source = this._groups.get(from);
    if (source === undefined) return;
    this._groups.delete(from);
    const target = this._groups.get(to);
    if (target === undefined) {
      this._groups.set(to, { ...source, late: source.late || this._closed.has(to) });
    } else {
      target.items.push(...source.items);
      target.observationIds.push(...source.observationIds);
      target.last = Math.max(target.last, source.last);
    }
    for (const id of source.observationIds) this._observationGroup.set(id, to);
  }

  private _close(key: string, group: Group, out: ReadableSpan[], sink: IssueSink): void {
    this._groups.delete(key);
    // A trace whose root went out before: later observations hang under it, later trace fields
    // become a trace-update span.
    const rootsSent = key.startsWith('t:') && this._closed.has(key) ? new Set([key.slice(2)]) : undefined;
    for (const id of group.observationIds) this._observationGroup.delete(id);
    this._remember(key);
    const mergeSink = new IssueSink();
    const merged = mergeItems(group.items, mergeSink);
    // A late update of an observation already sent: it goes out again under the same span id,
    // with the identity the first one had (start, name, parent), so the two read as one span and
    // Langfuse's OTLP endpoint merges them into one observation.
    const completed = new Set<string>();
    for (const obs of merged.observations.values()) {
      const first = this._sent.get(obs.id);
      if (first !== undefined && !obs.hasCreate) {
        obs.body.startTime = first.startTime; // immutable: the first event's
        for (const field of ['name', 'parentObservationId', 'traceId']) obs.body[field] ??= first[field];
        for (const id of obs.eventIds) completed.add(id);
      }
      this._sent.delete(obs.id);
      this._sent.set(obs.id, identityOf(obs.body));
      if (this._sent.size > this._remembered) this._sent.delete(this._sent.keys().next().value as string);
    }
    for (const issue of mergeSink.issues) {
      const known = issue.code === 'INVALID_VALUE' && issue.path === undefined && completed.has(issue.eventId ?? '');
      if (!known) sink.issues.push(issue);
    }
    const sentBefore = (id: string): boolean => this._sent.has(id);
    for (const span of spansFromMerged(merged, { ...this._base, sink }, rootsSent, sentBefore)) out.push(span);
  }

  private _remember(key: string): void {
    this._closed.delete(key);
    this._closed.add(key);
    if (this._closed.size > this._remembered) {
      const oldest = this._closed.values().next();
      if (oldest.done !== true) this._closed.delete(oldest.value);
    }
  }
}
