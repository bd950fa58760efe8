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

/** Trace fields the first span that has them sets (tags and metadata are merged instead). */
const FIRST_WINS_FIELDS = ['name', 'input', 'output', 'userId', 'sessionId', 'public'] as const;
const COMMON_FIELDS = ['environment', 'release', 'version'] as const;
/** Trace-create body fields taken as they are, in body order. */
const PLAIN_BODY_FIELDS = ['name', 'userId', 'sessionId', 'input', 'output'] as const;

function mergeTraceFields(into: TraceFields, from: TraceFields): void {
  // Most spans carry no trace fields: nothing to merge.
  if (Object.keys(from).length === 0) return;
  for (const key of FIRST_WINS_FIELDS) {
    if (into[key] === undefined && from[key] !== undefined) (into as Record<string, unknown>)[key] = from[key];
  }
  if (from.tags) {
    // `into.tags` is always this merge's own list, never a span's.
    const tags = (into.tags ??= []);
    for (const tag of from.tags) if (!tags.includes(tag)) tags.push(tag);
  }
  if (from.metadata) into.metadata = { ...from.metadata, ...into.metadata };
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
  const rootMapped =
    members.find((m) => m.obs.markers.syntheticRoot || m.obs.markers.traceUpdate) ?? members.find((m) => m.obs.isRoot);
  const ordered = rootMapped ? [rootMapped, ...members.filter((m) => m !== rootMapped)] : members;
  const fields: TraceFields = {};
  const common: CommonFields = {};
  for (const m of ordered) {
    mergeTraceFields(fields, m.obs.trace);
    for (const key of COMMON_FIELDS) common[key] ??= m.obs.common[key];
  }
  const root = rootMapped?.obs;
  // Name and I/O come from the root (or explicit langfuse.trace.* keys), never from a child.
  if (root && !root.markers.syntheticRoot && !root.markers.traceUpdate) {
    fields.name ??= root.body.name as string;
    if (fields.input === undefined && root.body.input !== undefined) fields.input = root.body.input;
    if (fields.output === undefined && root.body.output !== undefined) fields.output = root.body.output;
  }
  if (fields.name !== undefined && fields.name.length > MAX_TRACE_NAME_CHARS) {
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
  for (const key of PLAIN_BODY_FIELDS) {
    if (fields[key] !== undefined) body[key] = fields[key];
  }
  if (fields.metadata && isPlainObject(fields.metadata)) body.metadata = fields.metadata;
  if (fields.tags) body.tags = [...fields.tags].sort();
  if (fields.public !== undefined) body.public = fields.public;
  if (common.release !== undefined) body.release = common.release;
  if (common.version !== undefined) body.version = common.version;
  if (common.environment !== undefined) body.environment = common.environment;
  return { body, timestamp, root: rootMapped };
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
function dropSyntheticRootParents(traces: ReadonlyMap<string, readonly Mapped[]>): void {
  const observations = new Set<string>();
  for (const members of traces.values()) {
    for (const { obs } of members) if (!obs.markers.syntheticRoot) observations.add(obs.spanId);
  }
  for (const [traceId, members] of traces) {
    let rootSpanId: string | undefined;
    for (const { obs } of members) {
      const parent = obs.parentSpanId;
      if (parent === undefined || observations.has(parent)) continue;
      rootSpanId ??= syntheticRootSpanId(traceId);
      if (parent === rootSpanId) delete obs.body.parentObservationId;
    }
  }
}

/**
 * Sorts a trace's members in place by start time, then observation id (then type and content).
 * Traces are mostly a few spans, for which an insertion sort (stable, like
 * `Array.prototype.sort`) costs a fraction of the built-in.
 */
export function sortMembers(members: Mapped[]): Mapped[] {
  if (members.length > 16) return members.sort(compareMapped);
  for (let i = 1; i < members.length; i++) {
    const m = members[i] as Mapped;
    let j = i - 1;
    for (; j >= 0 && compareMapped(members[j] as Mapped, m) > 0; j--) members[j + 1] = members[j] as Mapped;
    members[j + 1] = m;
  }
  return members;
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
  const cache = new SpanViewCache();
  const observationOptions = { legacyTypes: options.legacyTypes === true, defaults, resourceInMetadata };

  for (const span of spans) {
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
    if (!members) traces.set(traceId, (members = []));
    members.push(mapped);
  }
  dropSyntheticRootParents(traces);
  return traces;
}
