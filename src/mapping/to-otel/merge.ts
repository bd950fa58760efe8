/**
 * Steps 1 and 2 of the reverse mapping (design.md §6): validate each ingestion event on its own,
 * then merge the events of each entity the way Langfuse's worker does (langfuse-ingestion.md §4.4;
 * IngestionService `toTimeSortedEventList`, `overwriteObject`, `mapObservationEventsToRecords` at
 * langfuse `62751446`). Where we knowingly differ from the worker, the comment says so.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { isPlainObject } from '../json.js';
import type { IssueSink } from '../result.js';
import { checkIngestionEvent, INGESTION_EVENT_TYPES } from '../schema.js';
import type { IngestionEvent, ObservationType } from '../schema.js';
import { compareHrTime, isoToHrTime } from '../time.js';
import type { MergedObservation, MergedScore, MergedTrace, MergeResult } from './types.js';

/** A validated event waiting to be merged, with its sort key. */
export interface MergeItem {
  readonly event: IngestionEvent;
  readonly body: Record<string, unknown>;
  /** What kind of entity the event touches; `body.id` names it. */
  readonly entity: Entity;
  /** Envelope timestamp; seconds may be negative for the out-of-range fallback of {@link sortTime}. */
  readonly time: HrTime;
  readonly isCreate: boolean;
  /** Position in the input: the last tie-break (only exact duplicates get that far). Set by whoever orders the input. */
  index: number;
  /**
   * Resource attributes of the client that sent the event, when one input mixes clients (a
   * receiver): the spans of the entity it creates carry them. Absent: the context's resource.
   */
  readonly resource?: Attributes;
}

export type Entity = 'trace' | 'observation' | 'score';

/** The observation type each event type implies; the legacy observation-* events carry it in `body.type`. */
const IMPLIED_TYPE: Readonly<Record<string, ObservationType>> = {
  'span-create': 'SPAN',
  'span-update': 'SPAN',
  'generation-create': 'GENERATION',
  'generation-update': 'GENERATION',
  'event-create': 'EVENT',
  'agent-create': 'AGENT',
  'tool-create': 'TOOL',
  'chain-create': 'CHAIN',
  'retriever-create': 'RETRIEVER',
  'evaluator-create': 'EVALUATOR',
  'embedding-create': 'EMBEDDING',
  'guardrail-create': 'GUARDRAIL',
};
const KNOWN_TYPES: ReadonlySet<string> = new Set(INGESTION_EVENT_TYPES);

interface FieldRules {
  /** Keep the first non-null value (the worker's `immutableEntityKeys`). */
  readonly immutable: ReadonlySet<string>;
  /** The worker maps `null` to `undefined` before merging these, so `null` never overwrites. */
  readonly nullIsAbsent: ReadonlySet<string>;
  /** `tags` is a sorted union (traces only: observation bodies have no such field). */
  readonly unionTags: boolean;
}

const TRACE_RULES: FieldRules = {
  immutable: new Set(['id', 'timestamp', 'environment']),
  nullIsAbsent: new Set(),
  unionTags: true,
};
const OBSERVATION_RULES: FieldRules = {
  immutable: new Set(['id', 'traceId', 'startTime', 'environment']),
  // In the worker's mapObservationEventsToRecords: the first three are `?? undefined`, the next
  // three are copied only when truthy, the last three become `{}`, which never overwrites.
  nullIsAbsent: new Set([
    ...['statusMessage', 'parentObservationId', 'version'],
    ...['endTime', 'completionStartTime', 'modelParameters'],
    ...['usage', 'usageDetails', 'costDetails'],
  ]),
  unionTags: false,
};

/**
 * Validates every raw ingestion event on its own and merges the valid ones per entity with
 * Langfuse's rules (langfuse-ingestion.md §4.4). Pure and total: never throws, and the order of
 * `rawEvents` changes only the order of the output maps and of `scores` (first appearance),
 * never their contents.
 *
 * Issues (stamped with the envelope id): `SCHEMA_VIOLATION` for an event failing validation,
 * `UNSUPPORTED_EVENT` for `dataset-run-item-create` and unknown types, `INVALID_ID` for a
 * trace/score/legacy observation event without `body.id` (Langfuse acknowledges and skips it),
 * `INVALID_TIME` for an envelope timestamp outside the OTLP range, `INVALID_VALUE` for an
 * observation with only updates or with events implying different types. `sdk-log` is only counted.
 */
export function mergeEvents(rawEvents: readonly unknown[], sink: IssueSink): MergeResult {
  const items: MergeItem[] = [];
  let sdkLogs = 0;
  for (let index = 0; index < rawEvents.length; index++) {
    const item = toMergeItem(rawEvents[index], index, sink);
    if (item === 'sdk-log') sdkLogs++;
    else if (item !== undefined) items.push(item);
  }
  return { ...mergeItems(items, sink), sdkLogs };
}

