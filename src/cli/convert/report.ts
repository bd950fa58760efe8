/** The run's counts, its issues as JSON lines on stderr (above the progress), and its summary line. */
import type { MappingIssue } from '../../mapping/result.js';
import type { Progress } from './progress.js';

export interface Totals {
  /** Bytes read from the inputs. */
  read: number;
  events: number;
  spans: number;
  /** OTLP requests or ingestion batches written (or sent). */
  requests: number;
  issues: number;
  /** Traces left out by --since/--until. */
  skippedTraces: number;
}

export interface Reporter {
  readonly totals: Totals;
  /** Writes `issues` of the item at `where` (`file:line`, `stdin:3`, `end`, `export` ...). */
  report(where: string, issues: readonly MappingIssue[]): Promise<void>;
  /** Redraws the progress when it is time to. */
  tick(): void;
}

export function createReporter(progress: Progress): Reporter {
  const totals: Totals = { read: 0, events: 0, spans: 0, requests: 0, issues: 0, skippedTraces: 0 };
  return {
    totals,
    async report(where, issues) {
      totals.issues += issues.length;
      for (const issue of issues) await progress.log(`${JSON.stringify({ input: where, ...issue })}\n`);
    },
    tick: () => progress.tick(totals),
  };
}

export interface SummaryFacts {
  readonly direction: 'to-otlp' | 'to-ingestion' | undefined;
  readonly endpoint?: string;
  readonly dryRun: boolean;
  /** Why the output file was not written, when it was not. */
  readonly notWritten?: string;
}

const n = (x: number): string => x.toLocaleString('en-US');

/** `otel-langfuse-bridge convert: 2 events -> 2 spans in 1 OTLP requests; 0 issues` and what else the run needs said. */
export function summaryLine(t: Totals, facts: SummaryFacts): string {
  const dry = facts.dryRun ? ' (dry run, nothing written)' : '';
  const what =
    facts.direction === 'to-ingestion'
      ? `${n(t.spans)} spans -> ${n(t.events)} events${facts.dryRun ? dry : ` in ${n(t.requests)} ingestion batches`}`
      : `${n(t.events)} events -> ${n(t.spans)} spans${facts.dryRun ? dry : ` in ${n(t.requests)} OTLP requests${facts.endpoint ? ` to ${facts.endpoint}` : ''}`}`;
  const skipped = t.skippedTraces > 0 ? `; ${n(t.skippedTraces)} traces outside --since/--until left out` : '';
  const kept = facts.notWritten ? `; ${facts.notWritten}` : '';
  return `otel-langfuse-bridge convert: ${what}${skipped}; ${n(t.issues)} issues${kept}\n`;
}
