/**
 * The assembler: events from the spool, grouped per trace whatever client or request they came
 * in, held until the trace is complete, then handed on as spans (design.md 9).
 *
 * A trace goes out once it has been quiet for `quietMillis` and every observation in it has ended.
 * An observation still open waits up to `maxHoldMillis` from the trace's first event, then goes
 * out marked incomplete. Memory is bounded: past `maxHeldBytes`, the least recently touched traces
 * go out early (marked), never dropped. Time is passed in by the caller (the receive time of the
 * records being read, or the clock once caught up), so a replay after a restart closes traces as
 * the first run would have.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AttrList } from '../../mapping/attr-list.js';
import { LF } from '../../mapping/keys.js';
import type { MappingIssue } from '../../mapping/result.js';
import { IssueSink } from '../../mapping/result.js';
import type { IngestionEvent } from '../../mapping/schema.js';
import { toReadableSpan } from '../../mapping/span-record.js';
import type { SpanRecord } from '../../mapping/span-record.js';
import type { Context } from '../../mapping/to-otel/index.js';
import type { MergeItem } from '../../mapping/to-otel/merge.js';
import type { GroupState, TraceGroup } from '../../mapping/to-otel/trace-groups.js';
import { TraceGroups } from '../../mapping/to-otel/trace-groups.js';
import type { RecordRef } from '../spool/types.js';
import type { DoneMarks } from './done-marks.js';
import { addDone, joinDone } from './done-marks.js';

/** One event as the assembler takes it: validated, with where it is spooled. */
export interface HeldEvent {
  readonly item: MergeItem;
  readonly ref: RecordRef;
  /** Its dedupe key in the spool, and the key's hash (`hashKeys`: hi, lo). */
  readonly key: string;
  readonly hi: number;
  readonly lo: number;
  /** Its share of the request's bytes (what the memory bound counts). */
  readonly bytes: number;
}

/** Why a trace left before it was quiet and complete. */
export type EarlyReason = 'max_hold' | 'memory' | 'shutdown';

function markEarly(record: SpanRecord, early: EarlyReason): void {
  if (record.attributes instanceof AttrList) record.attributes.set(LF.bridgeFlushedEarly, early);
  else (record.attributes as Record<string, unknown>)[LF.bridgeFlushedEarly] = early;
}

/** A closed trace on its way to the forwarder. */
export interface Emission {
  readonly spans: ReadableSpan[];
  /** The spooled events this emission completes, per record. */
  readonly done: DoneMarks;
  /** The ingestion events behind the spans (what a dead-letter file keeps). */
  readonly events: readonly IngestionEvent[];
  readonly bytes: number;
  /** The partition it came from (a forwarding route: one key pair for Langfuse, '' otherwise). */
  readonly route: string;
}

export interface AssemblerOptions {
  /** The reverse mapping's context (attribute dialect, hygiene, resources). */
  readonly context: Context;
  readonly quietMillis: number;
  readonly maxHoldMillis: number;
  readonly maxHeldBytes: number;
  /** Closed traces remembered to recognise late events. */
  readonly rememberedTraces: number;
  /** Takes every closed trace. */
  readonly emit: (emission: Emission) => void;
  /** Takes the mapping's issues (late events, unknown parents, cuts ...). */
  readonly issues: (issues: readonly MappingIssue[]) => void;
}

interface Held {
  firstAt: number;
  lastAt: number;
  bytes: number;
  /** Observation id -> whether it has ended. */
  readonly ended: Map<string, boolean>;
  open: number;
  readonly done: DoneMarks;
}

const HELD_STATE: GroupState<Held> = {
  create: () => ({ firstAt: Number.POSITIVE_INFINITY, lastAt: 0, bytes: 0, ended: new Map(), open: 0, done: new Map() }),
  join(into, from) {
    into.firstAt = Math.min(into.firstAt, from.firstAt);
    into.lastAt = Math.max(into.lastAt, from.lastAt);
    into.bytes += from.bytes;
    for (const [id, ended] of from.ended) setEnded(into, id, ended);
    joinDone(into.done, from.done);
  },
};

/** Records an observation's state; an ended observation stays ended. */
function setEnded(held: Held, id: string, ended: boolean): void {
  const before = held.ended.get(id);
  if (before === true) return;
  if (before === undefined && !ended) held.open++;
  if (before === false && ended) held.open--;
  held.ended.set(id, ended);
}

/** An event that ends its observation: one with an end time, or an event (which has no duration). */
function ends(item: MergeItem): boolean {
  const { body, event } = item;
  if (typeof body.endTime === 'string' && body.endTime !== '') return true;
  return event.type === 'event-create' || body.type === 'EVENT';
}

