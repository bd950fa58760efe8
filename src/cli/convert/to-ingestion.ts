/**
 * OTLP spans -> ingestion request lines `{"batch":[...],"metadata":{...}}` (the exporter's file
 * format, what `POST /api/public/ingestion` takes), split under Langfuse's byte caps.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_EVENT_BYTES, requestBodyParts, splitIntoRequests } from '../../ingestion-api/split.js';
import type { MappingIssue } from '../../mapping/result.js';
import { spansToIngestion } from '../../mapping/to-ingestion/index.js';
import { VERSION } from '../../version.js';
import type { Reporter } from './report.js';

export interface ToIngestionOptions {
  readonly environment?: string;
  readonly release?: string;
  readonly legacyTypes?: boolean;
}

/** Maps decoded spans and writes their batches with `write` (nothing when it is undefined: --dry-run). */
export function createToIngestion(
  options: ToIngestionOptions,
  keep: (spans: ReadableSpan[]) => ReadableSpan[],
  write: ((line: string) => Promise<void>) | undefined,
  reporter: Reporter,
): (where: string, decoded: { value: ReadableSpan[]; issues: readonly MappingIssue[] }) => Promise<void> {
  const totals = reporter.totals;
  return async (where, decoded) => {
    await reporter.report(where, decoded.issues);
    const spans = keep(decoded.value);
    const mapped = spansToIngestion(spans, {
      ...(options.environment === undefined ? {} : { environment: options.environment }),
      ...(options.release === undefined ? {} : { release: options.release }),
      legacyTypes: options.legacyTypes === true,
    });
    await reporter.report(where, mapped.issues);
    totals.spans += spans.length;
    if (write === undefined) {
      totals.events += mapped.value.length;
      return;
    }
    const { requests, pieces } = splitIntoRequests(mapped.value, { maxBatchBytes: DEFAULT_MAX_BATCH_BYTES, maxEventBytes: DEFAULT_MAX_EVENT_BYTES });
    for (const [i, batch] of requests.entries()) {
      const metadata = { batch_size: batch.length, sdk_integration: 'otel-langfuse-bridge', sdk_name: 'otel-langfuse-bridge', sdk_version: VERSION };
      // From the texts the split already made.
      await write(`${requestBodyParts(pieces[i] as string[], JSON.stringify(metadata)).join('')}\n`);
      totals.events += batch.length;
      totals.requests++;
    }
  };
}
