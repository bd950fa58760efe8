/**
 * `convert --langfuse-url` / `--langfuse`: saved logs replayed into Langfuse v4 the way the
 * receiver forwards live traffic (langfuse-v4.md): spans shaped as Langfuse stores observations and
 * posted to its OTLP endpoint with `x-langfuse-ingestion-version: 4`, scores to its ingestion
 * endpoint with the hex ids the spans carry, both with the key pair of the environment.
 *
 * Each observation is sent once: an update that arrives after its span was sent (further apart in
 * the log than `--idle-events`) is an issue, not a second observation (Langfuse v4 does not merge
 * them). A request that fails is retried with backoff a few times; one refused for good is an
 * issue naming its span count. Either way the exit code says so.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { backoffMillis } from '../../exporter/deliver.js';
import { parseIngestionEvent } from '../../mapping/schema.js';
import type { IngestionEvent } from '../../mapping/schema.js';
import type { SpanRecord } from '../../mapping/span-record.js';
import { toReadableSpan } from '../../mapping/span-record.js';
import { RecentSet } from '../../mapping/to-otel/recent.js';
import { langfuseTarget } from '../../receiver/targets/langfuse/target.js';
import type { ReceiverTarget } from '../../receiver/targets/target.js';
import type { RequestBounds } from './batches.js';
import type { Reporter } from './report.js';
import type { SpanSink } from './to-otlp.js';

export interface LangfuseDestination {
  /** Langfuse base URL (origin and optional path prefix, no trailing slash). */
  readonly baseUrl: string;
  /** `Basic <base64(publicKey:secretKey)>`. */
  readonly authorization: string;
}

export interface LangfuseSinkDeps {
  /** Waits between attempts (tests pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The target; Langfuse v4 at `baseUrl` unless given (tests). */
  readonly target?: ReceiverTarget;
}

/** Attempts of one export before it is given up (1 s, 2 s, 4 s, 8 s, 16 s, 30 s between them). */
const ATTEMPTS = 7;
/** Span ids remembered to recognise an observation sent before. */
const REMEMBERED_SPANS = 200_000;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function langfuseSink(destination: LangfuseDestination, bounds: RequestBounds, reporter: Reporter, deps: LangfuseSinkDeps = {}): SpanSink {
  const target = deps.target ?? langfuseTarget({ baseUrl: destination.baseUrl });
  const sleep = deps.sleep ?? realSleep;
  const sent = new RecentSet<string>(REMEMBERED_SPANS);
  let spans: ReadableSpan[] = [];
  let scores: IngestionEvent[] = [];

  const exportNow = async (): Promise<void> => {
    if (spans.length === 0 && scores.length === 0) return;
    const batch = { spans, events: scores, route: destination.authorization };
    spans = [];
    scores = [];
    for (let attempt = 0; ; attempt++) {
      const outcome = await target.export(batch);
      if (outcome.kind === 'ok') {
        reporter.totals.requests++;
        reporter.totals.spans += batch.spans.length;
        return;
      }
      if (outcome.kind === 'refused' || attempt + 1 >= ATTEMPTS) {
        const what = `${batch.spans.length} spans and ${batch.events.length} scores`;
        const why = outcome.kind === 'refused' ? 'refused them for good' : `did not take them after ${ATTEMPTS} attempts`;
        await reporter.report('langfuse', [{ code: 'SKIPPED', message: `Langfuse ${why}: ${what} not delivered (${outcome.reason})` }]);
        return;
      }
      await sleep(backoffMillis(attempt, outcome.kind === 'retryable' ? outcome.retryAfterMillis : undefined));
    }
  };

  return {
    events(events) {
      for (const raw of events) {
        if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== 'score-create') continue;
        const parsed = parseIngestionEvent(raw);
        if (parsed.ok) scores.push(parsed.event); // a bad one is reported by the mapping
      }
    },
    add(records: readonly SpanRecord[]) {
      const late: string[] = [];
      for (const record of records) {
        if (sent.has(record.spanId)) {
          late.push(record.spanId);
          continue;
        }
        sent.add(record.spanId);
        spans.push(toReadableSpan(record));
      }
      const reported =
        late.length === 0
          ? undefined
          : reporter.report('langfuse', [
              {
                code: 'LATE_EVENT',
                message: `${late.length} observation(s) updated after they were sent (${late.slice(0, 3).join(', ')}): not sent again, Langfuse v4 would store them twice; raise --idle-events`,
              },
            ]);
      if (spans.length < bounds.maxSpans) return reported;
      return (async () => {
        await reported;
        await exportNow();
      })();
    },
    async end() {
      await exportNow();
      await target.shutdown();
    },
  };
}
