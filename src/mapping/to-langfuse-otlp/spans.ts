/**
 * spansToLangfuseOtlp: OTel spans of any dialect -> spans for Langfuse's OTLP endpoint (v4 and
 * Cloud, langfuse-v4.md). The forward mapping decides every field exactly as for ingestion events
 * (type, model, parameters, usage and cost, level, status message, input/output, prompt,
 * completion start, trace fields); each observation then leaves as one span carrying them under
 * the `langfuse.*` keys, with its original ids, times, kind, status, resource and scope. Pure.
 */
import type { SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { toOtelSpanId, toOtelTraceId } from '../ids.js';
import type { MappingResult } from '../result.js';
import { IssueSink } from '../result.js';
import type { IngestionEvent } from '../schema.js';
import { envelope } from '../to-ingestion/index.js';
import type { Mapped, ToIngestionOptions } from '../to-ingestion/traces.js';
import { isObservation, mapSpansByTrace, sortMembers, traceBody } from '../to-ingestion/traces.js';
import { observationKeys, traceKeys } from './attributes.js';
import { fitSpan } from './fit.js';
import { LangfuseOtlpSpan, OtlpSpanPool } from './otlp-span.js';
import { directLangfuseOtlp } from './direct/spans.js';
import { repairSpanIds } from './repair-ids.js';

/** Default cap on one span in an OTLP request, in UTF-8 bytes: the per-event cap of the ingestion output. */
export const DEFAULT_MAX_SPAN_BYTES = 1_000_000;

export interface ToLangfuseOtlpOptions extends ToIngestionOptions {
  /**
   * Cap on one span in UTF-8 bytes of protobuf: a larger span has its largest input, output or
   * metadata value cut with a marker. 0 = off. Default 1,000,000.
   */
  maxSpanBytes?: number;
}

/** What Langfuse v4 takes: spans over OTLP, scores as `score-create` events over the ingestion endpoint. */
export interface LangfuseOtlp {
  /** One span per observation, grouped by trace id (sorted), start time and id within a trace. */
  readonly spans: ReadableSpan[];
  /**
   * Score-create events carried by spans of our own reverse mapping (`langfuse.score` events),
   * their `traceId` / `observationId` rewritten to the hex ids the spans carry.
   */
  readonly scores: IngestionEvent[];
}

/** Later trace fields (trace-update spans of our reverse mapping) over the first: tags joined, metadata merged. */
function mergeTrace(first: Record<string, unknown>, later: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...first };
  for (const [key, value] of Object.entries(later)) {
    if (key === 'id' || key === 'timestamp' || value === undefined) continue;
    if (key === 'tags' && Array.isArray(first.tags) && Array.isArray(value)) out.tags = [...new Set([...first.tags, ...value])].sort();
    else if (key === 'metadata' && typeof first.metadata === 'object' && typeof value === 'object') out.metadata = { ...first.metadata, ...value };
    else out[key] = value;
  }
  return out;
}

/** The trace's fields from all its members, trace updates over the rest, and the member that is its root. */
function traceOf(traceId: string, members: readonly Mapped[], sink: IssueSink): { body: Record<string, unknown> | undefined; root: Mapped | undefined } {
  const updates = members.filter((m) => m.obs.markers.traceUpdate);
  const main = updates.length === 0 ? members : members.filter((m) => !m.obs.markers.traceUpdate);
  let body: Record<string, unknown> | undefined;
  let root: Mapped | undefined;
  if (main.length > 0) ({ body, root } = traceBody(traceId, main, sink));
  for (const update of updates) {
    const later = traceBody(traceId, [update], sink).body;
    body = body === undefined ? later : mergeTrace(body, later);
  }
  return { body, root };
}

/**
 * The observation that carries the trace's input and output: the root, else the first span with
 * no parent, else the first that stated them itself, else the first.
 */
function ioCarrier(members: readonly Mapped[], root: Mapped | undefined): Mapped | undefined {
  if (root !== undefined && isObservation(root.obs)) return root;
  const observations = members.filter((m) => isObservation(m.obs));
  return (
    observations.find((m) => m.obs.body.parentObservationId === undefined) ??
    observations.find((m) => m.obs.trace.input !== undefined || m.obs.trace.output !== undefined) ??
    observations[0]
  );
}

