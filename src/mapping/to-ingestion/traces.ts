/**
 * The first half of the forward mapping, shared by both outputs (ingestion events and Langfuse's
 * OTLP keys): every span mapped to an observation, grouped by trace, and each trace's fields
 * merged from its spans in an order that never depends on the order the spans arrived in.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_MAX_ATTRIBUTE_BYTES } from '../attribute-bag.js';
import { syntheticRootSpanId } from '../ids.js';
import { isPlainObject } from '../json.js';
import { SCORE } from '../keys.js';
import type { IssueSink } from '../result.js';
import { compareHrTime } from '../time.js';
import type { MappedObservation } from './observation.js';
import { toObservation } from './observation.js';
import type { SpanView } from './span-view.js';
import { rawSpanId, SpanViewCache, toSpanView } from './span-view.js';
import type { CommonFields, TraceFields } from './trace-fields.js';

export interface ToIngestionOptions {
  /**
   * Write only span/generation/event types, for Langfuse servers older than v3.98.2: embeddings
   * and model-bearing agent/tool/chain/... observations become generations, the rest spans.
   * Default false.
   */
  legacyTypes?: boolean;
  /** Environment for spans that name none (`langfuse.environment`, `deployment.environment.name`). */
  environment?: string;
  /** Release for spans that name none (`langfuse.release`). */
  release?: string;
  /** Cap on one attribute string in UTF-8 bytes, larger ones are cut with a marker; 0 = off. Default 1,000,000. */
  maxAttributeBytes?: number;
}

/** One span and the observation it became. */
export interface Mapped {
  readonly obs: MappedObservation;
  /** The validated span the observation was made from (ids, times, kind, status, resource, scope). */
  readonly view: SpanView;
}

/** Langfuse rejects a trace-create whose name is longer than this (langfuse-ingestion.md 2.4). */
const MAX_TRACE_NAME_CHARS = 1000;

/**
 * Merges one member's trace fields into the trace's: name, input, output, user, session and
 * public from the first member that has them, tags joined, metadata merged (earlier members' keys
 * win).
 */
export function mergeTraceFields(into: TraceFields, from: TraceFields): void {
  if (into.name === undefined && from.name !== undefined) into.name = from.name;
  if (into.input === undefined && from.input !== undefined) into.input = from.input;
  if (into.output === undefined && from.output !== undefined) into.output = from.output;
  if (into.userId === undefined && from.userId !== undefined) into.userId = from.userId;
  if (into.sessionId === undefined && from.sessionId !== undefined) into.sessionId = from.sessionId;
  if (into.public === undefined && from.public !== undefined) into.public = from.public;
  if (from.tags) {
    // `into.tags` is always this merge's own list, never a span's.
    const tags = (into.tags ??= []);
    for (let i = 0; i < from.tags.length; i++) if (!tags.includes(from.tags[i] as string)) tags.push(from.tags[i] as string);
  }
  if (from.metadata) into.metadata = { ...from.metadata, ...into.metadata };
}

/** {@link mergeTraceFields}, then environment, release and version from the first member that has them. */
function mergeMember(into: TraceFields, common: CommonFields, m: Mapped): void {
  mergeTraceFields(into, m.obs.trace);
  const theirs = m.obs.common;
  common.environment ??= theirs.environment;
  common.release ??= theirs.release;
  common.version ??= theirs.version;
}

/** A trace-create body, its envelope timestamp, and the member that stands for the trace's root. */
export interface TraceBody {
  readonly body: Record<string, unknown>;
  readonly timestamp: string;
  /** The synthetic root or trace-update span, else the earliest root span, if any is a member. */
  readonly root: Mapped | undefined;
}

/**
 * The trace-create for one trace id: the root's fields first, then every other span's in the
 * order of `members` (sorted by {@link sortMembers}), so the result never depends on the order
 * the spans arrived in. The root is the earliest root span.
 */
