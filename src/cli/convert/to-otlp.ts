/**
 * Ingestion events -> spans: one `IngestionRecordStream` per client identity in the log (so each
 * client's spans keep their own resource), spans of idle traces filtered by the time window and
 * handed to the sink as they come.
 */
import type { SpanRecord } from '../../mapping/span-record.js';
import type { AttributeDialect } from '../../mapping/to-otel/attributes.js';
import { clientIdentity } from '../../mapping/to-otel/index.js';
import { IngestionRecordStream } from '../../mapping/to-otel/stream.js';
import type { Reporter } from './report.js';

export interface ToOtlpOptions {
  readonly idleEvents: number;
  readonly serviceName?: string;
  readonly attributes?: AttributeDialect;
}

/** Where spans go: requests to a file or an endpoint, or only counted (--dry-run). */
export interface SpanSink {
  /** A promise when the caller must wait (a request is being written or sent) before adding more. */
  add(spans: readonly SpanRecord[]): Promise<void> | undefined;
  /** Sends what is left and waits until everything is written or acknowledged. */
  end(): Promise<void>;
  /** Sees every pushed event as read (a sink that sends scores on their own takes them here). */
  events?(events: readonly unknown[]): void;
}

export interface ToOtlp {
  /** A promise when the caller must wait (issues written, a request sent) before pushing more. */
  push(where: string, events: unknown[], metadata: unknown): Promise<void> | undefined;
  end(): Promise<void>;
}

export function createToOtlp(options: ToOtlpOptions, keep: (spans: SpanRecord[]) => SpanRecord[], sink: SpanSink, reporter: Reporter): ToOtlp {
  const streams = new Map<string, IngestionRecordStream>();
  const streamFor = (metadata: unknown): IngestionRecordStream => {
    const identity = clientIdentity(metadata);
    const key = JSON.stringify(identity);
    let stream = streams.get(key);
    if (stream === undefined) {
      // The events are the parsed lines' own objects: kept as they are, not copied.
      stream = new IngestionRecordStream(
        {
          idleEvents: options.idleEvents,
          ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
          ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
          batchMetadata: identity,
        },
        true,
      );
      streams.set(key, stream);
    }
    return stream;
  };
  return {
    push(where, events, metadata) {
      reporter.totals.events += events.length;
      sink.events?.(events);
      const result = streamFor(metadata).push(events);
      if (result.issues.length === 0) return result.value.length > 0 ? sink.add(keep(result.value)) : undefined;
      return (async () => {
        await reporter.report(where, result.issues);
        if (result.value.length > 0) await sink.add(keep(result.value));
      })();
    },
    async end() {
      for (const stream of streams.values()) {
        const rest = stream.end();
        await reporter.report('end', rest.issues);
        if (rest.value.length > 0) await sink.add(keep(rest.value));
      }
      await sink.end();
    },
  };
}
