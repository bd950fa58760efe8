/**
 * otel-langfuse-bridge/mapping: the pure mapping functions and their types. No I/O, no clocks,
 * no randomness: the same input always gives the same output.
 */
export type { IssueCode, MappingIssue, MappingResult } from './result.js';
export { spansToIngestion } from './to-ingestion/index.js';
export type { ToIngestionOptions } from './to-ingestion/index.js';
export { ingestionToSpans, DEFAULT_OTLP_ATTRIBUTE_BYTES } from './to-otel/index.js';
export type { ToOtelOptions } from './to-otel/index.js';
export { IngestionSpanStream } from './to-otel/stream.js';
export type { IngestionStreamOptions } from './to-otel/stream.js';
export type { AttributeDialect } from './to-otel/attributes.js';
export { mergeEvents } from './to-otel/merge.js';
export type { MergeResult, MergedObservation, MergedScore, MergedTrace } from './to-otel/types.js';
export { otlpJsonToSpans } from '../otlp/otlp-json.js';
export { decodeOtlpTraceRequest, otlpProtobufToSpans } from '../otlp/otlp-proto.js';
export { spanDumpToReadableSpans } from './span-dump.js';
export type { SpanDump } from './span-dump.js';
export {
  INGESTION_EVENT_TYPES,
  OBSERVATION_TYPES,
  ingestionBatchSchema,
  ingestionEventSchema,
  parseIngestionEvent,
} from './schema.js';
export type {
  CostDetails,
  EventBody,
  GenerationBody,
  IngestionEvent,
  IngestionEventType,
  Level,
  ModelParameters,
  ObservationType,
  ScoreBody,
  SpanBody,
  TraceBody,
  UsageDetails,
} from './schema.js';
export { compareHrTime, hrTimeToIso, isoToHrTime, parseIso } from './time.js';
export type { ParsedIso } from './time.js';
export {
  envelopeId,
  syntheticRootSpanId,
  toLangfuseObservationId,
  toLangfuseTraceId,
  toOtelSpanId,
  toOtelTraceId,
} from './ids.js';
export { AI, GENAI, LF, META, OI, OTEL, TRACELOOP } from './keys.js';
