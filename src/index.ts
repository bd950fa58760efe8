/**
 * otel-langfuse-bridge: OpenTelemetry GenAI spans <-> Langfuse ingestion events.
 * The pure mapping is also available on its own as `otel-langfuse-bridge/mapping`.
 */
export { VERSION } from './version.js';
export { spansToIngestion, spanDumpToReadableSpans } from './mapping/index.js';
export type {
  IngestionEvent,
  IssueCode,
  MappingIssue,
  MappingResult,
  ToIngestionOptions,
} from './mapping/index.js';
