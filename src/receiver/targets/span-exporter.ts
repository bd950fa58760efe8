/**
 * Any OTel `SpanExporter` as a receiver target (the stock OTLP exporters, an in-memory one): its
 * FAILED results are told apart by the error's HTTP status, as the OTLP exporters report it
 * (`OTLPExporterError.code`): a 4xx other than 408 and 429 is a refusal, anything else (network
 * errors, timeouts, 5xx, the exporter's own retries running out) may succeed later.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportBatch, ReceiverTarget, TargetOutcome } from './target.js';

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
}

/** What a FAILED export result means for the forwarder. */
export function outcomeOfFailure(error: Error | undefined): TargetOutcome {
  const status = statusOf(error);
  const reason = (error?.message ?? 'export failed').slice(0, 300);
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { kind: 'refused', reason: `HTTP ${status}: ${reason}`, status };
  }
  return { kind: 'retryable', reason: status === undefined ? reason : `HTTP ${status}: ${reason}` };
}

export function spanExporterTarget(exporter: SpanExporter, description: string): ReceiverTarget {
  return {
    description,
    export(batch: ExportBatch): Promise<TargetOutcome> {
      return new Promise((resolve) => {
        const done = (result: ExportResult): void =>
          resolve(result.code === ExportResultCode.SUCCESS ? { kind: 'ok' } : outcomeOfFailure(result.error));
        try {
          exporter.export(batch.spans as ReadableSpan[], done);
        } catch (err) {
          resolve({ kind: 'retryable', reason: `exporter threw: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300) });
        }
      });
    },
    shutdown: () => exporter.shutdown(),
  };
}
