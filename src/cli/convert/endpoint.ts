/**
 * `--endpoint`: requests POSTed by the stock OTLP/HTTP exporter machinery of
 * `@opentelemetry/otlp-exporter-base` (its retries, timeouts, and `OTEL_EXPORTER_OTLP_*` URL and
 * headers), a few at a time: each request goes out while the next one is filled. The requests
 * come encoded (./protobuf-request.ts writes the stock serializer's bytes), so the exporter only
 * sends them. A request the endpoint refuses for good is an issue naming its span count; the
 * exporter's result is the only acknowledgement counted.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { protobufHttpExporter } from '../../otlp/otlp-http-exporter.js';
import type { EncodedRequest } from './protobuf-request.js';

/** Requests in flight at once: enough to overlap mapping with the network, few enough for memory. */
export const REQUESTS_IN_FLIGHT = 4;

export interface EndpointCounts {
  /** Requests sent and acknowledged. */
  requests: number;
  /** Spans in acknowledged requests. */
  spans: number;
}

/** What sends one request: `export` calls back once with the outcome; `shutdown` waits for what is in flight. */
export interface RequestExporter {
  export(request: EncodedRequest, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

export interface EndpointSender {
  send(request: EncodedRequest): Promise<void>;
  /** Waits for every request in flight and shuts the exporter down. */
  close(): Promise<void>;
  readonly counts: EndpointCounts;
}

/**
 * The OTLP/HTTP protobuf exporter of `@opentelemetry/exporter-trace-otlp-proto` (the same
 * configuration: `url`, else `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`/`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * headers, timeout, retries), for requests already encoded.
 */
export function otlpHttpExporter(url: string, headers?: Readonly<Record<string, string>>): RequestExporter {
  const config = { url, ...(headers === undefined ? {} : { headers: { ...headers } }) };
  return protobufHttpExporter(config, (request: EncodedRequest) => request.body, (request) => request.spans);
}

/** `onFailure` gets the message of each request refused for good. */
export function createEndpointSender(exporter: RequestExporter, url: string, onFailure: (message: string) => void): EndpointSender {
  const counts: EndpointCounts = { requests: 0, spans: 0 };
  const inFlight = new Set<Promise<void>>();
  const exportOnce = async (request: EncodedRequest): Promise<void> => {
    const result = await new Promise<ExportResult>((resolve) => exporter.export(request, resolve));
    request.release();
    if (result.code === ExportResultCode.SUCCESS) {
      counts.requests++;
      counts.spans += request.spans;
    } else {
      const why = result.error?.message.slice(0, 300) ?? 'unknown error';
      onFailure(`OTLP export of ${request.spans} spans to ${url} failed: ${why}`);
    }
  };
  return {
    counts,
    async send(request) {
      while (inFlight.size >= REQUESTS_IN_FLIGHT) await Promise.race(inFlight);
      const pending = exportOnce(request).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    },
    async close() {
      await Promise.all(inFlight);
      await exporter.shutdown();
    },
  };
}