/**
 * Step 1 for one raw event: validated and given its sort key, or `undefined` with an issue, or
 * `'sdk-log'` (counted, never merged). `index` is the event's position in the whole input.
 * `fromJson`: `raw` is what `JSON.parse` made, owned by the caller: a valid event is used as it
 * is, not copied (the same values; the key order of its objects is never read).
 */
export function toMergeItem(
  raw: unknown,
  index: number,
  sink: IssueSink,
  resource?: Attributes,
  fromJson = false,
): MergeItem | 'sdk-log' | undefined {
  const parsed = checkIngestionEvent(raw, fromJson);
  if (!parsed.ok) {
    reportInvalid(raw, parsed.message, sink.forItem({ eventId: parsed.id }));
    return undefined;
  }
  const { event } = parsed;
  if (event.type === 'sdk-log') return 'sdk-log';
  const entity = entityOf(event.type);
  if (entity === undefined) {
    sink.forItem({ eventId: event.id }).add('UNSUPPORTED_EVENT', `event type ${event.type} is not carried over`, 'type');
    return undefined;
  }
  const body = event.body as Record<string, unknown>;
  if (typeof body.id !== 'string') {
    const message = `${event.type} without body.id: Langfuse acknowledges it but never processes it; dropped`;
    sink.forItem({ eventId: event.id }).add('INVALID_ID', message, 'body.id');
    return undefined;
  }
  // Its issue sink made only when the time needs one (most events have no issue).
  const time = isoToHrTime(event.timestamp) ?? sortTime(event.timestamp, sink.forItem({ eventId: event.id }));
  const isCreate = event.type.endsWith('-create');
  return resource === undefined ? { event, body, entity, time, isCreate, index } : { event, body, entity, time, isCreate, index, resource };
}

/**
 * Step 2: merges validated events per entity. Output maps are in order of each entity's first
 * item in `items`; `sdkLogs` is left to the caller.
 */
export function mergeItems(items: readonly MergeItem[], sink: IssueSink): Omit<MergeResult, 'sdkLogs'> {
  const groups: Record<Entity, Map<string, MergeItem[]>> = {
    trace: new Map(),
    observation: new Map(),
    score: NO_SCORES,
  };
  for (const item of items) {
    const id = item.body.id as string;
    if (item.entity === 'score' && groups.score === NO_SCORES) groups.score = new Map();
    const group = groups[item.entity].get(id);
    if (group === undefined) groups[item.entity].set(id, [item]);
    else group.push(item);
  }

  // Map insertion order is the order of each entity's first event in the input (first appearance).
  const traces = new Map<string, MergedTrace>();
  for (const [id, group] of groups.trace) {
    group.sort(byMergeOrder);
    const body = mergeBodies(group, TRACE_RULES);
    const eventIds = group.map((i) => i.event.id);
    // Without a body timestamp, the trace's time is its first envelope's (as Langfuse does).
    const trace: MergedTrace =
      body.timestamp === undefined ? { id, body, eventIds, envelopeTimestamp: (group[0] as MergeItem).event.timestamp } : { id, body, eventIds };
    traces.set(id, withResource(trace, group));
  }
  const observations = new Map<string, MergedObservation>();
  for (const [id, group] of groups.observation) {
    observations.set(id, mergeObservation(id, group.sort(byMergeOrder), sink));
  }
  // Scores are not merged: the last score-create per body.id (in merge order) replaces the others.
  const scores: MergedScore[] = [];
  for (const group of groups.score.values()) {
    const last = group.sort(byMergeOrder)[group.length - 1] as MergeItem;
    scores.push({ eventId: last.event.id, timestamp: last.event.timestamp, body: last.body });
  }
  return { traces, observations, scores };
}

/** The score groups of items without a score (never written to). */
const NO_SCORES: Map<string, MergeItem[]> = new Map();

function entityOf(type: IngestionEvent['type']): Entity | undefined {
  if (type === 'trace-create') return 'trace';
  if (type === 'score-create') return 'score';
  if (type === 'observation-create' || type === 'observation-update' || type in IMPLIED_TYPE) return 'observation';
  return undefined;
}

