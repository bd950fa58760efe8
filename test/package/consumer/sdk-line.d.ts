/**
 * The module the package test writes into each consumer project as `sdk-line.ts` (see
 * ../lines.ts): one OpenTelemetry JS line's trace SDK, started through `@opentelemetry/sdk-node`.
 * Declared here against the 2.x devDependencies, so the consumer code type-checks in this repository.
 */
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export type { ReadableSpan, SpanExporter, SpanProcessor };

/** A SimpleSpanProcessor: 2.x takes the exporter, 3.x `{ exporter }`. */
export declare function simpleProcessor(exporter: SpanExporter): SpanProcessor;

/** A BatchSpanProcessor: 2.x takes the exporter, 3.x `{ exporter }`. */
export declare function batchProcessor(exporter: SpanExporter): SpanProcessor;

/** Starts the SDK as an application does, with this one span processor; returns its shutdown. */
export declare function startTracing(processor: SpanProcessor): () => Promise<void>;
