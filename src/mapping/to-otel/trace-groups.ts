/**
 * The events of open traces, grouped per trace, and what a trace's spans are when it is closed:
 * the core shared by every streaming use of the reverse mapping (IngestionSpanStream closes a trace
 * after a number of events, the receiver's assembler after a quiet time). Pure: which trace closes
 * when is the caller's decision; this class only groups, closes and remembers.
 *
 * - An observation event without a `traceId` waits in a group of its own until an event names its
 *   trace, then joins the trace's group (the v3 client sends updates without one).
 * - An event for a trace (or observation) already closed is late: it opens a new group whose spans
 *   hang under the root already sent; late trace fields become a `langfuse.bridge.trace_update`
 *   span; a late update of an observation already sent goes out again under the same span id with
 *   the identity (start, name, parent) the first one had, so the two read as one span.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { IssueSink } from '../result.js';
import { toReadableSpan } from '../span-record.js';
import type { SpanRecord } from '../span-record.js';
import type { Context } from './index.js';
import { spanRecordsFromMerged } from './index.js';
import type { MergeItem } from './merge.js';
import { mergeItems } from './merge.js';
import { IDENTITY_FIELDS, packedIdentityOf, unpackIdentity } from './identity.js';
import type { PackedIdentity } from './identity.js';
import { RecentMap, RecentSet } from './recent.js';

/** The events of one trace (or of an entity whose trace is not known yet) waiting to be merged. */
export interface TraceGroup<S> {
  readonly items: MergeItem[];
  /** Observations whose events are here, so that updates without a `traceId` find them. */
  readonly observationIds: string[];
  /** Opened for a trace (or observation) already closed: every event in it is late. */
  readonly late: boolean;
  /** The caller's bookkeeping (last event number, times, bytes ...). */
  readonly state: S;
  /** When it was last (re)inserted, in {@link TraceGroups}' count of insertions: where it stands in their order. */
  inserted: number;
}

/** How the caller's bookkeeping starts and combines. */
export interface GroupState<S> {
  create(): S;
  /** `from` joins `into`: the updates of an observation that came before its trace was known. */
  join(into: S, from: S): void;
}

/** An open group and its key. */
export interface OpenGroup<S> {
  readonly key: string;
  readonly group: TraceGroup<S>;
}

/** What a late event's issue says about why its trace had already gone out. */
export type LateReason = string;

const traceKey = (id: string): string => `t:${id}`;
const observationKey = (id: string): string => `o:${id}`;
const scoreKey = (id: string): string => `s:${id}`;

/** The Langfuse trace id of a group key, when the group is a trace's. */
export function traceIdOfKey(key: string): string | undefined {
  return key.startsWith('t:') ? key.slice(2) : undefined;
}

export class TraceGroups<S> {
  private readonly _base: Context;
  private readonly _state: GroupState<S>;
  private readonly _lateReason: LateReason;
  /** Open groups, least recently touched first (a Map keeps insertion order; a touch re-inserts). */
  private readonly _groups = new Map<string, TraceGroup<S>>();
  /** Observation id -> key of the open group holding its events. */
  private readonly _observationGroup = new Map<string, string>();
  /** Keys of closed groups, the last `remembered` closed. */
  private readonly _closed: RecentSet<string>;
  /** Observations already sent (their identity fields), bounded like `_closed`. */
  private readonly _sent: RecentMap<string, PackedIdentity>;
  private _events = 0;
  /** Insertions into `_groups` so far. */
  private _insertions = 0;
  /**
   * Where {@link oldest} stopped: an iterator of `_groups` and the entry it gave last (with the
   * group's insertion number then), which every open group is at or after. Made at the first
   * call: a Map iterator holds the table it last read, and V8 keeps every table the Map has had
   * since (each with the entries it held) for it until it reads again, so an iterator never read
   * again (a user of this class that does not call `oldest`, such as the receiver's assembler)
   * would keep every group ever closed.
   */
  private _cursor: IterableIterator<[string, TraceGroup<S>]> | undefined;
  private _cursorEntry: (OpenGroup<S> & { readonly inserted: number }) | undefined;

  /**
   * @param remembered how many closed groups and sent observations are remembered to recognise
   *   late events (bounded memory).
   * @param lateReason the end of a late event's issue message, e.g. `(idleEvents 100)`.
   */
  constructor(base: Context, state: GroupState<S>, remembered: number, lateReason: LateReason) {
    this._base = base;
    this._state = state;
    this._closed = new RecentSet(remembered);
    this._sent = new RecentMap(remembered);
    this._lateReason = lateReason;
  }

  /** Events held in open groups. */
  get openEvents(): number {
    return this._events;
  }

  get size(): number {
    return this._groups.size;
  }

  /** Open groups, least recently touched first. Closing the one visited is allowed while iterating. */
  entries(): IterableIterator<[string, TraceGroup<S>]> {
    return this._groups.entries();
  }

