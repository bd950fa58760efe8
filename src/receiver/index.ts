/**
 * otel-langfuse-bridge/receiver: an HTTP server that speaks Langfuse's ingestion API to any
 * Langfuse client and forwards complete traces as OTLP (design.md 9).
 */
export { createReceiver } from './create-receiver.js';
export type { Receiver, ReceiverStats } from './create-receiver.js';
export { defaultSpoolDir, RECEIVER_DEFAULTS } from './options.js';
export type { ReceiverOptions } from './options.js';
export type { ReceiverKeyPair } from './http/auth.js';
export type { Clock } from './clock.js';
export type { ForwarderLimits } from './forwarder/forwarder.js';
export type { ServerLimits } from './http/server.js';
export { OtlpJsonLinesFileExporter } from './targets/file-exporter.js';
export { consoleTreeTarget, formatTraceTrees } from './targets/console-tree.js';
export { fanOut } from './targets/fan-out.js';
export { otlpTarget, OTLP_PROTOCOLS } from './targets/otlp.js';
export type { OtlpProtocol, OtlpTargetOptions } from './targets/otlp.js';
export { spanExporterTarget } from './targets/span-exporter.js';
export { langfuseTarget } from './targets/langfuse/target.js';
export type { LangfuseTargetOptions } from './targets/langfuse/target.js';
export type { ExportBatch, ReceiverTarget, TargetOutcome } from './targets/target.js';
export { ConfigurationError } from '../config/errors.js';
