/**
 * Delivers one export's events: split under the size caps, send each request, retry what may
 * succeed later until a deadline, resend only the failed subset of a 207 (exporterhelper's
 * `OnError` model, style.md §2.4), and report every event as accepted, rejected or undelivered.
 */
import type { IngestionEvent } from '../mapping/schema.js';
import { DeliveryError, EVENT_TYPE_NOT_ACCEPTED, EventTypeNotAcceptedError, formatIds } from './errors.js';
import { splitIntoRequests } from '../ingestion-api/split.js';
import type { TruncatedField } from '../ingestion-api/split.js';
import type { RejectedEvent } from '../ingestion-api/api.js';
import type { DeliveryReport, IngestionTransport, SendOutcome } from './types.js';

/** What {@link deliver} needs; clocks are injected so tests never sleep. */
export interface DeliverDeps {
  readonly transport: IngestionTransport;
  /** Absolute time (ms, on the `now()` clock) after which no attempt starts. */
  readonly deadlineMillis: number;
  /** Current time in ms, e.g. `Date.now`. */
  readonly now: () => number;
  /** Waits `ms` milliseconds between attempts. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Cap on one attempt, in ms; an attempt also never runs past the deadline. */
  readonly requestTimeoutMillis: number;
  /** Cap on one request body in UTF-8 bytes (the exporter's default is 3 500 000). */
  readonly maxBatchBytes: number;
  /** Cap on one event in UTF-8 bytes before its largest field is truncated (default 1 000 000). */
  readonly maxEventBytes: number;
  /** Langfuse base URL, only used in the remediation text of {@link EventTypeNotAcceptedError}. */
  readonly baseUrl?: string;
  /** Told about every field cut to fit `maxEventBytes` (for logging). */
  readonly onTruncated?: (fields: readonly TruncatedField[]) => void;
}

const EVENT_TYPE_NOT_ACCEPTED_LOWER = EVENT_TYPE_NOT_ACCEPTED.toLowerCase();

/** First retry delay: 1 000 ms, doubled per retry of the same request. */
export const INITIAL_BACKOFF_MILLIS = 1_000;
/** Longest backoff between two attempts: 30 000 ms (a longer `Retry-After` still wins). */
export const MAX_BACKOFF_MILLIS = 30_000;

/** Delay before retry number `retry` (0-based): 1 s, 2 s, 4 s, ... capped at 30 s; no jitter. */
export function backoffMillis(retry: number, retryAfterMillis?: number): number {
  const backoff = Math.min(INITIAL_BACKOFF_MILLIS * 2 ** Math.min(retry, 30), MAX_BACKOFF_MILLIS);
  return Math.max(backoff, retryAfterMillis ?? 0);
}

interface Tally {
  accepted: string[];
  rejected: RejectedEvent[];
  undelivered: string[];
  /** Last reason a request was given up on (HTTP status, network error, deadline). */
  stop?: { reason: string; status?: number };
}

/**
 * One export's delivery, fed in parts: each {@link Delivery.add} splits its events under the size
 * caps and starts sending them at once, so a caller can map the next part while earlier requests
 * are in flight. Requests of one part go one after another; parts run side by side. All share one
 * deadline and one report. Envelope ids stay the same across retries so Langfuse can dedupe.
 */
export class Delivery {
  private readonly _deps: DeliverDeps;
  private readonly _tally: Tally = { accepted: [], rejected: [], undelivered: [] };
  private readonly _parts: Array<Promise<void>> = [];
  private _total = 0;

  constructor(deps: DeliverDeps) {
    this._deps = deps;
  }

  /**
   * Starts sending `events`: the split and the first request happen before this returns (the
   * request body is handed to the transport synchronously), retries and later requests after.
   */
  add(events: readonly IngestionEvent[]): void {
    this._total += events.length;
    this._parts.push(this._send(events));
  }

  /** Resolves, once every part has finished, with what became of each envelope id. Never rejects. */
  async finish(): Promise<DeliveryReport> {
    await Promise.all(this._parts);
    const { accepted, rejected, undelivered } = this._tally;
    const error = reportError(this._tally, this._total, this._deps.baseUrl);
    return error === undefined ? { accepted, rejected, undelivered } : { accepted, rejected, undelivered, error };
  }

