/**
 * The attributes of a span bound for Langfuse's OTLP endpoint: only the `langfuse.*` keys
 * (langfuse-v4.md), written from the observation and trace bodies the forward mapping decided, by
 * the same writer the reverse direction uses. No dialect keys and no GenAI twins: Langfuse's v4
 * write path reads the `langfuse.*` keys first, and would otherwise run its own fallbacks on the
 * rest (design.md section 13).
 */
import type { Attributes } from '@opentelemetry/api';
import { AI, LF } from '../keys.js';
import type { Mapped } from '../to-ingestion/traces.js';
import { jsonText, observationAttributes, traceAttributes } from '../to-otel/attributes.js';

/**
 * The trace's keys, repeated on every span of the trace: Langfuse's direct v4 path reads trace
 * name, user, session, tags, public, release and metadata from each span, with no root fallback.
 */
export function traceKeys(trace: Record<string, unknown> | undefined): Attributes {
  return trace === undefined ? {} : traceAttributes(trace, undefined);
}

/**
 * Every key of one observation's span: its own fields (its metadata holds no resource and scope:
 * the span carries its own), its trace's `keys`, and, when `traceIo` is given (on the trace's
 * root), the trace's input and output where they differ from the span's own. Langfuse v4 has no
 * trace input or output: the root observation's are the trace's (migration-to-v4.mdx); the
 * `langfuse.trace.*` keys are kept, as Langfuse does, for trace-level evaluators when they were
 * set apart from the root's own. Original Langfuse ids are written only
 * when they differ from the span's ids (spans made by our reverse mapping from non-hex ids).
 */
export function observationKeys(m: Mapped, keys: Attributes, traceIo: Record<string, unknown> | undefined): Attributes {
  const { obs, view } = m;
  const body = obs.body;
  const id = String(body.id);
  const out = observationAttributes(obs.type, body, id === view.spanId ? undefined : id, 'langfuse');
  if (body.traceId !== view.traceId) out[LF.traceId] = String(body.traceId);
  addTraceKeys(out, keys, traceIo, body.input, body.output, view.scope.name);
  return out;
}

/**
 * The keys every span of a trace shares, then, when `traceIo` is given (on the span that carries
 * the trace's input and output), the trace's input and output where they differ from the span's
 * own (`input`, `output`), then the AI SDK's defaults.
 */
export function addTraceKeys(out: Attributes, keys: Attributes, traceIo: Record<string, unknown> | undefined, input: unknown, output: unknown, scopeName: string): void {
  for (const key in keys) out[key] = keys[key];
  if (traceIo !== undefined) {
    const trace = traceIo;
    if (trace.input !== undefined && trace.input !== null && trace.input !== input) out[LF.traceInput] = jsonText(trace.input);
    if (trace.output !== undefined && trace.output !== null && trace.output !== output) out[LF.traceOutput] = jsonText(trace.output);
  }
  // Under the AI SDK's scope Langfuse fills absent parameters and usage from `ai.*` keys
  // (OtelIngestionProcessor extractModelParameters / extractUsageDetails): nulls and {input: 0,
  // output: 0} on spans the mapping gave none. An explicit empty object is what it then stores.
  if (scopeName === AI.scope) {
    if (out[LF.modelParameters] === undefined) out[LF.modelParameters] = '{}';
    if (out[LF.usageDetails] === undefined) out[LF.usageDetails] = '{}';
  }
}
