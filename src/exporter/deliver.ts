/**
 * Delivers one export's requests: send each, retry what may succeed later until a deadline,
 * resend only the failed subset of a 207 (exporterhelper's `OnError` model, style.md §2.4), and
 * report every item (ingestion event or span) as accepted, rejected or undelivered. The same loop
 * serves both protocols; {@link Delivery} adds the ingestion endpoint's size split.
 */
import type { IngestionEvent } from '../mapping/schema.js';
import { DeliveryError, EVENT_TYPE_NOT_ACCEPTED, EventTypeNotAcceptedError, formatIds } from './errors.js';
import { splitIntoRequests } from '../ingestion-api/split.js';
import type { TruncatedField } from '../ingestion-api/split.js';
import type { RejectedEvent } from '../ingestion-api/api.js';
import type { DeliveryReport, IngestionTransport, SendOutcome } from './types.js';

/** Time and bounds of one export's delivery; clocks are injected so tests never sleep. */
export interface RetryDeps {
  /** Absolute time (ms, on the `now()` clock) after which no attempt starts. */
  readonly deadlineMillis: number;
  /** Current time in ms, e.g. `Date.now`. */
  readonly now: () => number;
  /** Waits `ms` milliseconds between attempts. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Cap on one attempt, in ms; an attempt also never runs past the deadline. */
  readonly requestTimeoutMillis: number;
  /** Langfuse base URL, only used in the remediation text of {@link EventTypeNotAcceptedError}. */
  readonly baseUrl?: string;
}

/** What {@link deliver} and {@link Delivery} need for the ingestion endpoint. */
export interface DeliverDeps extends RetryDeps {
  readonly transport: IngestionTransport;
  /** Cap on one request body in UTF-8 bytes (the exporter's default is 3 500 000). */
  readonly maxBatchBytes: number;
  /** Cap on one event in UTF-8 bytes before its largest field is truncated (default 1 000 000). */
  readonly maxEventBytes: number;
  /** Told about every field cut to fit `maxEventBytes` (for logging). */
  readonly onTruncated?: (fields: readonly TruncatedField[]) => void;
}

/** One request as the retry loop sees it: the ids of the items it carries and how to send it. */
export interface Attempt {
  readonly ids: readonly string[];
  /** Sends the request; may throw (counted as a failed request). */
  send(timeoutMillis: number): Promise<SendOutcome>;
  /** The same request holding only `ids`: what is sent again after a 207 answered some with 429/5xx. */
  subset(ids: ReadonlySet<string>): Attempt;
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
 * One export's delivery, fed in parts: each {@link RequestDelivery.addRequests} starts sending its
 * requests at once, so a caller can map the next part while earlier requests are in flight.
 * Requests of one part go one after another; parts run side by side. All share one deadline and
 * one report, which counts items by `noun` ("event", "span").
 */
export class RequestDelivery {
  private readonly _retry: RetryDeps;
  private readonly _noun: string;
  private readonly _tally: Tally = { accepted: [], rejected: [], undelivered: [] };
  private readonly _parts: Array<Promise<void>> = [];
  private _total = 0;

  constructor(deps: RetryDeps, noun: string) {
    this._retry = deps;
    this._noun = noun;
  }

  /**
   * Starts sending the requests `make` builds (synchronously, so the first request is handed over
   * before this returns); `ids` are the ids of every item they carry, which stay undelivered
   * should `make` throw.
   */
  addRequests(ids: readonly string[], make: () => readonly Attempt[]): void {
    this._total += ids.length;
    this._parts.push(this._send(ids, make));
  }

  /** Resolves, once every part has finished, with what became of each id. Never rejects. */
  async finish(): Promise<DeliveryReport> {
    await Promise.all(this._parts);
    const { accepted, rejected, undelivered } = this._tally;
    const error = reportError(this._tally, this._total, this._noun, this._retry.baseUrl);
    return error === undefined ? { accepted, rejected, undelivered } : { accepted, rejected, undelivered, error };
  }