  private async _send(events: readonly IngestionEvent[]): Promise<void> {
    const { _deps: deps, _tally: tally } = this;
    try {
      const { requests, pieces, truncated } = splitIntoRequests(events, deps);
      if (truncated.length > 0) deps.onTruncated?.(truncated);
      for (let i = 0; i < requests.length; i++) {
        const request = requests[i] as IngestionEvent[];
        if (deps.now() >= deps.deadlineMillis) {
          tally.undelivered.push(...request.map((e) => e.id));
          tally.stop ??= { reason: 'the deadline passed' };
          continue;
        }
        await sendWithRetries(request, pieces[i] as string[], deps, tally);
      }
    } catch (err) {
      // Whatever of this part is not accounted for yet stays undelivered.
      const seen = new Set([...tally.accepted, ...tally.rejected.map((r) => r.id), ...tally.undelivered]);
      tally.undelivered.push(...events.map((e) => e.id).filter((id) => !seen.has(id)));
      tally.stop = { reason: `delivery aborted (${err instanceof Error ? err.name : typeof err})` };
    }
  }
}

/**
 * Sends `events` and resolves with what became of each envelope id. Never throws: a transport
 * that throws counts as a failed request. Requests go one after another.
 */
export function deliver(events: readonly IngestionEvent[], deps: DeliverDeps): Promise<DeliveryReport> {
  const delivery = new Delivery(deps);
  delivery.add(events);
  return delivery.finish();
}

/** `pieces` is `request`'s JSON as the split made it; a resent subset is serialised anew. */
async function sendWithRetries(request: IngestionEvent[], pieces: readonly string[], deps: DeliverDeps, tally: Tally): Promise<void> {
  let pending = request;
  let pendingText: readonly string[] | undefined = pieces;
  for (let retry = 0; ; retry++) {
    const timeout = Math.min(deps.requestTimeoutMillis, deps.deadlineMillis - deps.now());
    const outcome = await safeSend(deps.transport, pending, timeout, pendingText);
    let retryAfterMillis: number | undefined;
    if (outcome.kind === 'ok') {
      tally.accepted.push(...pending.map((e) => e.id));
      return;
    } else if (outcome.kind === 'failed') {
      tally.undelivered.push(...pending.map((e) => e.id));
      tally.stop = outcome.status === undefined ? { reason: outcome.reason } : { reason: outcome.reason, status: outcome.status };
      return;
    } else if (outcome.kind === 'partial') {
      const again = new Set(outcome.retryable);
      const refused = new Set(outcome.rejected.map((r) => r.id));
      tally.accepted.push(...pending.filter((e) => !again.has(e.id) && !refused.has(e.id)).map((e) => e.id));
      tally.rejected.push(...outcome.rejected);
      pending = pending.filter((e) => again.has(e.id) && !refused.has(e.id));
      pendingText = undefined;
      if (pending.length === 0) return;
    } else {
      retryAfterMillis = outcome.retryAfterMillis;
    }
    const reason = outcome.kind === 'partial' ? `${pending.length} event(s) answered 429/5xx` : outcome.reason;
    const delay = backoffMillis(retry, retryAfterMillis);
    if (deps.now() + delay >= deps.deadlineMillis) {
      tally.undelivered.push(...pending.map((e) => e.id));
      tally.stop = { reason: `the deadline passed before a retry (last: ${reason})` };
      return;
    }
    await deps.sleep(delay);
  }
}

async function safeSend(
  transport: IngestionTransport,
  events: IngestionEvent[],
  timeout: number,
  batchPieces: readonly string[] | undefined,
): Promise<SendOutcome> {
  try {
    return await transport.send(events, Math.max(1, timeout), batchPieces);
  } catch (err) {
    return { kind: 'failed', reason: `transport threw (${err instanceof Error ? err.name : typeof err})` };
  }
}

function reportError(tally: Tally, total: number, baseUrl: string | undefined): Error | undefined {
  const { rejected, undelivered, stop } = tally;
  if (rejected.length === 0 && undelivered.length === 0) return undefined;
  const refusedType = rejected.filter((r) => r.status === 400 && r.message.toLowerCase().includes(EVENT_TYPE_NOT_ACCEPTED_LOWER));
  if (refusedType.length > 0) {
    return new EventTypeNotAcceptedError({ ids: refusedType.map((r) => r.id), ...(baseUrl === undefined ? {} : { baseUrl }) });
  }
  const parts: string[] = [];
  if (rejected.length > 0) {
    const statuses = [...new Set(rejected.map((r) => r.status))].join('/');
    const rejectedIds = formatIds(rejected.map((r) => r.id));
    parts.push(`Langfuse rejected ${rejected.length} of ${total} event(s) (HTTP ${statuses}; ids: ${rejectedIds})`);
  }
  if (undelivered.length > 0) {
    const why = stop?.reason ?? 'unknown reason';
    parts.push(`${undelivered.length} of ${total} event(s) undelivered (${why}; ids: ${formatIds(undelivered)})`);
  }
  return new DeliveryError(parts.join('; '), stop?.status === undefined ? {} : { status: stop.status });
}
