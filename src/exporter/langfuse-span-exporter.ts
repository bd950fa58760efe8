/**
 * LangfuseSpanExporter: an OTel `SpanExporter` that maps finished spans to Langfuse ingestion
 * events (`spansToIngestion`) and posts them to `POST /api/public/ingestion`, or appends them to a
 * JSON Lines file. Runs under the SDK's BatchSpanProcessor or SimpleSpanProcessor.
 *
 * - `export()` calls back exactly once, with SUCCESS only when Langfuse accepted every event.
 * - `forceFlush()` and `shutdown()` resolve only when every request in flight has finished.
 * - Sends run under `suppressTracing`, so the exporter never traces itself.
 * - Logs go through `diag`, with counts and ids only: never bodies, headers or keys.
 * - No singletons: each instance has its own key pair, connection pool and state.
 */
import { context, diag } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { spansToIngestion } from '../mapping/to-ingestion/index.js';
import type { IngestionEvent } from '../mapping/schema.js';
import { VERSION } from '../version.js';
import { Delivery } from './deliver.js';
import type { DeliverDeps } from './deliver.js';
import { DeliveryError } from './errors.js';
import { createFileOutput } from './file-output.js';
import type { LangfuseSpanExporterOptions, ResolvedOptions } from './options.js';
import { resolveOptions } from './options.js';
import { LAST_PARTS_SPANS, partsByTrace, SPANS_PER_PART } from './parts.js';
import { createSpanFilter } from './span-filter.js';
import { createHttpTransport } from './transport.js';
import type { IngestionTransport } from './types.js';

type FileOutput = ReturnType<typeof createFileOutput>;

export class LangfuseSpanExporter implements SpanExporter {
  private readonly _options: ResolvedOptions;
  private readonly _filter: ReturnType<typeof createSpanFilter>;
  private readonly _transport: IngestionTransport | undefined;
  private readonly _file: FileOutput | undefined;
  private readonly _inFlight = new Set<Promise<void>>();
  private readonly _logger: DiagLogger = diag.createComponentLogger({ namespace: 'otel-langfuse-bridge' });
  private _isShutdown = false;
  private _shutdownPromise: Promise<void> | undefined;

  /** @throws ConfigurationError for a bad option (the message never contains the secret key). */
  constructor(options: LangfuseSpanExporterOptions = {}) {
    this._options = resolveOptions(options, process.env);
    this._filter = createSpanFilter(this._options.spanFilter);
    const output = this._options.output;
    if (output === 'http') {
      this._transport = createHttpTransport({
        baseUrl: this._options.baseUrl,
        publicKey: this._options.publicKey as string,
        secretKey: this._options.secretKey as string,
      });
    } else {
      this._file = createFileOutput(output.file);
    }
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this._isShutdown) {
      // As the OTel exporters do: fail fast, asynchronously.
      queueMicrotask(() => resultCallback({ code: ExportResultCode.FAILED, error: new Error('LangfuseSpanExporter is shut down') }));
      return;
    }
    const done = this._export(spans)
      .catch((error: unknown): ExportResult => ({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      }))
      .then((result) => {
        try {
          resultCallback(result);
        } catch (err) {
          this._logger.error(`result callback threw: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    this._inFlight.add(done);
    void done.finally(() => this._inFlight.delete(done));
  }

  private async _export(spans: readonly ReadableSpan[]): Promise<ExportResult> {
    const kept = this._filter.keep(spans);
    if (kept.length === 0) return { code: ExportResultCode.SUCCESS };
    if (this._file) {
      const file = this._file;
      const events = this._map(kept);
      const metadata = { sdk_integration: 'otel-langfuse-bridge', sdk_version: VERSION, batch_size: events.length };
      if (events.length > 0) await context.with(suppressTracing(context.active()), () => file.write(events, metadata));
      return { code: ExportResultCode.SUCCESS };
    }
    const delivery = new Delivery(this._deliverDeps());
    const parts = partsByTrace(kept, SPANS_PER_PART, LAST_PARTS_SPANS);
    for (let i = 0; i < parts.length; i++) {
      // Lets the request just handed over go out (and answers come in) before the next part is mapped.
      if (i > 0) await setImmediate();
      const events = this._map(parts[i] as ReadableSpan[]);
      if (events.length > 0) context.with(suppressTracing(context.active()), () => delivery.add(events));
    }
    const report = await delivery.finish();
    const sent = report.accepted.length + report.rejected.length + report.undelivered.length;
    if (sent > 0) {
      this._logger.debug(
        `exported ${sent} event(s): ${report.accepted.length} accepted, ${report.rejected.length} rejected, ${report.undelivered.length} undelivered`,
      );
    }
    if (report.error === undefined && report.rejected.length === 0 && report.undelivered.length === 0) {
      return { code: ExportResultCode.SUCCESS };
    }
    const error = report.error ?? new DeliveryError(`${report.rejected.length} event(s) rejected, ${report.undelivered.length} undelivered`);
    this._logger.error(error.message);
    return { code: ExportResultCode.FAILED, error };
  }

  /** Maps spans to events, logging the issues as counts and codes. */
  private _map(spans: readonly ReadableSpan[]): IngestionEvent[] {
    const { value: events, issues } = spansToIngestion(spans, {
      legacyTypes: this._options.legacyTypes,
      ...(this._options.environment === undefined ? {} : { environment: this._options.environment }),
      ...(this._options.release === undefined ? {} : { release: this._options.release }),
    });
    if (issues.length > 0) {
      const codes = [...new Set(issues.map((i) => i.code))].join(', ');
      this._logger.warn(`${issues.length} mapping issue(s) in ${spans.length} span(s): ${codes}`);
    }
    return events;
  }

  private _deliverDeps(): DeliverDeps {
    return {
      transport: this._transport as IngestionTransport,
      deadlineMillis: Date.now() + this._options.timeoutMillis,
      now: Date.now,
      // A ref'd timer: a backoff during shutdown must keep the process alive until the deadline.
      sleep: (ms) => sleep(ms),
      requestTimeoutMillis: this._options.requestTimeoutMillis,
      maxBatchBytes: this._options.maxBatchBytes,
      maxEventBytes: this._options.maxEventBytes,
      baseUrl: this._options.baseUrl,
      onTruncated: (fields) =>
        this._logger.warn(`${fields.length} field(s) cut to fit the per-event cap: ${fields.map((f) => `${f.id}.${f.field}`).join(', ')}`),
    };
  }

  /** Resolves when every export in flight has finished (its callback called). */
  async forceFlush(): Promise<void> {
    while (this._inFlight.size > 0) await Promise.all([...this._inFlight]);
    await this._file?.flush();
  }

  /** Stops accepting spans, waits for every export in flight, then closes connections. Idempotent. */
  shutdown(): Promise<void> {
    this._isShutdown = true;
    this._shutdownPromise ??= (async () => {
      await this.forceFlush();
      await this._transport?.shutdown();
      await this._file?.close();
    })();
    return this._shutdownPromise;
  }
}
