/**
 * Langfuse v4 as the receiver's target (langfuse-v4.md): each export's spans go as OTLP to
 * `{base}/api/public/otel/v1/traces` with `x-langfuse-ingestion-version: 4` and no
 * `x-langfuse-sdk-name`, shaped as Langfuse stores observations (./shape.ts); its scores go to
 * `{base}/api/public/ingestion` (./scores.ts). Both with the key pair of the clients that sent the
 * events (the export's route): the receiver holds no secret of its own.
 *
 * An export is retried, but a request already delivered is not sent again (Langfuse v4 does not
 * dedupe spans). A 401/403, a 400 or a 413 is final: the export is refused (and
 * dead-lettered by the forwarder), never retried forever. A score Langfuse refuses is logged with
 * its event id and reason.
 */
import { diag } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { otlpRequests } from '../../../exporter/otlp-requests.js';
import type { OtlpRequest } from '../../../exporter/otlp-requests.js';
import { createOtlpTransport } from '../../../exporter/otlp-transport.js';
import type { OtlpTransport } from '../../../exporter/otlp-transport.js';
import { createHttpTransport } from '../../../exporter/transport.js';
import type { IngestionTransport, SendOutcome } from '../../../exporter/types.js';
import { basicCredentials } from '../../http/auth.js';
import type { ExportBatch, ReceiverTarget, TargetOutcome } from '../target.js';
import { scoresForLangfuse } from './scores.js';
import { shapeForLangfuse, TraceFieldMemory } from './shape.js';

export interface LangfuseTargetOptions {
  /** Langfuse base URL, e.g. `https://cloud.langfuse.com` (origin and optional path prefix). */
  readonly baseUrl: string;
  /** One request's time limit. Default 30 s. */
  readonly timeoutMillis?: number;
}

/** Bytes of one OTLP request (what Langfuse takes in one ingestion request). */
const MAX_REQUEST_BYTES = 3_500_000;
/** Transports kept per key pair (the least recently used are closed past this). */
const MAX_ROUTES = 256;

interface Route {
  readonly otlp: OtlpTransport;
  readonly ingestion: IngestionTransport;
}

function outcomeOf(sent: SendOutcome, what: string): TargetOutcome | undefined {
  if (sent.kind === 'ok' || sent.kind === 'partial') return undefined;
  if (sent.kind === 'retryable') return sent.retryAfterMillis === undefined ? { kind: 'retryable', reason: `${what}: ${sent.reason}` } : { kind: 'retryable', reason: `${what}: ${sent.reason}`, retryAfterMillis: sent.retryAfterMillis };
  return sent.status === undefined ? { kind: 'refused', reason: `${what}: ${sent.reason}` } : { kind: 'refused', reason: `${what}: ${sent.reason}`, status: sent.status };
}

export function langfuseTarget(options: LangfuseTargetOptions): ReceiverTarget {
  const timeout = options.timeoutMillis ?? 30_000;
  const routes = new Map<string, Route>();
  const memory = new TraceFieldMemory();
  /** Per export (the forwarder retries the same object): its OTLP requests and how many are delivered. */
  const progress = new WeakMap<ExportBatch, { requests: OtlpRequest[]; sent: number }>();

  const routeFor = (authorization: string): Route | undefined => {
    let route = routes.get(authorization);
    if (route !== undefined) {
      routes.delete(authorization);
      routes.set(authorization, route);
      return route;
    }
    const { publicKey, secretKey } = basicCredentials(authorization);
    if (publicKey === '' || secretKey === '') return undefined;
    route = {
      otlp: createOtlpTransport({ baseUrl: options.baseUrl, publicKey, secretKey }),
      ingestion: createHttpTransport({ baseUrl: options.baseUrl, publicKey, secretKey }),
    };
    routes.set(authorization, route);
    if (routes.size > MAX_ROUTES) {
      const [oldest, old] = routes.entries().next().value as [string, Route];
      routes.delete(oldest);
      void old.otlp.shutdown();
      void old.ingestion.shutdown();
    }
    return route;
  };

  return {
    description: `Langfuse v4 ${options.baseUrl}`,
    async export(batch) {
      const route = routeFor(batch.route);
      if (route === undefined) return { kind: 'refused', reason: 'events without a Langfuse key pair (the receiver checks pairs with Langfuse)' };
      let state = progress.get(batch);
      if (state === undefined) {
        const spans: ReadableSpan[] = shapeForLangfuse(batch.spans, memory);
        state = { requests: spans.length === 0 ? [] : otlpRequests(spans, MAX_REQUEST_BYTES), sent: 0 };
        progress.set(batch, state);
      }
      for (; state.sent < state.requests.length; state.sent++) {
        const failed = outcomeOf(await route.otlp.send((state.requests[state.sent] as OtlpRequest).body, timeout), 'OTLP');
        if (failed !== undefined) return failed;
      }
      const scores = scoresForLangfuse(batch.events);
      if (scores.length === 0) return { kind: 'ok' };
      const sent = await route.ingestion.send(scores, timeout);
      const failed = outcomeOf(sent, 'scores');
      if (failed !== undefined) return failed;
      if (sent.kind === 'partial') {
        for (const r of sent.rejected) diag.error(`otel-langfuse-bridge receiver: Langfuse refused score event ${r.id} (HTTP ${r.status}): ${r.message}`);
        if (sent.retryable.length > 0) return { kind: 'retryable', reason: `scores: ${sent.retryable.length} to retry` };
      }
      return { kind: 'ok' };
    },
    async shutdown() {
      await Promise.all([...routes.values()].flatMap((r) => [r.otlp.shutdown(), r.ingestion.shutdown()]));
      routes.clear();
    },
  };
}
