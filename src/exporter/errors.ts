/**
 * Errors the exporter reports. Messages carry counts, envelope ids and HTTP statuses only: never
 * request or response bodies, header values or keys (style.md §3, Exporter).
 */
import { httpBase } from '../ingestion-api/base-url.js';

/** At most this many ids are listed in a message; the rest are counted. */
export const MAX_IDS_IN_MESSAGE = 10;

/** `"a, b, c"` for the first {@link MAX_IDS_IN_MESSAGE} ids, then `"and N more"`. */
export function formatIds(ids: readonly string[], max = MAX_IDS_IN_MESSAGE): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}

/** Details a {@link DeliveryError} carries besides its message. */
export interface DeliveryErrorDetails {
  /** HTTP status of the request that failed for good, when there was one. */
  readonly status?: number;
}

/**
 * Not every event reached Langfuse: some were rejected for good, or some were still undelivered
 * when the deadline passed or a permanent HTTP error (400, 401, 403, 413, ...) stopped delivery.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  /** HTTP status of the request that failed for good; undefined for network errors and deadlines. */
  readonly status: number | undefined;

  constructor(message: string, details: DeliveryErrorDetails = {}) {
    super(message);
    this.status = details.status;
  }
}

/** Details an {@link EventTypeNotAcceptedError} carries. */
export interface EventTypeNotAcceptedDetails {
  /** Envelope ids the server refused with "Event type not accepted". */
  readonly ids: readonly string[];
  /** Langfuse base URL, used in the remediation text; `<baseUrl>` when unknown. */
  readonly baseUrl?: string;
}

/** Text of the per-event 400 a Langfuse v4 server in `events_only` write mode answers. */
export const EVENT_TYPE_NOT_ACCEPTED = 'Event type not accepted';

/**
 * The Langfuse server refuses ingestion events (a per-event 400 "Event type not accepted"):
 * Langfuse Cloud, which takes only scores on `POST /api/public/ingestion` since 2026-11-16, or
 * self-hosted v4 in its default `events_only` write mode. Retrying cannot help, so this is reported
 * once, naming the fix: protocol 'otlp'.
 */
export class EventTypeNotAcceptedError extends Error {
  override readonly name = 'EventTypeNotAcceptedError';
  /** Envelope ids refused with "Event type not accepted". */
  readonly ids: readonly string[];

  constructor(details: EventTypeNotAcceptedDetails) {
    const base = publicBase(details.baseUrl);
    super(
      `Langfuse refused ${details.ids.length} event(s) with "${EVENT_TYPE_NOT_ACCEPTED}" (ids: ${formatIds(details.ids)}): ` +
        'this server takes only scores on POST /api/public/ingestion (Langfuse Cloud since 2026-11-16; self-hosted ' +
        'Langfuse v4 in its default LANGFUSE_MIGRATION_V4_WRITE_MODE=events_only). ' +
        `Fix: use protocol: 'otlp' (the default), which sends the spans as OTLP to ${base}/api/public/otel/v1/traces; ` +
        'or, on self-hosted v4, set LANGFUSE_MIGRATION_V4_WRITE_MODE=dual (or legacy) on BOTH the web and worker containers.',
    );
    this.ids = details.ids;
  }
}

/** The base URL without credentials, query or trailing slash; `<baseUrl>` when absent or invalid. */
function publicBase(baseUrl: string | undefined): string {
  return httpBase(baseUrl) ?? '<baseUrl>';
}
