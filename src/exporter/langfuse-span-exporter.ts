/**
 * LangfuseSpanExporter: an OTel `SpanExporter` that maps finished spans with the forward mapping
 * and sends them to Langfuse: as OTLP with every dialect normalised into the `langfuse.*` keys
 * (protocol 'otlp', the default: Langfuse Cloud and v4), as legacy ingestion batches (protocol
 * 'ingestion': self-hosted v2/v3, v4 in `legacy`/`dual` mode), or into a JSON Lines file. Runs
 * under the SDK's BatchSpanProcessor or SimpleSpanProcessor.
 *
 * - `export()` calls back exactly once, with SUCCESS only when Langfuse accepted everything.
 * - `forceFlush()` and `shutdown()` resolve only when every request in flight has finished.
 * - Sends run under `suppressTracing`, so the exporter never traces itself.
 * - Logs go through `diag`, with counts and ids only: never bodies, headers or keys.
 * - No singletons: each instance has its own key pair, connection pool and state.
 */
import { diag } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { LangfuseSpanExporterOptions, ResolvedOptions } from './options.js';
import { resolveOptions } from './options.js';
import type { Sender } from './sender.js';
import { createFileSender, createIngestionSender } from './send-ingestion.js';
import { createOtlpSender } from './send-otlp.js';
import { createSpanFilter } from './span-filter.js';

function createSender(options: ResolvedOptions, logger: DiagLogger): Sender {
  if (options.output !== 'http') return createFileSender(options, logger);
  return options.protocol === 'otlp' ? createOtlpSender(options, logger) : createIngestionSender(options, logger);
}

export class LangfuseSpanExporter implements SpanExporter {
  private readonly _options: ResolvedOptions;
  private readonly _filter: ReturnType<typeof createSpanFilter>;
  private readonly _sender: Sender;
  private readonly _inFlight = new Set<Promise<void>>();
  private readonly _logger: DiagLogger = diag.createComponentLogger({ namespace: 'otel-langfuse-bridge' });
  private _isShutdown = false;
  private _shutdownPromise: Promise<void> | undefined;

  /** @throws ConfigurationError for a bad option (the message never contains the secret key). */
  constructor(options: LangfuseSpanExporterOptions = {}) {
    this._options = resolveOptions(options, process.env);
    this._filter = createSpanFilter(this._options.spanFilter);
    this._sender = createSender(this._options, this._logger);
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
    return this._sender.send(kept);
  }

  /** Resolves when every export in flight has finished (its callback called). */
  async forceFlush(): Promise<void> {
    while (this._inFlight.size > 0) await Promise.all([...this._inFlight]);
    await this._sender.flush();
  }

  /** Stops accepting spans, waits for every export in flight, then closes connections. Idempotent. */
  shutdown(): Promise<void> {
    this._isShutdown = true;
    this._shutdownPromise ??= (async () => {
      await this.forceFlush();
      await this._sender.shutdown();
    })();
    return this._shutdownPromise;
  }
}