/** Unknown types and dataset-run-item-create fail validation too, but are reported as unsupported. */
function reportInvalid(raw: unknown, message: string, sink: IssueSink): void {
  let type: unknown;
  try {
    type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  } catch {
    type = undefined; // a throwing getter: treat as a plain schema violation
  }
  if (type === 'dataset-run-item-create') {
    const message = 'dataset-run-item-create is internal to Langfuse (its public API refuses it); not carried over';
    sink.add('UNSUPPORTED_EVENT', message, 'type');
  } else if (typeof type === 'string' && !KNOWN_TYPES.has(type)) {
    sink.add('UNSUPPORTED_EVENT', `unknown event type ${JSON.stringify(type.slice(0, 100))}; not carried over`, 'type');
  } else {
    sink.add('SCHEMA_VIOLATION', message);
  }
}

/**
 * The exact envelope time. A schema-valid timestamp can still lie outside the OTLP range (before
 * 1970, very long fractions): it is then ordered by its millisecond value, as the worker orders
 * everything (`new Date(ts).getTime()`).
 */
function sortTime(timestamp: string, sink: IssueSink): HrTime {
  const parsed = isoToHrTime(timestamp);
  if (parsed !== undefined) return parsed;
  const shown = JSON.stringify(timestamp.slice(0, 64));
  sink.add('INVALID_TIME', `envelope timestamp ${shown} is outside the OTLP range; ordered by its milliseconds`, 'timestamp');
  const ms = Date.parse(timestamp);
  if (!Number.isFinite(ms)) return [Number.MIN_SAFE_INTEGER, 0];
  const seconds = Math.floor(ms / 1000);
  return [seconds, (ms - seconds * 1000) * 1_000_000];
}

/**
 * Envelope time, then creates before updates (the worker's order), then envelope id, then input
 * position. The envelope id replaces the worker's arrival order on ties so that shuffling the input
 * cannot change the result; only two events with the same id, time and kind keep input order.
 */
function byMergeOrder(a: MergeItem, b: MergeItem): number {
  return (
    compareHrTime(a.time, b.time) ||
    Number(b.isCreate) - Number(a.isCreate) ||
    byBodyTime(a, b) ||
    (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0) ||
    a.index - b.index
  );
}

/**
 * On a tie, the event with the earlier body time first: the first event fixes the immutable trace
 * `timestamp` / observation `startTime`, and the real v3 client re-sends `timestamp: now` with
 * every `trace.update()` at the same millisecond as the original (a coin toss on random ids).
 */
function byBodyTime(a: MergeItem, b: MergeItem): number {
  const ta = bodyTime(a);
  const tb = bodyTime(b);
  if (ta === undefined || tb === undefined) return ta === tb ? 0 : ta === undefined ? 1 : -1;
  return compareHrTime(ta, tb);
}

function bodyTime(item: MergeItem): HrTime | undefined {
  const v = item.body.timestamp ?? item.body.startTime;
  return typeof v === 'string' ? isoToHrTime(v) : undefined;
}

function mergeObservation(id: string, items: readonly MergeItem[], sink: IssueSink): MergedObservation {
  const create = items.find((i) => i.isCreate);
  const decider = create ?? (items[0] as MergeItem);
  const type = impliedType(decider.event);
  if (create === undefined) {
    sink.forItem({ eventId: decider.event.id }).add('INVALID_VALUE', 'update without a create: merged on its own');
  }
  for (const { event } of items) {
    const implied = impliedType(event);
    if (implied !== type) {
      const what = `observation ${JSON.stringify(id.slice(0, 100))}`;
      const message = `${event.type} implies ${implied}, but ${decider.event.type} made ${what} a ${type}; kept ${type}`;
      sink.forItem({ eventId: event.id }).add('INVALID_VALUE', message, 'type');
    }
  }
  const body = mergeBodies(items, OBSERVATION_RULES);
  // The worker's start_time is `body.startTime ?? envelope timestamp`.
  if (body.startTime === undefined) body.startTime = (items[0] as MergeItem).event.timestamp;
  const merged = { id, type, body, hasCreate: create !== undefined, eventIds: items.map((i) => i.event.id) };
  // The resource of the client that created it, else of the first event that has one.
  return withResource(create?.resource === undefined ? merged : withKey(merged, 'resource', create.resource), items);
}

/** The entity with the resource of the first of `items` that has one (none, or the entity has one: unchanged). */
function withResource<T extends object>(entity: T & { resource?: Attributes }, items: readonly MergeItem[]): T & { resource?: Attributes } {
  if (entity.resource !== undefined) return entity;
  for (const item of items) if (item.resource !== undefined) return withKey(entity, 'resource', item.resource);
  return entity;
}

/**
 * `{ ...object, [key]: value }` by `Object.assign`: V8 takes a slow path for a spread followed by
 * a key the object does not have (about a microsecond, and an object slower to read after).
 */
function withKey<T extends object>(object: T, key: string, value: unknown): T {
  return Object.assign({}, object, { [key]: value });
}

