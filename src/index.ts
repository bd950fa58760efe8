/**
 * otel-langfuse-bridge: OpenTelemetry GenAI spans <-> Langfuse ingestion events.
 * The pure mapping is also available on its own as `otel-langfuse-bridge/mapping`.
 */
export { VERSION } from './version.js';
export { LangfuseSpanExporter } from './exporter/langfuse-span-exporter.js';
export type { LangfuseSpanExporterOptions } from './exporter/options.js';
export { ConfigurationError } from './config/errors.js';
export { DeliveryError, EventTypeNotAcceptedError } from './exporter/errors.js';
export { ingestionToSpans, otlpJsonToSpans, spanDumpToReadableSpans, spansToIngestion } from './mapping/index.js';
export type {
  IngestionEvent,
  IssueCode,
  MappingIssue,
  MappingResult,
  ToIngestionOptions,
  ToOtelOptions,
} from './mapping/index.js';
