/**
 * What the exporter's protocols share: the sender contract, the delivery deadline of one export,
 * and how a delivery report and mapping issues become an `ExportResult` and log lines (counts,
 * codes and ids only: never bodies, headers or keys).
 */
import type { DiagLogger } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MappingIssue } from '../mapping/result.js';
import type { TruncatedField } from '../ingestion-api/split.js';
import type { RetryDeps } from './deliver.js';
import { DeliveryError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { DeliveryReport } from './types.js';

/** Sends the spans of one `export()` call (already filtered) and tells the truth about them. */
export interface Sender {
  /** Resolves (never rejects) with SUCCESS only when Langfuse accepted everything. */
  send(spans: readonly ReadableSpan[]): Promise<ExportResult>;
  /** Resolves when everything handed over so far is written (file output). */
  flush(): Promise<void>;
  /** Closes connections or files; called once every export has finished. */
  shutdown(): Promise<void>;
}

/** The deadline and clocks of one export call, starting now. */
export function retryDeps(options: ResolvedOptions): RetryDeps {
  return {
    deadlineMillis: Date.now() + options.timeoutMillis,
    now: Date.now,
    // A ref'd timer: a backoff during shutdown must keep the process alive until the deadline.
    sleep: (ms) => sleep(ms),
    requestTimeoutMillis: options.requestTimeoutMillis,
    baseUrl: options.baseUrl,
  };
}

/** One warning line for a part's mapping issues: how many, of which codes. */
export function logIssues(logger: DiagLogger, issues: readonly MappingIssue[], spans: number): void {
  if (issues.length === 0) return;
  const codes = [...new Set(issues.map((i) => i.code))].join(', ');
  logger.warn(`${issues.length} mapping issue(s) in ${spans} span(s): ${codes}`);
}

/** One warning line naming the fields cut to fit a size cap. */
export function logTruncated(logger: DiagLogger, fields: readonly Pick<TruncatedField, 'id' | 'field'>[], cap: string): void {
  if (fields.length > 0) logger.warn(`${fields.length} field(s) cut to fit the ${cap}: ${fields.map((f) => `${f.id}.${f.field}`).join(', ')}`);
}

/** SUCCESS when every item was accepted, else FAILED with the report's error (logged). */
export function toResult(report: DeliveryReport, logger: DiagLogger, noun: string): ExportResult {
  const sent = report.accepted.length + report.rejected.length + report.undelivered.length;
  if (sent > 0) {
    logger.debug(
      `exported ${sent} ${noun}(s): ${report.accepted.length} accepted, ${report.rejected.length} rejected, ${report.undelivered.length} undelivered`,
    );
  }
  if (report.error === undefined && report.rejected.length === 0 && report.undelivered.length === 0) {
    return { code: ExportResultCode.SUCCESS };
  }
  const error = report.error ?? new DeliveryError(`${report.rejected.length} ${noun}(s) rejected, ${report.undelivered.length} undelivered`);
  logger.error(error.message);
  return { code: ExportResultCode.FAILED, error };
}