export function traceBody(traceId: string, members: readonly Mapped[], sink: IssueSink): TraceBody {
  // A synthetic root made by our reverse mapping is the trace itself: it wins (so does a
  // trace-update span, which is always mapped on its own).
  let rootMapped: Mapped | undefined;
  for (let i = 0; i < members.length && rootMapped === undefined; i++) {
    const markers = (members[i] as Mapped).obs.markers;
    if (markers.syntheticRoot || markers.traceUpdate) rootMapped = members[i];
  }
  for (let i = 0; i < members.length && rootMapped === undefined; i++) if ((members[i] as Mapped).obs.isRoot) rootMapped = members[i];
  // The root's fields first, then every other member's in order.
  const fields: TraceFields = {};
  const common: CommonFields = {};
  if (rootMapped !== undefined) mergeMember(fields, common, rootMapped);
  for (let i = 0; i < members.length; i++) if (members[i] !== rootMapped) mergeMember(fields, common, members[i] as Mapped);
  const root = rootMapped?.obs;
  // Name and I/O come from the root (or explicit langfuse.trace.* keys), never from a child.
  if (root && !root.markers.syntheticRoot && !root.markers.traceUpdate) {
    fields.name ??= root.body.name as string;
    if (fields.input === undefined && root.body.input !== undefined) fields.input = root.body.input;
    if (fields.output === undefined && root.body.output !== undefined) fields.output = root.body.output;
  }
  if (fields.name !== undefined && fields.name.length > MAX_TRACE_NAME_CHARS) {
    const ordered = rootMapped ? [rootMapped, ...members.filter((m) => m !== rootMapped)] : members;
    const source = ordered.find((m) => m.obs.trace.name !== undefined)?.obs ?? root;
    sink
      .forItem(source ? { spanId: String(source.body.id) } : {})
      .add('TRUNCATED', `trace name cut to ${MAX_TRACE_NAME_CHARS} characters (was ${fields.name.length})`, 'body.name');
    // Never end on the first half of a surrogate pair.
    const high = fields.name.charCodeAt(MAX_TRACE_NAME_CHARS - 1);
    fields.name = fields.name.slice(0, high >= 0xd800 && high <= 0xdbff ? MAX_TRACE_NAME_CHARS - 1 : MAX_TRACE_NAME_CHARS);
  }
  const timestamp = root?.markers.traceTimestamp ?? (rootMapped ?? (members[0] as Mapped)).view.startIso;
  const body: Record<string, unknown> = { id: traceId, timestamp };
  writeTraceFields(body, fields, common);
  return { body, timestamp, root: rootMapped };
}

/** A trace's merged fields into its trace-create body, in the body's order (tags sorted). */
export function writeTraceFields(body: Record<string, unknown>, fields: TraceFields, common: CommonFields): void {
  if (fields.name !== undefined) body.name = fields.name;
  if (fields.userId !== undefined) body.userId = fields.userId;
  if (fields.sessionId !== undefined) body.sessionId = fields.sessionId;
  if (fields.input !== undefined) body.input = fields.input;
  if (fields.output !== undefined) body.output = fields.output;
  if (fields.metadata && isPlainObject(fields.metadata)) body.metadata = fields.metadata;
  if (fields.tags) body.tags = [...fields.tags].sort();
  if (fields.public !== undefined) body.public = fields.public;
  if (common.release !== undefined) body.release = common.release;
  if (common.version !== undefined) body.version = common.version;
  if (common.environment !== undefined) body.environment = common.environment;
}

/** A span made by the reverse mapping to carry a score whose target was in no input. */
export function isScoreCarrier(obs: MappedObservation): boolean {
  return obs.markers.fromBridge && obs.scores.length > 0 && obs.body.name === SCORE.event && obs.markers.langfuseId === undefined;
}

