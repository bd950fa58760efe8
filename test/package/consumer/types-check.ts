/**
 * Type-checked (never run) in each consumer project with `moduleResolution` node16 (as ESM and as
 * CommonJS), bundler and node10: the published declarations resolve for `.`, `./mapping` and
 * `./receiver`, name no SDK package, and fit the line's own SDK types in both directions.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { LangfuseSpanExporter } from 'otel-langfuse-bridge';
import type { LangfuseSpanExporterOptions } from 'otel-langfuse-bridge';
import { ingestionToSpans, spansToIngestion } from 'otel-langfuse-bridge/mapping';
import type { IngestionEvent, MappingResult } from 'otel-langfuse-bridge/mapping';
import { createReceiver } from 'otel-langfuse-bridge/receiver';
import type { ReceiverOptions } from 'otel-langfuse-bridge/receiver';
import { batchProcessor } from './sdk-line.js';
import type { ReadableSpan, SpanExporter } from './sdk-line.js';

/** `true` only for `any`: a declaration that failed to resolve would silently become `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;
type Resolved<T> = IsAny<T> extends true ? never : T;

export const resolved: [
  Resolved<LangfuseSpanExporter>,
  Resolved<LangfuseSpanExporterOptions>,
  Resolved<ReceiverOptions['exporter']>,
  Resolved<Parameters<typeof spansToIngestion>[0][number]>,
  Resolved<ReturnType<typeof ingestionToSpans>['value'][number]>,
  Resolved<ReadableSpan['resource']>,
] = [] as never;

// Ours where the SDK's is expected: the exporter in the line's span processor, our spans in the
// line's exporter.
export const exporter: SpanExporter = new LangfuseSpanExporter({ output: { file: 'spans.jsonl' } });
export const processor = batchProcessor(new LangfuseSpanExporter());
export const ourSpans: ReadableSpan[] = ingestionToSpans([]).value;
new OTLPTraceExporter().export(ingestionToSpans([]).value, (result) => result.code);

// The SDK's where ours is expected: the line's spans in the mapping, the line's exporter in the
// receiver.
export function fromSdk(spans: ReadableSpan[]): MappingResult<IngestionEvent[]> {
  return spansToIngestion(spans);
}
export const receiver = createReceiver({ exporter: new OTLPTraceExporter() });
