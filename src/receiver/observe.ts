/**
 * What the receiver tells about itself: counters for `stats()`, the Prometheus metrics, and log
 * lines through `diag` (every failure when it happens, never a body, header or key).
 */
import { diag } from '@opentelemetry/api';
import type { MappingIssue } from '../mapping/result.js';
import type { ForwarderObserver } from './forwarder/forwarder.js';
import type { HandlerObserver } from './http/handler.js';
import type { ReceiverMetrics } from './metrics.js';

export interface ReceiverCounts {
  /** HTTP requests answered. */
  requests: number;
  /** Events answered 201 and taken (duplicates not included). */
  accepted: number;
  /** Events refused with a per-event 400. */
  rejected: number;
  /** Events answered 201 that had been taken before (same envelope id within the dedupe window). */
  duplicates: number;
  sdkLogs: number;
  forwardedSpans: number;
  retriedExports: number;
  deadLetteredSpans: number;
  deadLetteredEvents: number;
  /** Failures of the receiver itself (disk errors ...). */
  failures: number;
  /** Mapping issues (late events, unknown parents, cut values ...). */
  issues: number;
}

const PREFIX = 'otel-langfuse-bridge receiver:';

export function newCounts(): ReceiverCounts {
  return {
    requests: 0, accepted: 0, rejected: 0, duplicates: 0, sdkLogs: 0, forwardedSpans: 0,
    retriedExports: 0, deadLetteredSpans: 0, deadLetteredEvents: 0, failures: 0, issues: 0,
  };
}

export interface Observers {
  readonly handler: HandlerObserver;
  readonly forwarder: ForwarderObserver;
  readonly issues: (issues: readonly MappingIssue[]) => void;
  readonly failure: (message: string) => void;
}

export function createObservers(counts: ReceiverCounts, metrics: ReceiverMetrics, target: string): Observers {
  const failure = (message: string): void => {
    counts.failures++;
    metrics.failures.inc();
    diag.error(`${PREFIX} ${message}`);
  };
  return {
    failure,
    handler: {
      request(route, status) {
        counts.requests++;
        metrics.requests.inc({ route, status: String(status) });
      },
      events({ accepted, rejected, duplicates, sdkLogs }) {
        counts.accepted += accepted;
        counts.rejected += rejected;
        counts.duplicates += duplicates;
        counts.sdkLogs += sdkLogs;
        if (accepted > 0) metrics.events.inc({ result: 'accepted' }, accepted);
        if (rejected > 0) metrics.events.inc({ result: 'rejected' }, rejected);
        if (duplicates > 0) metrics.events.inc({ result: 'duplicate' }, duplicates);
        if (sdkLogs > 0) metrics.events.inc({ result: 'sdk_log' }, sdkLogs);
      },
      failure,
    },
    forwarder: {
      exported(spans, millis) {
        counts.forwardedSpans += spans;
        metrics.spansForwarded.inc(spans);
        metrics.exportSeconds.observe(millis / 1000);
      },
      retrying(spans, reason, inMillis) {
        counts.retriedExports++;
        metrics.exportRetries.inc();
        diag.warn(`${PREFIX} export of ${spans} spans to ${target} failed (${reason}); retrying in ${Math.round(inMillis / 1000)} s, the events stay in the spool`);
      },
      deadLettered(spans, events, reason) {
        counts.deadLetteredSpans += spans;
        counts.deadLetteredEvents += events;
        metrics.spansDeadLettered.inc(spans);
        metrics.eventsDeadLettered.inc(events);
        diag.error(`${PREFIX} ${target} refused ${spans} spans for good (${reason}); their ${events} events went to the dead-letter file`);
      },
      failure,
    },
    issues(issues) {
      counts.issues += issues.length;
      for (const i of issues) diag.debug(`${PREFIX} ${i.code} ${i.eventId ?? ''} ${i.message}`);
    },
  };
}
