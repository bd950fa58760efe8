/** What the exporter tests share: one export() call's results, and every diag line. */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Calls `export()` once and resolves with every result its callback got, a turn of the event loop
 * after the first (so a second call would be seen).
 */
export function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult[]> {
  const results: ExportResult[] = [];
  return new Promise((resolve) => {
    exporter.export(spans, (r) => {
      results.push(r);
      setImmediate(() => resolve(results));
    });
  });
}

/** Every diag line from now on (the caller disables diag when done). */
export function captureLogs(): string[] {
  const lines: string[] = [];
  const capture = (...args: unknown[]): void => void lines.push(args.map(String).join(' '));
  diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, DiagLogLevel.ALL);
  return lines;
}