/** Synthetic roots and trace updates stand for traces, score carriers for scores: none is an observation. */
export function isObservation(obs: MappedObservation): boolean {
  return !obs.markers.syntheticRoot && !obs.markers.traceUpdate && !isScoreCarrier(obs);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Start time, then observation id; spans sharing both (a duplicated span id) by type and then
 * content, so the order, and the trace fields merged in it, never depend on the input order.
 */
function compareMapped(a: Mapped, b: Mapped): number {
  return (
    compareHrTime(a.view.start, b.view.start) ||
    compareText(String(a.obs.body.id), String(b.obs.body.id)) ||
    compareText(a.obs.type, b.obs.type) ||
    compareText(JSON.stringify([a.obs.body, a.obs.trace]), JSON.stringify([b.obs.body, b.obs.trace]))
  );
}

/**
 * A child of a synthetic root made by our reverse mapping hangs under the trace itself: its
 * `parentObservationId` goes. Whether a parent is that root takes a hash of the trace id, which
 * is skipped for parents that are observations of this call (nearly all, as traces come whole).
 */
function dropSyntheticRootParents(groups: readonly Mapped[][]): void {
  const observations = new Set<string>();
  for (let g = 0; g < groups.length; g++) {
    const members = groups[g] as Mapped[];
    for (let i = 0; i < members.length; i++) {
      const obs = (members[i] as Mapped).obs;
      if (!obs.markers.syntheticRoot) observations.add(obs.spanId);
    }
  }
  for (let g = 0; g < groups.length; g++) {
    const members = groups[g] as Mapped[];
    let rootSpanId: string | undefined;
    for (let i = 0; i < members.length; i++) {
      const obs = (members[i] as Mapped).obs;
      const parent = obs.parentSpanId;
      if (parent === undefined || observations.has(parent)) continue;
      rootSpanId ??= syntheticRootSpanId((members[0] as Mapped).obs.body.traceId as string);
      if (parent === rootSpanId) delete obs.body.parentObservationId;
    }
  }
}

/**
 * Sorts in place by `compare`, stably, like `Array.prototype.sort`. Traces are mostly a few spans,
 * for which an insertion sort costs a fraction of the built-in.
 */
export function sortFew<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > 16) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const m = items[i] as T;
    let j = i - 1;
    for (; j >= 0 && compare(items[j] as T, m) > 0; j--) items[j + 1] = items[j] as T;
    items[j + 1] = m;
  }
  return items;
}

/** Sorts a trace's members in place by start time, then observation id (then type and content). */
export function sortMembers(members: Mapped[]): Mapped[] {
  return sortFew(members, compareMapped);
}

/**
 * Maps every span to an observation and groups them by Langfuse trace id, in the order the
 * traces first appear (members unsorted). A span that cannot be mapped is skipped with an issue.
 * `resourceInMetadata`: whether observation metadata holds the resource and scope (the ingestion
 * output; the OTLP output carries them on the span).
 */
export function mapSpansByTrace(
  spans: readonly ReadableSpan[],
  options: ToIngestionOptions,
  sink: IssueSink,
  resourceInMetadata = true,
): Map<string, Mapped[]> {
  const maxBytes = options.maxAttributeBytes ?? DEFAULT_MAX_ATTRIBUTE_BYTES;
  const defaults: CommonFields = {};
  if (options.environment !== undefined) defaults.environment = options.environment;
  if (options.release !== undefined) defaults.release = options.release;
  const traces = new Map<string, Mapped[]>();
  const groups: Mapped[][] = [];
  const cache = new SpanViewCache();
  const observationOptions = { legacyTypes: options.legacyTypes === true, defaults, resourceInMetadata };

  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as ReadableSpan;
    let mapped: Mapped | undefined;
    try {
      const view = toSpanView(span, sink, maxBytes, cache);
      if (view === undefined) continue;
      mapped = { obs: toObservation(view, observationOptions, view.issues), view };
    } catch (err) {
      // A defect in a dialect reader must not cost the rest of the batch.
      const spanId = rawSpanId(span);
      sink
        .forItem(spanId === undefined ? {} : { spanId })
        .add('SKIPPED', `span skipped: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
      continue;
    }
    const traceId = mapped.obs.body.traceId as string;
    let members = traces.get(traceId);
    if (!members) {
      traces.set(traceId, (members = []));
      groups.push(members);
    }
    members.push(mapped);
  }
  dropSyntheticRootParents(groups);
  return traces;
}
