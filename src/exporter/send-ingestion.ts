/**
 * Protocol 'ingestion' (and the file output): spans mapped to ingestion events
 * (`spansToIngestion`), posted as legacy batches to `POST /api/public/ingestion` (self-hosted
 * Langfuse v2/v3, v4 in the `legacy`/`dual` write mode), or appended to a JSON Lines file.
 */
import { context } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { setImmediate } from 'node:timers/promises';
import type { IngestionEvent } from '../mapping/schema.js';
import { spansToIngestion } from '../mapping/to-ingestion/index.js';
import { VERSION } from '../version.js';
import { Delivery } from './deliver.js';
import { createFileOutput } from './file-output.js';
import type { FileOptions, HttpOptions, ResolvedOptions } from './options.js';
import { LAST_PARTS_SPANS, partsByTrace, SPANS_PER_PART } from './parts.js';
import type { Sender } from './sender.js';
import { logIssues, logTruncated, retryDeps, toResult } from './sender.js';
import { createHttpTransport } from './transport.js';
import type { IngestionTransport } from './types.js';

/** Maps spans to events with the exporter's options, logging the issues as counts and codes. */
export function mapToEvents(spans: readonly ReadableSpan[], options: ResolvedOptions, logger: DiagLogger): IngestionEvent[] {
  const { value: events, issues } = spansToIngestion(spans, {
    legacyTypes: options.legacyTypes,
    ...(options.environment === undefined ? {} : { environment: options.environment }),
    ...(options.release === undefined ? {} : { release: options.release }),
  });
  logIssues(logger, issues, spans.length);
  return events;
}

/**
 * Delivers events over `transport` with the exporter's deadline and caps, in one {@link Delivery}
 * that more parts can join before it is finished.
 */
export function ingestionDelivery(transport: IngestionTransport, options: ResolvedOptions, logger: DiagLogger): Delivery {
  return new Delivery({
    ...retryDeps(options),
    transport,
    maxBatchBytes: options.maxBatchBytes,
    maxEventBytes: options.maxEventBytes,
    onTruncated: (fields) => logTruncated(logger, fields, 'per-event cap'),
  });
}

/** Posts ingestion batches: an export of many spans goes in parts, each sent while the next is mapped. */
export function createIngestionSender(options: HttpOptions, logger: DiagLogger): Sender {
  const transport = createHttpTransport({ baseUrl: options.baseUrl, publicKey: options.publicKey, secretKey: options.secretKey });
  return {
    async send(spans) {
      const delivery = ingestionDelivery(transport, options, logger);
      const parts = partsByTrace(spans, SPANS_PER_PART, LAST_PARTS_SPANS);
      for (let i = 0; i < parts.length; i++) {
        // Lets the request just handed over go out (and answers come in) before the next part is mapped.
        if (i > 0) await setImmediate();
        const events = mapToEvents(parts[i] as ReadableSpan[], options, logger);
        if (events.length > 0) context.with(suppressTracing(context.active()), () => delivery.add(events));
      }
      return toResult(await delivery.finish(), logger, 'event');
    },
    flush: () => Promise.resolve(),
    shutdown: () => transport.shutdown(),
  };
}

/** Appends each export's ingestion batch as one JSON line. */
export function createFileSender(options: FileOptions, logger: DiagLogger): Sender {
  const file = createFileOutput(options.output.file);
  return {
    async send(spans) {
      const events = mapToEvents(spans, options, logger);
      const metadata = { sdk_integration: 'otel-langfuse-bridge', sdk_version: VERSION, batch_size: events.length };
      if (events.length > 0) await context.with(suppressTracing(context.active()), () => file.write(events, metadata));
      return { code: ExportResultCode.SUCCESS };
    },
    flush: () => file.flush(),
    shutdown: () => file.close(),
  };
}
