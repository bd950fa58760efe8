/**
 * A span exporter that appends each export as one OTLP/JSON `ExportTraceServiceRequest` line,
 * readable by the Collector's `otlpjsonfile` receiver and by `otel-langfuse-bridge convert`. An
 * export succeeds once its line is fsynced: the receiver marks events done only then.
 */
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export class OtlpJsonLinesFileExporter implements SpanExporter {
  private readonly _path: string;
  private _file: Promise<FileHandle> | undefined;
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
      const file = await this._handle();
      await file.appendFile(line, 'utf8');
      await file.sync();
    });
    this._tail = write.catch(() => {
      this._file = undefined; // a failed handle is opened again next time
    });
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
    const file = this._file;
    this._file = undefined;
    if (file !== undefined) await (await file).close().catch(() => undefined);
  }

  private _handle(): Promise<FileHandle> {
    this._file ??= mkdir(dirname(this._path), { recursive: true }).then(() => open(this._path, 'a'));
    return this._file;
  }
}
