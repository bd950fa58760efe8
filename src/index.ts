/**
 * otel-langfuse-bridge: OpenTelemetry GenAI spans <-> Langfuse ingestion events.
 * The pure mapping is also available on its own as `otel-langfuse-bridge/mapping`.
 */
export { VERSION } from './version.js';
export { LangfuseSpanExporter } from './exporter/langfuse-span-exporter.js';
export type { LangfuseSpanExporterOptions } from './exporter/options.js';
export { ConfigurationError } from './config/errors.js';
export { DeliveryError, EventTypeNotAcceptedError } from './exporter/errors.js';
// From the modules themselves, not ./mapping/index.js: an entry that imports another entry's
// index makes the bundler emit an empty shared chunk for it.
export { spansToIngestion } from './mapping/to-ingestion/index.js';
export { ingestionToSpans } from './mapping/to-otel/index.js';
export { otlpJsonToSpans } from './otlp/otlp-json.js';
export { spanDumpToReadableSpans } from './mapping/span-dump.js';
export type {
  IngestionEvent,
  IssueCode,
  MappingIssue,
  MappingResult,
  ToIngestionOptions,
  ToOtelOptions,
} from './mapping/index.js';
