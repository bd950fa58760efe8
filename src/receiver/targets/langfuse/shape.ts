/**
 * The receiver's spans in the shape Langfuse v4 stores as the client meant it (langfuse-v4.md,
 * "What follows for us"): every span is one observation, so
 * - no synthetic root where the trace has observations: the trace's own fields are on every span
 *   already; its input/output move to the top-level observations, which lose their parent;
 * - a trace with no observation keeps its root (it carries the trace);
 * - observations that come late (their root went out earlier) become top-level too, and get the
 *   trace's fields from the last time the trace was sent;
 * - scores are not span events: they go through the ingestion endpoint (./scores.ts).
 * Span ids stay the deterministic ids of the mapping; the original Langfuse ids stay in
 * `langfuse.trace.id` / `langfuse.observation.id`.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { syntheticRootSpanId } from '../../../mapping/ids.js';
import { LF, OTEL, SCORE } from '../../../mapping/keys.js';

/** The trace-level keys every span of a trace carries for Langfuse. */
const TRACE_KEYS = [
  LF.traceName, LF.traceTags, LF.tracePublic, LF.environment, LF.release, LF.version, OTEL.userId, OTEL.sessionId,
] as const;

function traceFieldsOf(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const key of TRACE_KEYS) if (attributes[key] !== undefined) out[key] = attributes[key];
  for (const key of Object.keys(attributes)) if (key.startsWith(LF.traceMetadataPrefix)) out[key] = attributes[key];
  return out;
}

/** Remembers the trace fields last sent per trace, bounded, for observations that come late. */
export class TraceFieldMemory {
  private readonly _fields = new Map<string, Attributes>();
  private readonly _max: number;

  constructor(max = 100_000) {
    this._max = max;
  }

  remember(traceId: string, fields: Attributes): void {
    const merged = { ...this._fields.get(traceId), ...fields };
    this._fields.delete(traceId);
    this._fields.set(traceId, merged);
    if (this._fields.size > this._max) this._fields.delete(this._fields.keys().next().value as string);
  }

  get(traceId: string): Attributes | undefined {
    return this._fields.get(traceId);
  }
}

function withChanges(span: ReadableSpan, attributes: Attributes, topLevel: boolean): ReadableSpan {
  const events = span.events.filter((e) => e.name !== SCORE.event);
  return { ...span, attributes, events, ...(topLevel ? { parentSpanContext: undefined } : {}) };
}

/** The spans as Langfuse v4 should store them (see above); `memory` learns each trace's fields. */
export function shapeForLangfuse(spans: readonly ReadableSpan[], memory: TraceFieldMemory): ReadableSpan[] {
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    if (span.name === SCORE.event && span.attributes[LF.observationType] === undefined) continue; // a score of no observation
    const traceId = String(span.attributes[LF.traceId] ?? span.spanContext().traceId);
    const list = byTrace.get(traceId);
    if (list) list.push(span);
    else byTrace.set(traceId, [span]);
  }
  const out: ReadableSpan[] = [];
  for (const [traceId, members] of byTrace) {
    const rootId = syntheticRootSpanId(traceId);
    const root = members.find((s) => s.spanContext().spanId === rootId && s.attributes[LF.bridgeSyntheticRoot] !== undefined);
    const observations = members.filter((s) => s !== root);
    const update = observations.find((s) => s.attributes[LF.bridgeTraceUpdate] === true);
    const known = root ?? update;
    if (known !== undefined) memory.remember(traceId, traceFieldsOf(known.attributes));
    const remembered = memory.get(traceId) ?? {};
    const io: Attributes = {};
    for (const key of [LF.traceInput, LF.traceOutput]) if (known?.attributes[key] !== undefined) io[key] = known.attributes[key];
    if (root !== undefined && observations.length === 0) {
      out.push(withChanges(root, root.attributes, true));
      continue;
    }
    for (const span of observations) {
      const topLevel = span.parentSpanContext?.spanId === rootId;
      // Late spans, and those of a trace whose fields came after them, get the trace's fields.
      const attributes: Attributes = { ...remembered, ...span.attributes, ...(topLevel ? io : {}) };
      out.push(withChanges(span, attributes, topLevel));
    }
  }
  return out;
}
