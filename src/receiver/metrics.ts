/**
 * The receiver's metrics in Prometheus text format (`GET /metrics`), through prom-client with a
 * registry of each receiver's own (no global state). Counters are fed by the handler's and the
 * forwarder's observers; gauges read the spool, assembler and forwarder when scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SpoolStats } from './spool/types.js';

const PREFIX = 'otel_langfuse_bridge_receiver_';

/** What the gauges read at scrape time. */
export interface GaugeSources {
  spool(): SpoolStats;
  heldTraces(): number;
  heldBytes(): number;
  queuedBytes(): number;
}

export interface ReceiverMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'status'>;
  readonly events: Counter<'result'>;
  readonly spansForwarded: Counter;
  readonly exportRetries: Counter;
  readonly spansDeadLettered: Counter;
  readonly eventsDeadLettered: Counter;
  readonly exportSeconds: Histogram;
  readonly failures: Counter;
}

export function createMetrics(sources: GaugeSources, processMetrics = true): ReceiverMetrics {
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({ name: PREFIX + name, help, registers, collect() { this.set(read()); } });
  };
  gauge('spool_bytes', 'Bytes of the spool segment files on disk', () => sources.spool().bytes);
  gauge('spool_segments', 'Spool segment files on disk', () => sources.spool().segments);
  gauge('spool_pending_events', 'Events accepted and not yet forwarded', () => sources.spool().pendingEvents);
  gauge('spool_unread_records', 'Accepted requests not yet read by the assembler (a backlog)', () => sources.spool().unreadRecords);
  gauge('held_traces', 'Traces held by the assembler until complete', sources.heldTraces);
  gauge('held_bytes', 'Request bytes of the events held by the assembler', sources.heldBytes);
  gauge('forward_queue_bytes', 'Request bytes of the traces queued or in flight to the backend', sources.queuedBytes);
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'otel_langfuse_bridge_' });
  return {
    registry,
    requests: new Counter({ name: `${PREFIX}requests_total`, help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers }),
    events: new Counter({
      name: `${PREFIX}events_total`,
      help: 'Ingestion events by result: accepted, rejected (per-event 400), duplicate, sdk_log',
      labelNames: ['result'],
      registers,
    }),
    spansForwarded: new Counter({ name: `${PREFIX}spans_forwarded_total`, help: 'Spans the backend accepted', registers }),
    exportRetries: new Counter({ name: `${PREFIX}export_retries_total`, help: 'Exports that failed and will be retried', registers }),
    spansDeadLettered: new Counter({ name: `${PREFIX}spans_dead_lettered_total`, help: 'Spans the backend refused for good', registers }),
    eventsDeadLettered: new Counter({
      name: `${PREFIX}events_dead_lettered_total`,
      help: 'Ingestion events written to the dead-letter file',
      registers,
    }),
    exportSeconds: new Histogram({
      name: `${PREFIX}export_duration_seconds`,
      help: 'Duration of successful exports',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    failures: new Counter({ name: `${PREFIX}internal_failures_total`, help: 'Failures of the receiver itself (disk errors ...)', registers }),
  };
}
