/**
 * Facts of Langfuse's public HTTP API that every edge shares (langfuse-ingestion.md §4,
 * langfuse-v4.md): the paths, the 207 answer of the ingestion endpoint, and which statuses may
 * succeed later. The exporter writes requests and reads answers, the receiver reads requests and
 * writes answers, `convert` writes requests: all from here.
 */
import { z } from 'zod';

/** The legacy batch endpoint: `POST {base}/api/public/ingestion`. */
export const INGESTION_PATH = '/api/public/ingestion';
/** Langfuse's OTLP/HTTP traces endpoint (v3.x and later; the only trace path of v4 Cloud). */
export const LANGFUSE_OTLP_TRACES_PATH = '/api/public/otel/v1/traces';
/** `GET`: `{"status":"OK","version":...}` while the server is up. */
export const HEALTH_PATH = '/api/public/health';
/** `GET` with Basic auth: the project of a key pair (the Python SDK's `auth_check()`). */
export const PROJECTS_PATH = '/api/public/projects';
/** Header that selects Langfuse v4's direct write path for OTLP (langfuse-v4.md). */
export const INGESTION_VERSION_HEADER = 'x-langfuse-ingestion-version';

/** One accepted event in a 207 answer. */
export interface IngestionSuccess {
  readonly id: string;
  readonly status: number;
}

/** One refused event in a 207 answer; `message` and `error` as Langfuse writes them. */
export interface IngestionError {
  readonly id: string;
  readonly status: number;
  readonly message?: unknown;
  readonly error?: unknown;
}

/** The body of Langfuse's `207 Multi-Status` answer to `POST /api/public/ingestion`. */
export interface IngestionResponse {
  readonly successes: readonly IngestionSuccess[];
  readonly errors: readonly IngestionError[];
}

/** An event refused for good (a per-event 4xx in a 207), reported by envelope id. */
export interface RejectedEvent {
  readonly id: string;
  readonly status: number;
  readonly message: string;
}

/**
 * A 207 body as a reader needs it. Only the errors are read: the successes (one per accepted
 * event) are checked to be an array, not item by item, which would cost more than the rest of the
 * reply handling.
 */
export const ingestionResponseSchema = z.object({
  successes: z.custom<unknown[]>(Array.isArray, 'successes must be an array'),
  errors: z.array(
    z.looseObject({ id: z.string(), status: z.number(), message: z.unknown().optional(), error: z.unknown().optional() }),
  ),
});

/**
 * 429 and every 5xx may succeed later (a proxy's 502/504, a CDN's 520-527 origin errors), except
 * 501 Not Implemented and 505 HTTP Version Not Supported, which say the same thing every time.
 * The same rule applies to the per-event statuses of a 207. 408 Request Timeout may too.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}
