/**
 * A span exporter that appends each export as one OTLP/JSON `ExportTraceServiceRequest` line:
 * the receiver's sink when no OTLP endpoint is configured, readable by the Collector's
 * `otlpjsonfile` receiver and by `otel-langfuse-bridge convert`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export class OtlpJsonLinesFileExporter implements SpanExporter {
  private readonly _path: string;
  private _tail: Promise<void> = Promise.resolve();
  private _shutdown = false;

  constructor(path: string) {
    this._path = path;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this._shutdown) {
      done({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    const line = `${bytes === undefined ? '' : new TextDecoder().decode(bytes)}\n`;
    const write = this._tail.then(async () => {
      await mkdir(dirname(this._path), { recursive: true });
      await appendFile(this._path, line, 'utf8');
    });
    this._tail = write.catch(() => undefined);
    write.then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (err: unknown) => done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) }),
    );
  }

  forceFlush(): Promise<void> {
    return this._tail;
  }

  async shutdown(): Promise<void> {
    this._shutdown = true;
    await this._tail;
  }
}
