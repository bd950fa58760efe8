/**
 * The OpenTelemetry JS lines the package must install beside and work with (README "Install and
 * compatibility"), as a user installs them: the SDK packages, and the Node they need (3.x on both
 * Node lines its users run: 22 and 24).
 */

export interface OtelLine {
  readonly name: string;
  /** Major version of Node to run it on: the running Node, or one from the npm registry. */
  readonly nodeMajor: number;
  /** Where this line's `ReadableSpan`, `SpanExporter` and span processors come from. */
  readonly tracePackage: string;
  /** How a span processor takes its exporter: `new BatchSpanProcessor(exporter)` or `({ exporter })`. */
  readonly processorArgument: 'exporter' | '{ exporter }';
  /** What `npm install` gets beside the tarball. */
  readonly dependencies: readonly string[];
}

/** OpenTelemetry JS 3.x (`sdk-node` 0.301 and `sdk-trace` 3.x need Node >= 22.15) on a Node line. */
function otel3On(nodeMajor: number): OtelLine {
  return {
    name: `OpenTelemetry JS 3.x on Node ${nodeMajor}`,
    nodeMajor,
    tracePackage: '@opentelemetry/sdk-trace',
    processorArgument: '{ exporter }',
    dependencies: [
      '@opentelemetry/api@~1.10.0',
      '@opentelemetry/sdk-node@~0.301.0',
      '@opentelemetry/sdk-trace@^3.1.0',
      '@opentelemetry/exporter-trace-otlp-proto@~0.301.0',
    ],
  };
}

export const OTEL_LINES: readonly OtelLine[] = [
  {
    name: 'OpenTelemetry JS 2.x on Node 20',
    nodeMajor: 20,
    tracePackage: '@opentelemetry/sdk-trace-base',
    processorArgument: 'exporter',
    dependencies: [
      '@opentelemetry/api@~1.9.0',
      '@opentelemetry/sdk-node@~0.223.0',
      '@opentelemetry/sdk-trace-base@~2.12.0',
      '@opentelemetry/exporter-trace-otlp-proto@~0.223.0',
    ],
  },
  otel3On(22),
  otel3On(24),
];

/** consumer/sdk-line.ts for one line (consumer/sdk-line.d.ts declares it for this repository). */
export function sdkLineSource(line: OtelLine): string {
  return `import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor } from '${line.tracePackage}';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '${line.tracePackage}';

export type { ReadableSpan, SpanExporter, SpanProcessor };

export function simpleProcessor(exporter: SpanExporter): SpanProcessor {
  return new SimpleSpanProcessor(${line.processorArgument});
}

export function batchProcessor(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor(${line.processorArgument});
}

export function startTracing(processor: SpanProcessor): () => Promise<void> {
  const sdk = new NodeSDK({ serviceName: 'package-smoke', spanProcessors: [processor], autoDetectResources: false });
  sdk.start();
  return () => sdk.shutdown();
}
`;
}
