/**
 * ingestionToSpans: Langfuse ingestion events -> OTel spans (design.md section 6). Pure: the same
 * events, in any order, always give the same spans, ids included, so the stock OTLP exporters can
 * send them anywhere.
 */
import type { Attributes, HrTime, TraceState } from '@opentelemetry/api';
import { createTraceState, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { AttrList } from '../attr-list.js';
import { syntheticRootSpanId, toOtelSpanId, toOtelTraceId } from '../ids.js';
import { isPlainObject } from '../json.js';
import { LF, OTEL } from '../keys.js';
import { ResourcePool } from '../readable-span.js';
import type { MappingResult } from '../result.js';
import { IssueSink } from '../result.js';
import type { ObservationType } from '../schema.js';
import { mappedSpan, toReadableSpan } from '../span-record.js';
import type { SpanRecord } from '../span-record.js';
import { compareHrTime, isoToHrTime } from '../time.js';
import { VERSION } from '../../version.js';
import type { AttributeDialect } from './attributes.js';
import { jsonText, observationFields, writeGenaiAttributes, writeObservationAttributes, writeTraceAttributes } from './attributes.js';
import { cleanAttributes } from './hygiene.js';
import { TwinWriter } from './twins.js';
import type { HygieneOptions } from './hygiene.js';
import { mergeEvents } from './merge.js';
import { exactTime, restoreOtelFacts } from './restore.js';
import { SCORE_EVENT, scoreEvent, scoreTarget, scoreTime } from './scores.js';
import type { MergedObservation, MergedScore, MergedTrace, MergeResult } from './types.js';

export interface ToOtelOptions {
  /** Attribute dialects to write: `langfuse` (for Langfuse's OTLP endpoint), `genai`, or `both`. Default `both`. */
  attributes?: AttributeDialect;
  /** Resource `service.name`. Default: the batch metadata's `sdk_integration`, else `langfuse-ingestion`. */
  serviceName?: string;
  /** The `metadata` of the ingestion request (`sdk_integration`, `sdk_name`, `sdk_version`, `public_key`). */
  batchMetadata?: unknown;
  /** Cap per string attribute in UTF-8 bytes, longer ones cut with a marker; 0 = off. Default 65,536. */
  maxAttributeBytes?: number;
  /** Keep `data:` base64 media instead of a placeholder. Default false. */
  keepBase64?: boolean;
}

export const DEFAULT_OTLP_ATTRIBUTE_BYTES = 65_536;
const SCOPE = { name: 'otel-langfuse-bridge', version: VERSION };

export interface Context {
  readonly dialect: AttributeDialect;
  readonly hygiene: HygieneOptions;
  readonly resources: ResourcePool;
  readonly baseResource: Attributes;
  readonly sink: IssueSink;
}

/** The fields of a request's `metadata` that name the client that sent it (the resource of its spans). */
export interface ClientIdentity {
  readonly sdk_integration?: string;
  readonly sdk_name?: string;
  readonly sdk_version?: string;
  readonly public_key?: string;
}

/** The fields of a request's `metadata` that name its client, in {@link ClientIdentity}'s order. */
const CLIENT_IDENTITY_FIELDS = ['sdk_integration', 'sdk_name', 'sdk_version', 'public_key'] as const;

/** The client identity a batch metadata object names; absent and empty fields are left out. */
export function clientIdentity(metadata: unknown): ClientIdentity {
  const meta = isPlainObject(metadata) ? metadata : {};
  const out: Record<string, string> = {};
  for (const field of CLIENT_IDENTITY_FIELDS) {
    const v = meta[field];
    if (typeof v === 'string' && v !== '') out[field] = v;
  }
  return out;
}

/**
 * The resource attributes of spans from one client: `service.name` (the option, else the client's
 * `sdk_integration`, else `langfuse-ingestion`), `langfuse.sdk.name|version`, `langfuse.public_key`.
 */
export function clientResource(options: Pick<ToOtelOptions, 'serviceName' | 'batchMetadata'>): Attributes {
  const client = clientIdentity(options.batchMetadata);
  const out: Attributes = { [OTEL.serviceName]: options.serviceName ?? client.sdk_integration ?? 'langfuse-ingestion' };
  if (client.sdk_name) out['langfuse.sdk.name'] = client.sdk_name;
  if (client.sdk_version) out['langfuse.sdk.version'] = client.sdk_version;
  if (client.public_key) out['langfuse.public_key'] = client.public_key;
  return out;
}

const derivedKind = (type: ObservationType): SpanKind =>
  type === 'GENERATION' || type === 'EMBEDDING' ? SpanKind.CLIENT : SpanKind.INTERNAL;

function maxTime(a: HrTime, b: HrTime): HrTime {
  return compareHrTime(a, b) >= 0 ? a : b;
}

/** The parsed trace state of a span restored from metadata (none when empty), as `makeReadableSpan` parses it. */
function traceStateOf(text: string | undefined): TraceState | undefined {
  return text === undefined || text === '' ? undefined : createTraceState(text);
}

/** One span for one merged observation. */
function observationSpan(
  obs: MergedObservation,
  trace: MergedTrace | undefined,
  traceAttrs: AttrList | undefined,
  otelTraceId: string,
  rootSpanId: string,
  known: { has(id: string): boolean },
  events: readonly TimedEvent[],
  ctx: Context,
): SpanRecord | undefined {
  const issues = ctx.sink.forItem({ eventId: obs.eventIds[0] ?? obs.id });
  const body = obs.body;
  const startIso = isoToHrTime(String(body.startTime));
  if (!startIso) {
    issues.add('INVALID_TIME', `observation ${obs.id} has no valid start time; skipped`, 'body.startTime');
    return undefined;
  }
  const { facts, metadata } = restoreOtelFacts(body.metadata);
  const start = exactTime(startIso, facts.startNanos);
  let end = start;
  let incomplete = false;
  const endIso = typeof body.endTime === 'string' ? isoToHrTime(body.endTime) : undefined;
  if (endIso) end = maxTime(exactTime(endIso, facts.endNanos), start);
  else if (obs.type !== 'EVENT') {
    incomplete = true;
    issues.add('MISSING_END_TIME', `observation ${obs.id} has no end time; end set to start`, 'body.endTime');
  }

  const parentId = typeof body.parentObservationId === 'string' && body.parentObservationId !== '' ? body.parentObservationId : undefined;
  if (parentId !== undefined && !known.has(parentId)) {
    issues.add('UNKNOWN_PARENT', `parent ${parentId} is in no input; linked by its deterministic span id`, 'body.parentObservationId');
  }
  const level = body.level;
  const isError = level === 'ERROR';
  const statusMessage = typeof body.statusMessage === 'string' ? body.statusMessage : undefined;
  const code = facts.statusCode ?? (isError ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
  const message = facts.statusMessage ?? (code === SpanStatusCode.ERROR ? statusMessage : undefined);

  // The body as the attributes read it: the usage Langfuse would store, the metadata left.
  const fields = observationFields(body, metadata, typeof body.startTime === 'string' ? startIso : undefined);
  // The observation's keys, then the trace's (as Object.assign would add them).
  const attributes = new AttrList();
  writeObservationAttributes(attributes, obs.type, fields, obs.id, ctx.dialect === 'genai' ? 'genai-ids' : 'langfuse');
  if (traceAttrs) attributes.assign(traceAttrs);
  else attributes.set(LF.traceId, String(body.traceId));
  // The original parent id, when it had to be hashed into a span id: the forward mapping restores it.
  const parentSpanId = parentId === undefined ? rootSpanId : toOtelSpanId(parentId);
  if (parentId !== undefined && parentSpanId !== parentId) attributes.set(LF.bridgeParentId, parentId);
  // What the sender's span carried and Langfuse had no field for comes back as it was.
  if (facts.attributes) {
    for (const [k, v] of Object.entries(facts.attributes)) if (!attributes.has(k) && v !== undefined) attributes.append(k, v);
  }
  if (incomplete) attributes.set(LF.bridgeIncomplete, true);
  if (ctx.dialect !== 'langfuse') {
    const twins = TWINS.start(attributes, ctx.dialect === 'both');
    writeGenaiAttributes(twins, obs.type, fields, trace?.body.sessionId);
    if (isError) twins.set(OTEL.errorType, '_OTHER');
    twins.finish();
  }
  cleanAttributes(attributes, ctx.hygiene, issues);

  return mappedSpan({
    name: facts.spanName ?? (typeof body.name === 'string' && body.name !== '' ? body.name : obs.type.toLowerCase()),
    kind: facts.kind ?? derivedKind(obs.type),
    traceId: otelTraceId,
    spanId: toOtelSpanId(obs.id),
    parentSpanId,
    traceState: traceStateOf(facts.traceState),
    startTime: start,
    endTime: end,
    attributes,
    events: facts.events === undefined ? events : [...facts.events, ...events],
    links: facts.links ?? [],
    status: message === undefined ? { code } : { code, message },
    resource: ctx.resources.get(facts.resource ?? obs.resource ?? ctx.baseResource),
    scope: facts.scope ?? SCOPE,
  });
}

/** The GenAI twins of the span being made (the mapping is synchronous: one span at a time). */
const TWINS = new TwinWriter();

/** Trace keys for every span: user and session always (OTel registry keys), langfuse.* per dialect. */
function traceFieldAttributes(trace: MergedTrace, dialect: AttributeDialect): AttrList {
  const all = new AttrList();
  writeTraceAttributes(all, trace.body, trace.id);
  if (dialect !== 'genai') return all;
  const out = new AttrList();
  out.append(LF.traceId, trace.id);
  for (const key of [OTEL.userId, OTEL.sessionId]) {
    const v = all.get(key);
    if (v !== undefined) out.append(key, v);
  }
  return out;
}

/** The ids of a trace's spans: its OTel trace id and its synthetic root's span id (each a SHA-256 for most ids: made once). */
interface TraceIds {
  readonly langfuseTraceId: string;
  readonly otelTraceId: string;
  readonly rootSpanId: string;
}

/**
 * The synthetic root that stands for the trace: its fields, spanning its observations. As an
 * `update` (the root went out earlier, in a stream), a zero-length child of that root instead,
 * marked `langfuse.bridge.trace_update`, carrying the fields that came later (design.md 9): the
 * root's span id is never sent twice. `traceAttrs`: the trace's keys, made for its observations.
 */
function rootSpan(
  ids: TraceIds,
  trace: MergedTrace | undefined,
  traceAttrs: AttrList | undefined,
  children: readonly SpanRecord[],
  events: readonly TimedEvent[],
  ctx: Context,
  update: boolean,
  resource: Attributes,
): SpanRecord | undefined {
  const langfuseTraceId = ids.langfuseTraceId;
  const issues = ctx.sink.forItem({ eventId: trace?.eventIds[0] ?? langfuseTraceId });
  const timestamp = typeof trace?.body.timestamp === 'string' ? trace.body.timestamp : trace?.envelopeTimestamp;
  const declared = timestamp === undefined ? undefined : isoToHrTime(timestamp);
  if (children.length === 0 && declared === undefined && events.length === 0) {
    issues.add('INVALID_TIME', `trace ${langfuseTraceId} has no time; no root span`, 'body.timestamp');
    return undefined;
  }
  let start: HrTime | undefined;
  let end: HrTime | undefined;
  const cover = (t: HrTime): void => {
    if (start === undefined || compareHrTime(t, start) < 0) start = t;
    if (end === undefined || compareHrTime(t, end) > 0) end = t;
  };
  for (const s of children) {
    cover(s.startTime);
    cover(s.endTime);
  }
  if (declared) cover(declared);
  for (const e of events) cover(e.time as HrTime);
  if (update && declared) start = declared;
  if (update) end = start;
  let attributes: AttrList;
  if (trace === undefined) {
    attributes = new AttrList();
    attributes.append(LF.traceId, langfuseTraceId);
  } else attributes = traceAttrs === undefined ? traceFieldAttributes(trace, ctx.dialect) : traceAttrs.copy();
  if (update) attributes.set(LF.bridgeTraceUpdate, true);
  else attributes.set(LF.bridgeSyntheticRoot, trace ? 'trace' : 'implicit');
  if (typeof trace?.body.timestamp === 'string') attributes.set(LF.bridgeTraceTimestamp, trace.body.timestamp);
  if (trace && ctx.dialect !== 'genai') {
    if (trace.body.input !== undefined && trace.body.input !== null) attributes.set(LF.traceInput, jsonText(trace.body.input));
    if (trace.body.output !== undefined && trace.body.output !== null) attributes.set(LF.traceOutput, jsonText(trace.body.output));
    for (const [field, key] of TRACE_FIELDS_ON_ROOT) {
      if (typeof trace.body[field] === 'string') attributes.set(key, trace.body[field] as string);
    }
  }
  cleanAttributes(attributes, ctx.hygiene, issues);
  const name = typeof trace?.body.name === 'string' && trace.body.name !== '' ? trace.body.name : 'langfuse-trace';
  return mappedSpan({
    name,
    kind: SpanKind.INTERNAL,
    traceId: ids.otelTraceId,
    spanId: update ? toOtelSpanId(`langfuse.trace-update:${langfuseTraceId}:${trace?.eventIds[0] ?? ''}`) : ids.rootSpanId,
    parentSpanId: update ? ids.rootSpanId : undefined,
    startTime: start as HrTime,
    endTime: end as HrTime,
    attributes,
    events,
    links: [],
    status: { code: SpanStatusCode.UNSET },
    resource: ctx.resources.get(resource),
    scope: SCOPE,
  });
}

const TRACE_FIELDS_ON_ROOT = [
  ['environment', LF.environment],
  ['version', LF.version],
] as const;

/** A zero-length span for a score whose target is in no input, under the target's deterministic id. */
function orphanScoreSpan(score: MergedScore, time: HrTime, ctx: Context): SpanRecord {
  const target = scoreTarget(score);
  const traceKey = target.traceId ?? `session:${target.sessionId ?? String(score.body.id ?? score.eventId)}`;
  const parent = target.observationId !== undefined
    ? toOtelSpanId(target.observationId)
    : target.traceId !== undefined
      ? syntheticRootSpanId(target.traceId)
      : undefined;
  const attributes = new AttrList();
  attributes.append(LF.traceId, traceKey);
  return mappedSpan({
    name: SCORE_EVENT,
    kind: SpanKind.INTERNAL,
    traceId: toOtelTraceId(traceKey),
    spanId: toOtelSpanId(`score:${String(score.body.id ?? score.eventId)}`),
    parentSpanId: parent,
    startTime: time,
    endTime: time,
    attributes,
    events: [scoreEvent(score, time)],
    links: [],
    status: { code: SpanStatusCode.UNSET },
    resource: ctx.resources.get(ctx.baseResource),
    scope: SCOPE,
  });
}

/**
 * Maps ingestion events (the `batch` array of one or more requests) to OTel spans: one span per
 * observation whatever number of events touched it, a synthetic root per trace, scores as span
 * events. Never throws on bad data: each bad event is an issue with its envelope id.
 */
export function ingestionToSpans(events: readonly unknown[], options: ToOtelOptions = {}): MappingResult<ReadableSpan[]> {
  const sink = new IssueSink();
  const merged = mergeEvents(events, sink);
  return { value: spansFromMerged(merged, createContext(options, sink)), issues: sink.issues };
}

/** What every span built in one call (or one stream) shares. */
export function createContext(options: ToOtelOptions, sink: IssueSink): Context {
  return {
    dialect: options.attributes ?? 'both',
    hygiene: { maxAttributeBytes: options.maxAttributeBytes ?? DEFAULT_OTLP_ATTRIBUTE_BYTES, keepBase64: options.keepBase64 === true },
    resources: new ResourcePool(),
    baseResource: clientResource(options),
    sink,
  };
}

/**
 * Step 3: the spans of merged entities (traces in order of first appearance, each root first).
 * Traces in `rootsSent` had their root emitted before (a stream): their observations hang under it
 * as usual, and a trace-create that came later becomes a trace-update span instead of a root.
 */
export function spansFromMerged(
  merged: Omit<MergeResult, 'sdkLogs'>,
  ctx: Context,
  rootsSent: ReadonlySet<string> = NONE_SENT,
  sentBefore: (observationId: string) => boolean = NOTHING_SENT_BEFORE,
): ReadableSpan[] {
  return spanRecordsFromMerged(merged, ctx, rootsSent, sentBefore).map(toReadableSpan);
}

/** {@link spansFromMerged}, the spans as records (what the OTLP writers take). */
export function spanRecordsFromMerged(
  merged: Omit<MergeResult, 'sdkLogs'>,
  ctx: Context,
  rootsSent: ReadonlySet<string> = NONE_SENT,
  sentBefore: (observationId: string) => boolean = NOTHING_SENT_BEFORE,
): SpanRecord[] {
  const byTrace = new Map<string, MergedObservation[]>();
  for (const id of merged.traces.keys()) byTrace.set(id, []);
  for (const obs of merged.observations.values()) push(byTrace, String(obs.body.traceId), obs);

  // Scores land on the span they target: collect them by target first.
  const onObservation = merged.scores.length === 0 ? NO_TARGETS : new Map<string, TimedEvent[]>();
  const onTrace = merged.scores.length === 0 ? NO_TARGETS : new Map<string, TimedEvent[]>();
  const orphans: Array<[MergedScore, HrTime]> = [];
  for (const score of merged.scores) {
    const time = scoreTime(score);
    if (!time) {
      ctx.sink.forItem({ eventId: score.eventId }).add('INVALID_TIME', 'score has no valid time; dropped', 'timestamp');
      continue;
    }
    const target = scoreTarget(score);
    if (target.observationId !== undefined && merged.observations.has(target.observationId)) {
      push(onObservation, target.observationId, scoreEvent(score, time));
    } else if (target.observationId === undefined && target.traceId !== undefined && byTrace.has(target.traceId)) {
      push(onTrace, target.traceId, scoreEvent(score, time));
    } else orphans.push([score, time]);
  }

  const observations = merged.observations;
  const known = { has: (id: string): boolean => observations.has(id) || sentBefore(id) };
  const spans: SpanRecord[] = [];
  for (const [langfuseTraceId, traceObservations] of byTrace) {
    const trace = merged.traces.get(langfuseTraceId);
    // One hash each per trace, not per span: non-hex trace ids (litellm's) cost a SHA-256 each.
    const ids: TraceIds = { langfuseTraceId, otelTraceId: toOtelTraceId(langfuseTraceId), rootSpanId: syntheticRootSpanId(langfuseTraceId) };
    // The trace's keys go on every span: computed once per trace.
    const traceAttrs = trace ? traceFieldAttributes(trace, ctx.dialect) : undefined;
    const children: SpanRecord[] = [];
    for (const obs of traceObservations) {
      try {
        const span = observationSpan(obs, trace, traceAttrs, ids.otelTraceId, ids.rootSpanId, known, onObservation.get(obs.id) ?? NO_EVENTS, ctx);
        if (span) children.push(span);
      } catch (err) {
        // A defect must not cost the rest of the batch.
        ctx.sink
          .forItem({ eventId: obs.eventIds[0] ?? obs.id })
          .add('SKIPPED', `observation ${obs.id} skipped: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
      }
    }
    const sent = rootsSent.has(langfuseTraceId);
    // A trace already sent needs no second root; only fields that came later need a span.
    if (!sent || trace !== undefined || onTrace.has(langfuseTraceId)) {
      // The trace's client, else that of its first observation (an implicit trace).
      const resource = trace?.resource ?? traceObservations[0]?.resource ?? ctx.baseResource;
      const root = rootSpan(ids, trace, traceAttrs, children, onTrace.get(langfuseTraceId) ?? NO_EVENTS, ctx, sent, resource);
      if (root) spans.push(root);
    }
    for (const child of children) spans.push(child);
  }
  for (const [score, time] of orphans) spans.push(orphanScoreSpan(score, time, ctx));
  return spans;
}

const NO_EVENTS: readonly TimedEvent[] = [];
const NONE_SENT: ReadonlySet<string> = new Set();
const NOTHING_SENT_BEFORE = (): boolean => false;
/** The score targets of a merge without scores (never written to). */
const NO_TARGETS: Map<string, TimedEvent[]> = new Map();

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
