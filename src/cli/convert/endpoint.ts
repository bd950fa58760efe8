/**
 * `--endpoint`: requests POSTed by the stock OTLP/HTTP protobuf exporter (its retries, timeouts
 * and `OTEL_EXPORTER_OTLP_*` headers), a few at a time: each request is serialised and sent while
 * the next one is mapped. A request the endpoint refuses for good is an issue naming its span
 * count; the exporter's result is the only acknowledgement counted.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Requests in flight at once: enough to overlap mapping with the network, few enough for memory. */
export const REQUESTS_IN_FLIGHT = 4;

export interface EndpointCounts {
  /** Requests sent and acknowledged. */
  requests: number;
  /** Spans in acknowledged requests. */
  spans: number;
}

export interface EndpointSender {
  send(spans: ReadableSpan[]): Promise<void>;
  /** Waits for every request in flight and shuts the exporter down. */
  close(): Promise<void>;
  readonly counts: EndpointCounts;
}

/** `onFailure` gets the message of each request refused for good. */
export function createEndpointSender(exporter: SpanExporter, url: string, onFailure: (message: string) => void): EndpointSender {
  const counts: EndpointCounts = { requests: 0, spans: 0 };
  const inFlight = new Set<Promise<void>>();
  const exportOnce = async (spans: ReadableSpan[]): Promise<void> => {
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    if (result.code === ExportResultCode.SUCCESS) {
      counts.requests++;
      counts.spans += spans.length;
    } else {
      const why = result.error?.message.slice(0, 300) ?? 'unknown error';
      onFailure(`OTLP export of ${spans.length} spans to ${url} failed: ${why}`);
    }
  };
  return {
    counts,
    async send(spans) {
      while (inFlight.size >= REQUESTS_IN_FLIGHT) await Promise.race(inFlight);
      const pending = exportOnce(spans).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    },
    async close() {
      await Promise.all(inFlight);
      await exporter.shutdown();
    },
  };
}