/** `{ ...object }` by `Object.assign` (see {@link withKey}); a `__proto__` own key, which assign would take for the prototype, the spread's way. */
function ownCopy(object: Record<string, unknown>): Record<string, unknown> {
  return Object.hasOwn(object, '__proto__') ? { ...object } : Object.assign({}, object);
}

function impliedType(event: IngestionEvent): ObservationType {
  if (event.type === 'observation-create' || event.type === 'observation-update') return event.body.type;
  return IMPLIED_TYPE[event.type] ?? 'SPAN';
}

/** Applies the bodies in merge order; values are shared with the events, never copied. */
function mergeBodies(items: readonly MergeItem[], rules: FieldRules): Record<string, unknown> {
  // The first body, when no rule drops or changes any of its fields, is what the rules make of it
  // on an empty object: a copy, by Object.assign (far cheaper than a store per field, and an
  // object of the body's own shape).
  const first = items[0]?.body;
  const copied = first !== undefined && mergesAsCopy(first, rules);
  const merged: Record<string, unknown> = copied ? Object.assign({}, first) : {};
  // Validation refuses `__proto__` keys, so plain assignment cannot reach a prototype. Own keys
  // in order, as Object.keys lists them (a validated body is a plain object), without its array.
  for (let i = copied ? 1 : 0; i < items.length; i++) {
    const body = (items[i] as MergeItem).body;
    for (const key in body) if (Object.hasOwn(body, key)) applyField(merged, key, body[key], rules);
  }
  return merged;
}

/**
 * Whether {@link applyField} of every field of `body` onto an empty object copies each as it is:
 * no value is undefined or null (dropped by some rules), it has no tags to union (sorted, copied)
 * and no `__proto__` key (which Object.assign would take for the prototype).
 */
function mergesAsCopy(body: Record<string, unknown>, rules: FieldRules): boolean {
  if (Object.hasOwn(body, '__proto__') || (rules.unionTags && Object.hasOwn(body, 'tags'))) return false;
  for (const key in body) {
    if (!Object.hasOwn(body, key)) continue;
    const value = body[key];
    if (value === undefined || value === null) return false;
  }
  return true;
}

/** One field of `overwriteObject` (langfuse-ingestion.md §4.4): later wins, with these exceptions. */
function applyField(merged: Record<string, unknown>, key: string, value: unknown, rules: FieldRules): void {
  if (value === undefined || (value === null && rules.nullIsAbsent.has(key))) return;
  const current = merged[key];
  if (key === 'input' || key === 'output') {
    // Last truthy value (the worker searches backwards for one). A falsy value only fills a gap,
    // where the worker would store nothing: a bridge keeps it.
    if (value || !current) merged[key] = value;
  } else if (key === 'metadata') {
    // `null` metadata becomes `{}` in the worker: no change.
    if (value !== null) merged[key] = mergeMetadata(current, value);
  } else if (key === 'tags' && rules.unionTags) {
    if (Array.isArray(value)) merged[key] = unionTags(current, value);
  } else if (isEmptyContainer(value)) {
    // An empty object (or array) never overwrites, but fills a missing key, as lodash's mergeWith does.
    if (current === undefined) merged[key] = value;
  } else if (rules.immutable.has(key)) {
    if (current === undefined && value !== null) merged[key] = value;
  } else {
    merged[key] = value; // explicit null included
  }
}

function mergeMetadata(current: unknown, next: unknown): unknown {
  if (current === undefined) return next;
  if (isPlainObject(current) && isPlainObject(next)) return deepMerge(current, next);
  return isEmptyContainer(next) ? current : next;
}

/** Objects merge recursively, anything else (arrays included) is a leaf the later value replaces. */
function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = ownCopy(a);
  for (const key of Object.keys(b)) {
    const [x, y] = [out[key], b[key]];
    if (y !== undefined) out[key] = isPlainObject(x) && isPlainObject(y) ? deepMerge(x, y) : y;
  }
  return out;
}

function unionTags(current: unknown, next: readonly unknown[]): string[] {
  const all = new Set<string>(Array.isArray(current) ? (current as string[]) : []);
  for (const tag of next) if (typeof tag === 'string') all.add(tag);
  return [...all].sort(); // code-unit order, as the worker's Array.prototype.sort()
}

/** The worker's test: a non-null object without own enumerable keys (`{}`, `[]`). */
function isEmptyContainer(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    // Object.keys(value).length === 0, without the array of keys.
    for (const key in value) if (Object.hasOwn(value, key)) return false;
    return true;
  } catch {
    return false; // a hostile proxy: treat as a value
  }
}
