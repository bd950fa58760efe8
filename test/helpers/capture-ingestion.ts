/**
 * A loopback stand-in for Langfuse's `POST /api/public/ingestion`, for end-to-end tests with real
 * Langfuse clients: records every request and answers like Langfuse does for a fully accepted
 * batch (HTTP 207, every envelope id listed in `successes`). Anything else is a 404 JSON answer.
 */
import { createServer } from 'node:http';
import { isRecord, listenLoopback, readBody } from './loopback.js';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One request as the capture server received it. */
export interface CapturedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (gunzipped first when `content-encoding: gzip`); undefined when empty or not JSON. */
  body: unknown;
}

export interface CaptureServer {
  /** Origin without path, e.g. `http://127.0.0.1:41234`: the client's `baseUrl`. */
  url: string;
  /** Requests in arrival order (appended before the answer is sent). */
  requests: CapturedRequest[];
  close(): Promise<void>;
}

const INGESTION_PATH = '/api/public/ingestion';

/** Starts the server on 127.0.0.1, port 0. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    handle(req, res, requests).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(err) });
      else res.end();
    });
  });
  const url = await listenLoopback(server);
  let closing: Promise<void> | undefined;
  return {
    url,
    requests,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The client's keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      })),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, requests: CapturedRequest[]): Promise<void> {
  const raw = await readBody(req);
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const method = req.method ?? '';
  let body: unknown;
  let parseError: string | undefined;
  try {
    const bytes = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    body = bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : undefined;
  } catch (err) {
    parseError = String(err);
  }
  requests.push({ method, path, headers: req.headers, body });

  if (method !== 'POST' || path !== INGESTION_PATH) {
    sendJson(res, 404, { message: `no route for ${method} ${path}: this capture server only knows POST ${INGESTION_PATH}` });
    return;
  }
  if (parseError !== undefined || !isRecord(body) || !Array.isArray(body.batch)) {
    sendJson(res, 400, { message: 'expected a JSON body with a batch array', error: parseError ?? null });
    return;
  }
  const successes = body.batch.flatMap((event) =>
    isRecord(event) && typeof event.id === 'string' ? [{ id: event.id, status: 201 }] : [],
  );
  sendJson(res, 207, { successes, errors: [] });
}

function sendJson(res: ServerResponse, status: number, payload: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}