  /**
   * The least recently touched open group: the first of {@link entries}, without a walk from the
   * start of the `Map` each time (V8 leaves the entries of deleted keys in its table until it is
   * rebuilt, and the groups closed and touched leave thousands there: see RecentMap). One iterator
   * goes on from where it stopped: every entry before it is of a group closed or touched (moved to
   * the end) since, and the entry it stopped at is still the first while its group is open and was
   * not touched since.
   */
  oldest(): OpenGroup<S> | undefined {
    for (;;) {
      let entry = this._cursorEntry;
      if (entry === undefined) {
        this._cursor ??= this._groups.entries();
        let next = this._cursor.next();
        if (next.done === true) {
          // An iterator that has ended stays ended, even when keys come after: a new one.
          this._cursor = this._groups.entries();
          next = this._cursor.next();
          if (next.done === true) return undefined;
        }
        const [key, group] = next.value;
        entry = this._cursorEntry = { key, group, inserted: group.inserted };
      }
      if (this._groups.get(entry.key) === entry.group && entry.group.inserted === entry.inserted) return entry;
      this._cursorEntry = undefined;
    }
  }

  get(key: string): TraceGroup<S> | undefined {
    return this._groups.get(key);
  }

  /** Adds a validated event to its group, which becomes the most recently touched; returns its key. */
  add(item: MergeItem, sink: IssueSink): string {
    return this.addToGroup(item, sink).key;
  }

  /** {@link add}, returning the group and its key. */
  addToGroup(item: MergeItem, sink: IssueSink): OpenGroup<S> {
    const key = this._keyOf(item);
    let group = this._groups.get(key);
    if (group === undefined) {
      const late = this._closed.has(key) || (item.entity === 'observation' && this._sent.has(item.body.id as string));
      group = { items: [], observationIds: [], late, state: this._state.create(), inserted: 0 };
    } else this._groups.delete(key); // re-inserted below: now the most recently touched
    if (group.late) {
      const message = `${item.event.type} arrived after its trace was emitted ${this._lateReason}; sent under the same root, merged only with the events after it`;
      sink.forItem({ eventId: item.event.id }).add('LATE_EVENT', message);
    }
    group.inserted = ++this._insertions;
    this._groups.set(key, group);
    group.items.push(item);
    this._events++;
    if (item.entity === 'observation') {
      const id = item.body.id as string;
      if (!this._observationGroup.has(id)) {
        this._observationGroup.set(id, key);
        group.observationIds.push(id);
      }
    }
    return { key, group };
  }

  /** Closes a group: its spans are appended to `out`, its issues to `sink`. Unknown keys: nothing. */
  close(key: string, out: ReadableSpan[], sink: IssueSink): void {
    const records: SpanRecord[] = [];
    this.closeRecords(key, records, sink);
    for (const record of records) out.push(toReadableSpan(record));
  }

  /** {@link close}, the spans as records (what the OTLP writers take). */
  closeRecords(key: string, out: SpanRecord[], sink: IssueSink): void {
    const group = this._groups.get(key);
    if (group === undefined) return;
    this._groups.delete(key);
    this._events -= group.items.length;
    // A trace whose root went out before: later observations hang under it, later trace fields
    // become a trace-update span.
    const traceId = traceIdOfKey(key);
    // A group opened for a key not closed before (not late) is still not: only closing it adds its key.
    const closedBefore = group.late && this._closed.has(key);
    const rootsSent = traceId !== undefined && closedBefore ? new Set([traceId]) : undefined;
    for (const id of group.observationIds) this._observationGroup.delete(id);
    if (closedBefore) this._closed.add(key);
    else this._closed.addNew(key);
    const mergeSink = new IssueSink();
    const merged = mergeItems(group.items, mergeSink);
    // A late update of an observation already sent: it goes out again under the same span id,
    // with the identity the first one had (start, name, parent), so the two read as one span and
    // Langfuse's OTLP endpoint merges them into one observation.
    let completed: Set<string> | undefined;
    for (const obs of merged.observations.values()) {
      const sent = this._sent.get(obs.id);
      if (sent !== undefined && !obs.hasCreate) {
        const first = unpackIdentity(sent);
        obs.body.startTime = first.startTime; // immutable: the first event's
        for (const field of IDENTITY_FIELDS) obs.body[field] ??= first[field];
        completed ??= new Set();
        for (const id of obs.eventIds) completed.add(id);
      }
      if (sent === undefined) this._sent.setNew(obs.id, packedIdentityOf(obs.body));
      else this._sent.set(obs.id, packedIdentityOf(obs.body));
    }
    for (const issue of mergeSink.issues) {
      const known = issue.code === 'INVALID_VALUE' && issue.path === undefined && completed?.has(issue.eventId ?? '') === true;
      if (!known) sink.issues.push(issue);
    }
    const sentBefore = (id: string): boolean => this._sent.has(id);
    for (const span of spanRecordsFromMerged(merged, { ...this._base, sink }, rootsSent, sentBefore)) out.push(span);
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
      this._groups.set(to, { ...source, late: source.late || this._closed.has(to), inserted: ++this._insertions });
    } else {
      target.items.push(...source.items);
      target.observationIds.push(...source.observationIds);
      this._state.join(target.state, source.state);
    }
    for (const id of source.observationIds) this._observationGroup.set(id, to);
  }
}
