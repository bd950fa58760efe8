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
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { setImmediate } from 'node:timers/promises';
import { createOtlpTransport } from '../src/exporter/otlp-transport.js';
import type { OtlpTransport } from '../src/exporter/otlp-transport.js';
import { LAST_PARTS_SPANS, partsByTrace, SPANS_PER_PART } from '../src/exporter/parts.js';
import { LangfuseOtlpSpan } from '../src/mapping/to-langfuse-otlp/index.js';
import { encodeTraceRequest } from '../src/otlp/otlp-encoder.js';

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

export class OtlpFloorExporter implements SpanExporter {
  private readonly _transport: OtlpTransport;

  constructor(options: { baseUrl: string; publicKey: string; secretKey: string }) {
    this._transport = createOtlpTransport(options);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this._export(spans).then(
      (ok) => done(ok ? { code: 0 } : { code: 1, error: new Error('a request failed') }),
      (error: unknown) => done({ code: 1, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  private async _export(spans: ReadableSpan[]): Promise<boolean> {
    const answers: Array<Promise<{ kind: string }>> = [];
    for (const part of partsByTrace(spans, SPANS_PER_PART, LAST_PARTS_SPANS)) {
      if (answers.length > 0) await setImmediate();
      const floor = floorPart(part);
      answers.push(this._transport.send(encodeTraceRequest(floor, 65_536), 10_000));
    }
    return (await Promise.all(answers)).every((a) => a.kind === 'ok');
  }

  shutdown(): Promise<void> {
    return this._transport.shutdown();
  }
}
