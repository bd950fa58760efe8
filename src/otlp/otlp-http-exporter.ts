/**
 * The OTLP/HTTP protobuf exporter of `@opentelemetry/exporter-trace-otlp-proto`, built as it builds
 * itself (the same options and `OTEL_EXPORTER_OTLP_*` environment, transport, timeouts and
 * retries), for items our own code turns into the request bytes.
 */
import type { OTLPExporterConfigBase } from '@opentelemetry/otlp-exporter-base';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

/**
 * @param serialize the request bytes of an export's items
 * @param countItems the spans in an export's items (for the exporter's own metrics)
 */
export function protobufHttpExporter<T>(config: OTLPExporterConfigBase, serialize: (items: T) => Uint8Array, countItems: (items: T) => number): OTLPExporterBase<T> {
  const serializer = {
    serializeRequest: serialize,
    deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  const options = convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
  return new OTLPExporterBase(createOtlpHttpExportDelegate(options, serializer, 'otlp_http_span_exporter', { name: 'span', countItems }, undefined));
}
