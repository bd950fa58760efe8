/**
 * The reverse mapping (src/mapping/to-otel/) as it was at d6b9801, before it was made faster:
 * index.ts, attributes.ts, hygiene.ts, merge.ts, trace-groups.ts and stream.ts, frozen. The
 * properties in test/mapping/to-otel/reference.test.ts hold the current mapping to it (same spans,
 * same issues, same order) on generated batches: the oracle that no speed trick changed a result.
 * Never edited, except its imports (the modules it shares with src/ are imported from there).
 */
/**
 * ingestionToSpans: Langfuse ingestion events -> OTel spans (design.md section 6). Pure: the same
 * events, in any order, always give the same spans, ids included, so the stock OTLP exporters can
 * send them anywhere.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { syntheticRootSpanId, toOtelSpanId, toOtelTraceId } from '../../../src/mapping/ids.js';
import { isPlainObject } from '../../../src/mapping/json.js';
import { LF, OTEL } from '../../../src/mapping/keys.js';
import { ResourcePool, makeReadableSpan } from '../../../src/mapping/readable-span.js';
import type { MappingResult } from '../../../src/mapping/result.js';
import { IssueSink } from '../../../src/mapping/result.js';
import type { ObservationType } from '../../../src/mapping/schema.js';
import { compareHrTime, isoToHrTime } from '../../../src/mapping/time.js';
import { VERSION } from '../../../src/version.js';
import type { AttributeDialect } from './attributes.js';
import { effectiveUsage, genaiAttributes, jsonText, observationAttributes, traceAttributes } from './attributes.js';
import { cleanAttributes } from './hygiene.js';
import type { HygieneOptions } from './hygiene.js';
import { mergeEvents } from './merge.js';
import { exactTime, restoreOtelFacts } from '../../../src/mapping/to-otel/restore.js';
import { SCORE_EVENT, scoreEvent, scoreTarget, scoreTime } from '../../../src/mapping/to-otel/scores.js';
import type { MergedObservation, MergedScore, MergedTrace, MergeResult } from '../../../src/mapping/to-otel/types.js';

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

/** The client identity a batch metadata object names; absent and empty fields are left out. */
export function clientIdentity(metadata: unknown): ClientIdentity {
  const meta = isPlainObject(metadata) ? metadata : {};
  const out: Record<string, string> = {};
  for (const field of ['sdk_integration', 'sdk_name', 'sdk_version', 'public_key']) {
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

/** One span for one merged observation. */
function observationSpan(
  obs: MergedObservation,
  trace: MergedTrace | undefined,
  traceAttrs: Attributes | undefined,
  otelTraceId: string,
  rootSpanId: string,
  known: { has(id: string): boolean },
  events: readonly TimedEvent[],
  ctx: Context,
): ReadableSpan | undefined {
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

  const usage = effectiveUsage(body);
  const withUsage = usage.metadata === metadata ? usage : { ...usage, metadata };
  // The observation's keys, then the trace's (the object observationAttributes made, filled in place).
  const attributes: Attributes = Object.assign(
    observationAttributes(obs.type, withUsage, obs.id, ctx.dialect === 'genai' ? 'genai-ids' : 'langfuse'),
    traceAttrs ?? { [LF.traceId]: String(body.traceId) },
  );
  // The original parent id, when it had to be hashed into a span id: the forward mapping restores it.
  const parentSpanId = parentId === undefined ? rootSpanId : toOtelSpanId(parentId);
  if (parentId !== undefined && parentSpanId !== parentId) attributes[LF.bridgeParentId] = parentId;
  // What the sender's span carried and Langfuse had no field for comes back as it was.
  for (const [k, v] of Object.entries(facts.attributes ?? {})) if (!(k in attributes) && v !== undefined) attributes[k] = v;
  if (incomplete) attributes[LF.bridgeIncomplete] = true;
  if (ctx.dialect !== 'langfuse') {
    const twins = genaiAttributes(obs.type, withUsage, trace?.body.sessionId);
    if (isError) twins[OTEL.errorType] = '_OTHER';
    addTwins(attributes, twins, ctx.dialect === 'both');
  }
  cleanAttributes(attributes, ctx.hygiene, issues);

  return makeReadableSpan({
    name: facts.spanName ?? (typeof body.name === 'string' && body.name !== '' ? body.name : obs.type.toLowerCase()),
    kind: facts.kind ?? derivedKind(obs.type),
    traceId: otelTraceId,
    spanId: toOtelSpanId(obs.id),
    parentSpanId,
    traceState: facts.traceState,
    startTime: start,
    endTime: end,
    attributes,
    events: [...(facts.events ?? []), ...events],
    links: facts.links ?? [],
    status: message === undefined ? { code } : { code, message },
    resource: ctx.resources.get(facts.resource ?? obs.resource ?? ctx.baseResource),
    scope: facts.scope ?? SCOPE,
  });
}

/**
 * Adds GenAI twin keys that are not already there; with both dialects, lists them under
 * `langfuse.bridge.genai_twins` so the forward mapping can tell them from the sender's own keys.
 */
function addTwins(attributes: Attributes, twins: Attributes, mark: boolean): void {
  const added: string[] = [];
  for (const k of Object.keys(twins)) {
    const v = twins[k];
    if (k in attributes || v === undefined) continue;
    attributes[k] = v;
    added.push(k);
  }
  if (mark && added.length > 0) attributes[LF.bridgeGenaiTwins] = added;
}

/** Trace keys for every span: user and session always (OTel registry keys), langfuse.* per dialect. */
function traceFieldAttributes(trace: MergedTrace, dialect: AttributeDialect): Attributes {
  const all = traceAttributes(trace.body, trace.id);
  if (dialect !== 'genai') return all;
  const out: Attributes = { [LF.traceId]: trace.id };
  for (const key of [OTEL.userId, OTEL.sessionId]) if (all[key] !== undefined) out[key] = all[key];
  return out;
}

/**
 * The synthetic root that stands for the trace: its fields, spanning its observations. As an
 * `update` (the root went out earlier, in a stream), a zero-length child of that root instead,
 * marked `langfuse.bridge.trace_update`, carrying the fields that came later (design.md 9): the
 * root's span id is never sent twice.
 */
function rootSpan(
  langfuseTraceId: string,
  trace: MergedTrace | undefined,
  children: readonly ReadableSpan[],
  events: readonly TimedEvent[],
  ctx: Context,
  update = false,
  resource: Attributes = ctx.baseResource,
): ReadableSpan | undefined {
  const issues = ctx.sink.forItem({ eventId: trace?.eventIds[0] ?? langfuseTraceId });
  const timestamp = typeof trace?.body.timestamp === 'string' ? trace.body.timestamp : trace?.envelopeTimestamp;
  const declared = timestamp === undefined ? undefined : isoToHrTime(timestamp);
  const times = children.flatMap((s) => [s.startTime, s.endTime]);
  if (declared) times.push(declared);
  for (const e of events) times.push(e.time as HrTime);
  if (times.length === 0) {
    issues.add('INVALID_TIME', `trace ${langfuseTraceId} has no time; no root span`, 'body.timestamp');
    return undefined;
  }
  const start = update && declared ? declared : times.reduce((a, b) => (compareHrTime(b, a) < 0 ? b : a));
  const end = update ? start : times.reduce(maxTime);
  const attributes: Attributes = trace ? traceFieldAttributes(trace, ctx.dialect) : { [LF.traceId]: langfuseTraceId };
  if (update) attributes[LF.bridgeTraceUpdate] = true;
  else attributes[LF.bridgeSyntheticRoot] = trace ? 'trace' : 'implicit';
  if (typeof trace?.body.timestamp === 'string') attributes[LF.bridgeTraceTimestamp] = trace.body.timestamp;
  if (trace && ctx.dialect !== 'genai') {
    if (trace.body.input !== undefined && trace.body.input !== null) attributes[LF.traceInput] = jsonText(trace.body.input);
    if (trace.body.output !== undefined && trace.body.output !== null) attributes[LF.traceOutput] = jsonText(trace.body.output);
    for (const [field, key] of [
      ['environment', LF.environment],
      ['version', LF.version],
    ] as const) {
      if (typeof trace.body[field] === 'string') attributes[key] = trace.body[field] as string;
    }
  }
  cleanAttributes(attributes, ctx.hygiene, issues);
  const name = typeof trace?.body.name === 'string' && trace.body.name !== '' ? trace.body.name : 'langfuse-trace';
  return makeReadableSpan({
    name,
    kind: SpanKind.INTERNAL,
    traceId: toOtelTraceId(langfuseTraceId),
    spanId: update ? toOtelSpanId(`langfuse.trace-update:${langfuseTraceId}:${trace?.eventIds[0] ?? ''}`) : syntheticRootSpanId(langfuseTraceId),
    parentSpanId: update ? syntheticRootSpanId(langfuseTraceId) : undefined,
    startTime: start,
    endTime: end,
    attributes,
    events,
    status: { code: SpanStatusCode.UNSET },
    resource: ctx.resources.get(resource),
    scope: SCOPE,
  });
}

/** A zero-length span for a score whose target is in no input, under the target's deterministic id. */
function orphanScoreSpan(score: MergedScore, time: HrTime, ctx: Context): ReadableSpan {
  const target = scoreTarget(score);
  const traceKey = target.traceId ?? `session:${target.sessionId ?? String(score.body.id ?? score.eventId)}`;
  const parent = target.observationId !== undefined
    ? toOtelSpanId(target.observationId)
    : target.traceId !== undefined
      ? syntheticRootSpanId(target.traceId)
      : undefined;
  return makeReadableSpan({
    name: SCORE_EVENT,
    kind: SpanKind.INTERNAL,
    traceId: toOtelTraceId(traceKey),
    spanId: toOtelSpanId(`score:${String(score.body.id ?? score.eventId)}`),
    parentSpanId: parent,
    startTime: time,
    endTime: time,
    attributes: { [LF.traceId]: traceKey },
    events: [scoreEvent(score, time)],
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
  rootsSent: ReadonlySet<string> = new Set(),
  sentBefore: (observationId: string) => boolean = () => false,
): ReadableSpan[] {
  const byTrace = new Map<string, MergedObservation[]>();
  for (const id of merged.traces.keys()) byTrace.set(id, []);
  for (const obs of merged.observations.values()) push(byTrace, String(obs.body.traceId), obs);

  // Scores land on the span they target: collect them by target first.
  const onObservation = new Map<string, TimedEvent[]>();
  const onTrace = new Map<string, TimedEvent[]>();
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

  const inInput = new Set(merged.observations.keys());
  const known = { has: (id: string): boolean => inInput.has(id) || sentBefore(id) };
  const spans: ReadableSpan[] = [];
  for (const [langfuseTraceId, observations] of byTrace) {
    const trace = merged.traces.get(langfuseTraceId);
    const rootId = syntheticRootSpanId(langfuseTraceId);
    // One hash per trace, not per span: non-hex trace ids (litellm's) cost a SHA-256 each.
    const otelTraceId = toOtelTraceId(langfuseTraceId);
    // The trace's keys go on every span: computed once per trace.
    const traceAttrs = trace ? traceFieldAttributes(trace, ctx.dialect) : undefined;
    const children: ReadableSpan[] = [];
    for (const obs of observations) {
      try {
        const span = observationSpan(obs, trace, traceAttrs, otelTraceId, rootId, known, onObservation.get(obs.id) ?? [], ctx);
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
      const resource = trace?.resource ?? observations[0]?.resource ?? ctx.baseResource;
      const root = rootSpan(langfuseTraceId, trace, children, onTrace.get(langfuseTraceId) ?? [], ctx, sent, resource);
      if (root) spans.push(root);
    }
    spans.push(...children);
  }
  for (const [score, time] of orphans) spans.push(orphanScoreSpan(score, time, ctx));
  return spans;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