function otlpSpan(m: Mapped, keys: ReturnType<typeof traceKeys>, traceIo: Record<string, unknown> | undefined, pool: OtlpSpanPool): LangfuseOtlpSpan {
  const { obs, view } = m;
  const context: SpanContext = { traceId: view.traceId, spanId: view.spanId, traceFlags: view.traceFlags };
  if (view.traceState !== undefined) context.traceState = new TraceState(view.traceState);
  return new LangfuseOtlpSpan({
    context,
    // Unless it was the synthetic root of our reverse mapping, which stands for the trace itself.
    parentSpanId: obs.body.parentObservationId === undefined ? undefined : view.parentSpanId,
    name: String(obs.body.name),
    kind: view.kind,
    startTime: view.start,
    endTime: view.end,
    status: view.status,
    attributes: observationKeys(m, keys, traceIo),
    resource: pool.resource(view.resource),
    scope: pool.scope(view.scope),
  });
}

/** A score-create of our reverse mapping, pointed at the hex ids Langfuse stores the spans under. */
function scoreEvent(score: { body: Record<string, unknown>; timestamp: string }): IngestionEvent {
  const body = { ...score.body };
  if (typeof body.traceId === 'string' && body.traceId !== '') body.traceId = toOtelTraceId(body.traceId);
  if (typeof body.observationId === 'string' && body.observationId !== '') body.observationId = toOtelSpanId(body.observationId);
  return envelope('score-create', body, score.timestamp);
}

/**
 * Maps finished spans to the spans Langfuse v4 stores as the same observations the ingestion
 * output would create. Never throws on bad data: ids of the wrong shape are repaired (an issue
 * each), a span that cannot be mapped is skipped with an issue, an oversized one is cut. Clean
 * calls go the direct path (direct/spans.ts), the others the general one, with the same result.
 */
export function spansToLangfuseOtlp(spans: readonly ReadableSpan[], options: ToLangfuseOtlpOptions = {}): MappingResult<LangfuseOtlp> {
  const direct = directLangfuseOtlp(spans, options, options.maxSpanBytes ?? DEFAULT_MAX_SPAN_BYTES);
  if (direct !== undefined) return { value: { spans: direct, scores: [] }, issues: [] };
  return generalLangfuseOtlp(spans, options);
}

/**
 * {@link spansToLangfuseOtlp} by way of the ingestion mapping's observations and trace bodies:
 * any call, the repairs, cuts, scores and issues included.
 */
export function generalLangfuseOtlp(spans: readonly ReadableSpan[], options: ToLangfuseOtlpOptions = {}): MappingResult<LangfuseOtlp> {
  const sink = new IssueSink();
  const traces = mapSpansByTrace(repairSpanIds(spans, sink), options, sink, false);
  const maxSpanBytes = options.maxSpanBytes ?? DEFAULT_MAX_SPAN_BYTES;
  const pool = new OtlpSpanPool();
  const out: ReadableSpan[] = [];
  const scores: IngestionEvent[] = [];
  for (const traceId of [...traces.keys()].sort()) {
    const members = sortMembers(traces.get(traceId) as Mapped[]);
    const trace = traceOf(traceId, members, sink);
    const keys = traceKeys(trace.body);
    const hasIo = trace.body !== undefined && (trace.body.input !== undefined || trace.body.output !== undefined);
    const carrier = hasIo ? ioCarrier(members, trace.root) : undefined;
    let observations = 0;
    for (const m of members) {
      for (const score of m.obs.scores) scores.push(scoreEvent(score));
      if (!isObservation(m.obs)) continue;
      const span = otlpSpan(m, keys, m === carrier ? trace.body : undefined, pool);
      span.bytesBound = fitSpan(span, maxSpanBytes, m.view.issues);
      out.push(span);
      observations++;
    }
    if (observations === 0 && Object.keys(keys).length > 0) {
      sink
        .forItem({ spanId: (members[0] as Mapped).view.spanId })
        .add('SKIPPED', 'trace fields not sent: Langfuse v4 keeps them on observations, and no observation of this trace is in the call');
    }
  }
  return { value: { spans: out, scores }, issues: sink.issues };
}
