/**
 * The direct path of spansToLangfuseOtlp: spans straight to the spans Langfuse's OTLP endpoint
 * takes, without ingestion bodies, trace-create bodies or issue lists in between, for calls whose
 * spans are clean (valid ids and times, nothing to repair, cut or report, no span of our own
 * reverse mapping, no score or message events, no span id twice). Every field is decided by the
 * forward mapping's own readers and assembled as the general path assembles it (a property test
 * holds the two equal); any other call is declined (undefined) and goes the general way.
 */
import type { Attributes, SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { apart } from '../../apart.js';
import { DEFAULT_MAX_ATTRIBUTE_BYTES } from '../../attribute-bag.js';
import { syntheticRootSpanId } from '../../ids.js';
import { BRIDGE_SCOPE_NAME, LF, SCORE } from '../../keys.js';
import { compareHrTime } from '../../time.js';
import type { SpanView } from '../../to-ingestion/span-view.js';
import { SpanViewCache, toSpanView } from '../../to-ingestion/span-view.js';
import type { CommonFields, TraceFields } from '../../to-ingestion/trace-fields.js';
import type { ToIngestionOptions } from '../../to-ingestion/traces.js';
import { mergeTraceFields, writeTraceFields } from '../../to-ingestion/traces.js';
import { traceAttributes } from '../../to-otel/attributes.js';
import { addTraceKeys } from '../attributes.js';
import { otlpSpanBytes } from '../fit.js';
import { LangfuseOtlpSpan, OtlpSpanPool } from '../otlp-span.js';
import { aiSdkObservation, CommonFieldsMemo } from './ai-sdk.js';
import type { DirectObservation } from './observation.js';
import { DECLINE, DeclineSink, directObservation } from './observation.js';

/** Langfuse rejects a trace-create whose name is longer than this; the general path cuts it (an issue). */
const MAX_TRACE_NAME_CHARS = 1000;


const SINK = new DeclineSink();

/** Keys only our reverse mapping writes (bridge markers and original ids): its spans go the general way. */
function fromBridge(view: SpanView): boolean {
  const { attrs } = view;
  return view.scope.name === BRIDGE_SCOPE_NAME || attrs.hasPrefix('langfuse.bridge.') || attrs.has(LF.observationId) || attrs.has(LF.traceId);
}

/** Scores our reverse mapping carries as span events: the general path sends them. */
function carriesScores(view: SpanView): boolean {
  const { events } = view;
  for (let i = 0; i < events.length; i++) if ((events[i] as { name: string }).name === SCORE.event) return true;
  return false;
}

/** Start time, then span id (no span id is there twice). */
function compareStart(a: DirectObservation, b: DirectObservation): number {
  const byTime = compareHrTime(a.view.start, b.view.start);
  return byTime !== 0 ? byTime : a.view.spanId < b.view.spanId ? -1 : a.view.spanId > b.view.spanId ? 1 : 0;
}

/** The trace's fields as traceBody merges them: the root's first, then each member's in order. */
function traceFields(members: readonly DirectObservation[], root: DirectObservation | undefined): Record<string, unknown> {
  const fields: TraceFields = {};
  const common: CommonFields = {};
  if (root !== undefined) merge(fields, common, root);
  for (let i = 0; i < members.length; i++) if (members[i] !== root) merge(fields, common, members[i] as DirectObservation);
  if (root !== undefined) {
    fields.name ??= root.name;
    if (fields.input === undefined && root.input !== undefined) fields.input = root.input;
    if (fields.output === undefined && root.output !== undefined) fields.output = root.output;
  }
  if (fields.name !== undefined && fields.name.length > MAX_TRACE_NAME_CHARS) throw DECLINE;
  const body: Record<string, unknown> = {};
  writeTraceFields(body, fields, common);
  return body;
}

function merge(into: TraceFields, common: CommonFields, m: DirectObservation): void {
  apart(mergeTraceFields, into, m.trace);
  common.release ??= m.common.release;
}

/** The member that carries the trace's input and output: the root, else the first with no parent, else the first that stated them, else the first. */
function ioCarrier(members: readonly DirectObservation[], root: DirectObservation | undefined): DirectObservation | undefined {
  if (root !== undefined) return root;
  for (let i = 0; i < members.length; i++) if ((members[i] as DirectObservation).parentSpanId === undefined) return members[i];
  for (let i = 0; i < members.length; i++) {
    const t = (members[i] as DirectObservation).trace;
    if (t.input !== undefined || t.output !== undefined) return members[i];
  }
  return members[0];
}

function otlpSpan(d: DirectObservation, keys: Attributes, traceIo: Record<string, unknown> | undefined, pool: OtlpSpanPool, maxSpanBytes: number): LangfuseOtlpSpan {
  const { view } = d;
  const out = d.attributes;
  addTraceKeys(out, keys, traceIo, d.input, d.output, view.scope.name);
  const context: SpanContext = { traceId: view.traceId, spanId: view.spanId, traceFlags: view.traceFlags };
  if (view.traceState !== undefined) context.traceState = new TraceState(view.traceState);
  const span = new LangfuseOtlpSpan({
    context,
    parentSpanId: d.parentSpanId,
    name: d.name,
    kind: view.kind,
    startTime: view.start,
    endTime: view.end,
    status: view.status,
    attributes: out,
    resource: pool.resource(view.resource),
    scope: pool.scope(view.scope),
  });
  // A span over the cap is cut by the general path (an issue each).
  const bound = otlpSpanBytes(span, false);
  if (maxSpanBytes > 0 && bound > maxSpanBytes) throw DECLINE;
  span.bytesBound = bound;
  return span;
}

/** The call's spans for Langfuse's OTLP endpoint, or undefined when the general path must map them. */
export function directLangfuseOtlp(spans: readonly ReadableSpan[], options: ToIngestionOptions, maxSpanBytes: number, aiSdk = true): ReadableSpan[] | undefined {
  try {
    return direct(spans, options, maxSpanBytes, aiSdk);
  } catch {
    // DECLINE, or a reader that threw: the general path skips such a span with an issue.
    return undefined;
  }
}

/** `aiSdk`: AI SDK spans are read by aiSdkObservation (off only for the test that holds the two equal). */
function direct(spans: readonly ReadableSpan[], options: ToIngestionOptions, maxSpanBytes: number, aiSdk: boolean): ReadableSpan[] {
  const maxBytes = options.maxAttributeBytes ?? DEFAULT_MAX_ATTRIBUTE_BYTES;
  const defaults: CommonFields = {};
  if (options.environment !== undefined) defaults.environment = options.environment;
  if (options.release !== undefined) defaults.release = options.release;
  const opts = { legacyTypes: options.legacyTypes === true, defaults };
  // No ISO times: the spans carry their times as they are, and no reader here uses them.
  const cache = new SpanViewCache(false);
  const commons = new CommonFieldsMemo();
  const ids = new Set<string>();
  const traces = new Map<string, DirectObservation[]>();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as ReadableSpan;
    let d = aiSdk ? aiSdkObservation(span, opts, maxBytes, cache, commons) : undefined;
    if (d === undefined) {
      const view = toSpanView(span, SINK, maxBytes, cache) as SpanView;
      if (fromBridge(view) || carriesScores(view)) throw DECLINE;
      d = directObservation(view, opts, SINK);
    }
    const { spanId, traceId } = d.view;
    if (ids.has(spanId)) throw DECLINE;
    ids.add(spanId);
    const members = traces.get(traceId);
    if (members === undefined) traces.set(traceId, [d]);
    else members.push(d);
  }
  const traceIds = [...traces.keys()].sort();
  const pool = new OtlpSpanPool();
  const out: ReadableSpan[] = [];
  for (let t = 0; t < traceIds.length; t++) {
    const traceId = traceIds[t] as string;
    const members = traces.get(traceId) as DirectObservation[];
    // A parent that is no span of the call may be the synthetic root our reverse mapping makes for a trace: then the span hangs under the trace itself.
    let rootSpanId: string | undefined;
    let root: DirectObservation | undefined;
    for (let i = 0; i < members.length; i++) {
      const d = members[i] as DirectObservation;
      const parent = d.parentSpanId;
      if (parent === undefined || ids.has(parent)) continue;
      rootSpanId ??= syntheticRootSpanId(traceId);
      if (parent === rootSpanId) d.parentSpanId = undefined;
    }
    // The builtin sort (stable; no two members tie: a span id twice declines the call): cheaper than sortFew here, warm and cold.
    members.sort(compareStart);
    for (let i = 0; i < members.length && root === undefined; i++) if ((members[i] as DirectObservation).isRoot) root = members[i];
    const body = traceFields(members, root);
    const keys = traceAttributes(body, undefined);
    const carrier = body.input !== undefined || body.output !== undefined ? ioCarrier(members, root) : undefined;
    for (let i = 0; i < members.length; i++) {
      const d = members[i] as DirectObservation;
      out.push(otlpSpan(d, keys, d === carrier ? body : undefined, pool, maxSpanBytes));
    }
  }
  return out;
}