export class Assembler {
  private readonly _options: AssemblerOptions;
  private readonly _partitions = new Map<string, TraceGroups<Held>>();
  private _bytes = 0;
  private _seq = 0;

  constructor(options: AssemblerOptions) {
    this._options = options;
  }

  /** Bytes of the events held (the request bytes they came in). */
  get heldBytes(): number {
    return this._bytes;
  }

  get heldTraces(): number {
    let n = 0;
    for (const groups of this._partitions.values()) n += groups.size;
    return n;
  }

  get heldEvents(): number {
    let n = 0;
    for (const groups of this._partitions.values()) n += groups.openEvents;
    return n;
  }

  /** Adds the events of one record, received at `at` (ms), to their traces. */
  add(events: readonly HeldEvent[], at: number, route = ''): void {
    const groups = this._partition(route);
    const sink = new IssueSink();
    for (const e of events) {
      e.item.index = this._seq++;
      const key = groups.add(e.item, sink);
      const held = (groups.get(key) as TraceGroup<Held>).state;
      held.firstAt = Math.min(held.firstAt, at);
      held.lastAt = Math.max(held.lastAt, at);
      held.bytes += e.bytes;
      this._bytes += e.bytes;
      if (e.item.entity === 'observation') setEnded(held, e.item.body.id as string, ends(e.item));
      addDone(held.done, e.ref, e.key, e.hi, e.lo);
    }
    if (sink.issues.length > 0) this._options.issues(sink.issues);
  }

  /**
   * Sends on what is due at `now`: traces quiet for `quietMillis` and complete, or held past
   * `maxHoldMillis`; then, while over `maxHeldBytes`, the least recently touched. Closes at most
   * `limit` traces (mapping them is the receiver's heaviest synchronous work, so the caller slices
   * it between requests); true when more may be due.
   */
  tick(now: number, limit = Number.POSITIVE_INFINITY): boolean {
    const { quietMillis, maxHoldMillis } = this._options;
    let closed = 0;
    for (const [route, groups] of this._partitions) {
      for (const [key, group] of groups.entries()) {
        if (closed >= limit) return true;
        const held = group.state;
        if (now - held.lastAt < quietMillis) break; // the rest were touched later
        if (held.open === 0) this._close(route, groups, key, undefined);
        else if (now - held.firstAt >= maxHoldMillis) this._close(route, groups, key, 'max_hold');
        else continue;
        closed++;
      }
    }
    while (this._bytes > this._options.maxHeldBytes) {
      if (closed++ >= limit) return true;
      const oldest = this._oldest();
      if (oldest === undefined) break;
      this._close(oldest.route, oldest.groups, oldest.key, 'memory');
    }
    return false;
  }

  /** Sends on everything held (a flush, a shutdown); traces with observations still open are marked. */
  flush(): void {
    for (const [route, groups] of this._partitions) {
      for (const [key, group] of groups.entries()) this._close(route, groups, key, group.state.open === 0 ? undefined : 'shutdown');
    }
  }

  private _partition(route: string): TraceGroups<Held> {
    let groups = this._partitions.get(route);
    if (groups === undefined) {
      const o = this._options;
      groups = new TraceGroups(o.context, HELD_STATE, o.rememberedTraces, `(held by the receiver: quiet ${o.quietMillis} ms)`);
      this._partitions.set(route, groups);
    }
    return groups;
  }

  /** The least recently touched trace over all partitions. */
  private _oldest(): { route: string; groups: TraceGroups<Held>; key: string } | undefined {
    let best: { route: string; groups: TraceGroups<Held>; key: string; lastAt: number } | undefined;
    for (const [route, groups] of this._partitions) {
      const first = groups.entries().next();
      if (first.done === true) continue;
      const [key, group] = first.value;
      if (best === undefined || group.state.lastAt < best.lastAt) best = { route, groups, key, lastAt: group.state.lastAt };
    }
    return best;
  }

  private _close(route: string, groups: TraceGroups<Held>, key: string, early: EarlyReason | undefined): void {
    const group = groups.get(key);
    if (group === undefined) return;
    const records: SpanRecord[] = [];
    const sink = new IssueSink();
    groups.closeRecords(key, records, sink);
    this._bytes -= group.state.bytes;
    const spans: ReadableSpan[] = [];
    for (const record of records) {
      if (early !== undefined) markEarly(record, early);
      spans.push(toReadableSpan(record));
    }
    if (sink.issues.length > 0) this._options.issues(sink.issues);
    this._options.emit({
      spans,
      done: group.state.done,
      events: group.items.map((i) => i.event),
      bytes: group.state.bytes,
      route,
    });
  }
}
