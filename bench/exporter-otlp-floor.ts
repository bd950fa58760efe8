/**
 * The OTLP exporter's floor: the least an exporter that normalises spans into Langfuse's
 * `langfuse.*` keys and reports honestly has to do, with none of the rules. Per span, one pass
 * over its attributes: a fixed table of keys goes to the `langfuse.*` key it names (values as
 * they are, no JSON parsed, no precedence, no dialect), the rest into the metadata as one sorted
 * JSON text (as the mapping keeps unused attributes); a usage object as JSON; the trace's fields
 * (read from the trace's root) repeated on every span. Then our own encoder (src/otlp) and
 * transport (src/exporter/otlp-transport.ts), in the same parts of whole traces as our exporter,
 * each part's POST going out while the next part is mapped, and the callback once every answer
 * came. No span filter, no ids checked, no size caps, no retries, no issues.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { LangfuseOtlpSpan } from '../src/mapping/to-langfuse-otlp/index.js';
import { OtlpPartsExporter } from './otlp-parts-exporter.js';

/** Source key -> `langfuse.*` key: one of each kind the mapping writes. */
const DIRECT: Readonly<Record<string, string>> = {
  'ai.prompt': 'langfuse.observation.input',
  'ai.prompt.messages': 'langfuse.observation.input',
  'ai.response.text': 'langfuse.observation.output',
  'ai.model.id': 'langfuse.observation.model.name',
  'ai.settings.maxRetries': 'langfuse.observation.model.parameters',
};
/** Trace-level source keys, repeated on every span of the trace. */
const TRACE: Readonly<Record<string, string>> = {
  'ai.telemetry.metadata.userId': 'user.id',
  'ai.telemetry.metadata.sessionId': 'session.id',
  'ai.telemetry.metadata.tags': 'langfuse.trace.tags',
};
const USAGE: Readonly<Record<string, string>> = {
  'ai.usage.promptTokens': 'input',
  'ai.usage.completionTokens': 'output',
  'ai.usage.inputTokens': 'input',
  'ai.usage.outputTokens': 'output',
};

function floorSpan(span: ReadableSpan, traceKeys: Attributes): LangfuseOtlpSpan {
  const source = span.attributes;
  const attributes: Attributes = { 'langfuse.observation.type': span.parentSpanContext === undefined ? 'span' : 'generation' };
  const rest: Record<string, unknown> = {};
  let usage: Record<string, unknown> | undefined;
  const keys = Object.keys(source).sort();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = source[key];
    const direct = DIRECT[key];
    if (direct !== undefined) attributes[direct] = typeof value === 'string' ? value : JSON.stringify(value);
    else if (USAGE[key] !== undefined) (usage ??= {})[USAGE[key]] = value;
    else if (TRACE[key] === undefined) rest[key] = value;
  }
  if (usage !== undefined) attributes['langfuse.observation.usage_details'] = JSON.stringify(usage);
  attributes['langfuse.observation.metadata.attributes'] = JSON.stringify(rest);
  for (const key in traceKeys) attributes[key] = traceKeys[key];
  const ctx = span.spanContext();
  return new LangfuseOtlpSpan({
    context: ctx,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes,
    resource: span.resource,
    scope: span.instrumentationScope,
  });
}

/** One part's spans, the trace keys read from each trace's root. */
function floorPart(spans: readonly ReadableSpan[]): LangfuseOtlpSpan[] {
  const traces = new Map<string, Attributes>();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as ReadableSpan;
    if (span.parentSpanContext !== undefined) continue;
    const keys: Attributes = { 'langfuse.trace.name': span.name };
    for (const key in TRACE) if (span.attributes[key] !== undefined) keys[TRACE[key] as string] = span.attributes[key];
    traces.set(span.spanContext().traceId, keys);
  }
  const out: LangfuseOtlpSpan[] = [];
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as ReadableSpan;
    out.push(floorSpan(span, traces.get(span.spanContext().traceId) ?? {}));
  }
  return out;
}

/** The floor as an exporter: floorPart in our parts, encoder and transport. */
export class OtlpFloorExporter extends OtlpPartsExporter {
  constructor(options: { baseUrl: string; publicKey: string; secretKey: string }) {
    super(options, floorPart);
  }
}
