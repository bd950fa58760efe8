/**
 * HTTP transport for Langfuse's OTLP endpoint, `POST <baseUrl>/api/public/otel/v1/traces`
 * (langfuse-v4.md): OTLP protobuf with Basic auth, `x-langfuse-ingestion-version: 4` so Langfuse v4
 * writes the spans at once instead of 10-15 minutes later, and no `x-langfuse-sdk-name` (any value
 * marks the request as Langfuse SDK traffic). A request is all or nothing: 2xx accepts every span
 * unless the answer reports a partial success with rejected spans; 400/401/403/413 are final.
 */
import type { IncomingMessage } from 'node:http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ConfigurationError } from '../config/errors.js';
import { INGESTION_VERSION_HEADER, LANGFUSE_OTLP_TRACES_PATH } from '../ingestion-api/api.js';
import { httpBase } from '../ingestion-api/base-url.js';
import { statusLabel } from './http-post.js';
import { createNodePool, nodePost, nodeStatusOutcome, readBody } from './node-post.js';
import type { SendOutcome } from './types.js';

/** Sends one encoded `ExportTraceServiceRequest`. */
export interface OtlpTransport {
  /** POSTs `body` (OTLP protobuf); resolves (never rejects) with the outcome. */
  send(body: Uint8Array, timeoutMillis: number): Promise<SendOutcome>;
  shutdown(): Promise<void>;
}

export interface OtlpTransportOptions {
  /** Langfuse origin, optionally with a path prefix, e.g. `https://cloud.langfuse.com`. */
  readonly baseUrl: string;
  readonly publicKey: string;
  /** Only ever sent inside the `Authorization` header. */
  readonly secretKey: string;
}

/** Langfuse v4's direct write path (values above 4 are refused). */
export const INGESTION_VERSION = '4';

/** Rejected spans a 2xx answer reports (OTLP partial success), from a protobuf or JSON body; 0 when none. */
function rejectedSpans(body: Buffer, contentType: string): { count: number; message: string } {
  try {
    if (contentType.includes('protobuf')) {
      const partial = ProtobufTraceSerializer.deserializeResponse(body).partialSuccess;
      return { count: Number(partial?.rejectedSpans ?? 0), message: partial?.errorMessage ?? '' };
    }
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const partial = (parsed as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } } | null)?.partialSuccess;
    const count = Number(partial?.rejectedSpans ?? 0);
    return { count: Number.isFinite(count) ? count : 0, message: typeof partial?.errorMessage === 'string' ? partial.errorMessage : '' };
  } catch {
    // Langfuse's answer is not meaningful (langfuse-ingestion.md 3.1): a 2xx body that cannot be read rejects nothing.
    return { count: 0, message: '' };
  }
}

async function toOutcome(res: IncomingMessage): Promise<SendOutcome> {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) return nodeStatusOutcome(res);
  // The status says the spans were taken; the body only reports a partial success. A body that
  // breaks off is read as none: sending the spans again would store them twice (v4 does not dedupe).
  const body = (await readBody(res)) ?? Buffer.alloc(0);
  const header = res.headers['content-type'];
  const rejected = body.length === 0 ? { count: 0, message: '' } : rejectedSpans(body, String(header ?? ''));
  if (rejected.count <= 0) return { kind: 'ok' };
  // Which spans were refused is not said: none is sent again (OTLP: a partial success is final).
  const why = rejected.message === '' ? '' : `: ${rejected.message.slice(0, 300)}`;
  return { kind: 'failed', reason: `${statusLabel(status)} with ${rejected.count} span(s) rejected${why}`, status };
}

/**
 * Creates a transport posting OTLP protobuf to Langfuse with Basic auth (`publicKey:secretKey`)
 * over a keep-alive `node:http(s)` Agent it owns and closes on `shutdown()`.
 * @throws ConfigurationError when `baseUrl` is not an http(s) URL or a key is empty.
 */
export function createOtlpTransport(options: OtlpTransportOptions): OtlpTransport {
  const base = httpBase(options.baseUrl);
  if (base === undefined) throw new ConfigurationError('Configuration: baseUrl must be an http(s) URL (actual: not one)');
  if (options.publicKey === '') throw new ConfigurationError('Configuration: publicKey is empty');
  if (options.secretKey === '') throw new ConfigurationError('Configuration: secretKey is empty');
  const url = `${base}${LANGFUSE_OTLP_TRACES_PATH}`;
  const headers: Record<string, string> = {
    'content-type': 'application/x-protobuf',
    authorization: `Basic ${Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64')}`,
    [INGESTION_VERSION_HEADER]: INGESTION_VERSION,
  };
  const pool = createNodePool(url);
  let closed = false;
  return {
    send: async (body, timeoutMillis) =>
      closed ? { kind: 'failed', reason: 'transport is shut down' } : nodePost(pool, headers, body, timeoutMillis, toOutcome),
    shutdown: () => {
      closed = true;
      pool.close();
      return Promise.resolve();
    },
  };
}
