/** The span sinks of ingestion -> OTLP: OTLP/JSON lines, an OTLP endpoint, or only counts (--dry-run). */
import type { SpanRecord } from '../../mapping/span-record.js';
import { Batcher } from './batches.js';
import type { RequestBounds } from './batches.js';
import { createEndpointSender } from './endpoint.js';
import type { RequestExporter } from './endpoint.js';
import { JsonRequestBuilder } from './json-request.js';
import type { LineOutput } from './output.js';
import { ProtobufRequestBuilder } from './protobuf-request.js';
import type { Reporter } from './report.js';
import type { SpanSink } from './to-otlp.js';

/** One `ExportTraceServiceRequest` per line, what the Collector's `otlpjsonfile` receiver reads. */
export function jsonLinesSink(output: LineOutput, bounds: RequestBounds, reporter: Reporter): SpanSink {
  const totals = reporter.totals;
  const batcher = new Batcher(bounds, new JsonRequestBuilder(), async (line, spans) => {
    await output.write(line.bytes, () => line.release());
    totals.requests++;
    totals.spans += spans;
  });
  return { add: (spans) => batcher.add(spans), end: () => batcher.flush() };
}

/** POSTs through `exporter`; spans count once acknowledged. */
export function endpointSink(exporter: RequestExporter, url: string, bounds: RequestBounds, reporter: Reporter): SpanSink {
  const totals = reporter.totals;
  const sender = createEndpointSender(exporter, url, (message) => void reporter.report('export', [{ code: 'SKIPPED', message }]));
  const batcher = new Batcher(bounds, new ProtobufRequestBuilder(), async (request) => {
    totals.requests++;
    await sender.send(request);
  });
  return {
    add: (spans) => batcher.add(spans),
    async end() {
      await batcher.flush();
      await sender.close();
      totals.spans += sender.counts.spans;
    },
  };
}

/** --dry-run: mapped and counted, nothing written. */
export function countingSink(reporter: Reporter): SpanSink {
  return {
    add: (spans: readonly SpanRecord[]) => {
      reporter.totals.spans += spans.length;
      return undefined;
    },
    end: async () => undefined,
  };
}