  private async _send(ids: readonly string[], make: () => readonly Attempt[]): Promise<void> {
    const { _retry: deps, _tally: tally } = this;
    try {
      for (const attempt of make()) {
        if (deps.now() >= deps.deadlineMillis) {
          tally.undelivered.push(...attempt.ids);
          tally.stop ??= { reason: 'the deadline passed' };
          continue;
        }
        await sendWithRetries(attempt, deps, tally, this._noun);
      }
    } catch (err) {
      // Whatever of this part is not accounted for yet stays undelivered.
      const seen = new Set([...tally.accepted, ...tally.rejected.map((r) => r.id), ...tally.undelivered]);
      tally.undelivered.push(...ids.filter((id) => !seen.has(id)));
      tally.stop = { reason: `delivery aborted (${err instanceof Error ? err.name : typeof err})` };
    }
  }
}

/** An ingestion request: its events and, when the split made it, their JSON in pieces. */
function ingestionAttempt(transport: IngestionTransport, events: readonly IngestionEvent[], pieces?: readonly string[]): Attempt {
  return {
    ids: events.map((e) => e.id),
    send: (timeoutMillis) => transport.send(events, timeoutMillis, pieces),
    // A resent subset is serialised anew.
    subset: (ids) => ingestionAttempt(transport, events.filter((e) => ids.has(e.id))),
  };
}

/**
 * One export's delivery to the ingestion endpoint: each {@link Delivery.add} splits its events
 * under the size caps (the split and the first request happen before it returns) and starts
 * sending them. Envelope ids stay the same across retries so Langfuse can dedupe.
 */
export class Delivery extends RequestDelivery {
  private readonly _deps: DeliverDeps;

  constructor(deps: DeliverDeps) {
    super(deps, 'event');
    this._deps = deps;
  }

  add(events: readonly IngestionEvent[]): void {
    const deps = this._deps;
    this.addRequests(
      events.map((e) => e.id),
      () => {
        const { requests, pieces, truncated } = splitIntoRequests(events, deps);
        if (truncated.length > 0) deps.onTruncated?.(truncated);
        return requests.map((request, i) => ingestionAttempt(deps.transport, request, pieces[i]));
      },
    );
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

async function sendWithRetries(attempt: Attempt, deps: RetryDeps, tally: Tally, noun: string): Promise<void> {
  let pending = attempt;
  for (let retry = 0; ; retry++) {
    const timeout = Math.min(deps.requestTimeoutMillis, deps.deadlineMillis - deps.now());
    const outcome = await safeSend(pending, timeout);
    let retryAfterMillis: number | undefined;
    if (outcome.kind === 'ok') {
      tally.accepted.push(...pending.ids);
      return;
    } else if (outcome.kind === 'failed') {
      tally.undelivered.push(...pending.ids);
      tally.stop = outcome.status === undefined ? { reason: outcome.reason } : { reason: outcome.reason, status: outcome.status };
      return;
    } else if (outcome.kind === 'partial') {
      const again = new Set(outcome.retryable);
      const refused = new Set(outcome.rejected.map((r) => r.id));
      tally.accepted.push(...pending.ids.filter((id) => !again.has(id) && !refused.has(id)));
      tally.rejected.push(...outcome.rejected);
      const remaining = new Set(pending.ids.filter((id) => again.has(id) && !refused.has(id)));
      if (remaining.size === 0) return;
      pending = pending.subset(remaining);
    } else {
      retryAfterMillis = outcome.retryAfterMillis;
    }
    const reason = outcome.kind === 'partial' ? `${pending.ids.length} ${noun}(s) answered 429/5xx` : outcome.reason;
    const delay = backoffMillis(retry, retryAfterMillis);
    if (deps.now() + delay >= deps.deadlineMillis) {
      tally.undelivered.push(...pending.ids);
      tally.stop = { reason: `the deadline passed before a retry (last: ${reason})` };
      return;
    }
    await deps.sleep(delay);
  }
}

async function safeSend(attempt: Attempt, timeout: number): Promise<SendOutcome> {
  try {
    return await attempt.send(Math.max(1, timeout));
  } catch (err) {
    return { kind: 'failed', reason: `transport threw (${err instanceof Error ? err.name : typeof err})` };
  }
}

function reportError(tally: Tally, total: number, noun: string, baseUrl: string | undefined): Error | undefined {
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
    parts.push(`Langfuse rejected ${rejected.length} of ${total} ${noun}(s) (HTTP ${statuses}; ids: ${rejectedIds})`);
  }
  if (undelivered.length > 0) {
    const why = stop?.reason ?? 'unknown reason';
    parts.push(`${undelivered.length} of ${total} ${noun}(s) undelivered (${why}; ids: ${formatIds(undelivered)})`);
  }
  return new DeliveryError(parts.join('; '), stop?.status === undefined ? {} : { status: stop.status });
}
