/**
 * A lean loopback fake of Langfuse for the exporter bench. `POST /api/public/ingestion`: reads
 * the body, JSON-parses it, counts the batch's events and answers as Langfuse does, 207 with one
 * `{ id, status: 201 }` per event and no errors. `POST /api/public/otel/v1/traces`: counts the
 * spans and their ids of an OTLP protobuf or JSON body with a lean scan (no full decode, for
 * either encoding) and answers 200 `{}`. No validation beyond the envelope shape, so the server
 * costs every exporter about the same per item. Records when the last item arrived (after its
 * body was read and scanned), on the `process.hrtime` clock, which is CLOCK_MONOTONIC and so the
 * same clock in every process of the machine.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IngestionCounts {
  /** Requests answered (any path). */
  requests: number;
  /** Request body bytes received. */
  bytes: number;
  /** Events received in `batch` arrays, plus spans received over OTLP. */
  events: number;
  /** Events per `type`. */
  readonly byType: Map<string, number>;
  /** Distinct body ids of observation events (everything but trace-create) and OTLP span ids: the spans that arrived. */
  readonly observationIds: Set<string>;
  /** Requests that were not a POST to the ingestion path with a `batch` array. */
  malformed: number;
  /** `process.hrtime.bigint()` when the last event arrived, 0n before any. */
  lastArrival: bigint;
}

export interface IngestionServer {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Counts since the start or the last `reset()`. */
  readonly counts: IngestionCounts;
  /** Starts counting from zero (for the measured phase after a warm-up). */
  reset(): void;
  /**
   * Resolves once `events` events have arrived, or when no request has arrived for `quietMillis`
   * (an exporter that sends fewer than expected), or after `timeoutMillis` at the latest.
   */
  waitForEvents(events: number, quietMillis: number, timeoutMillis: number): Promise<'complete' | 'quiet' | 'timeout'>;
  close(): Promise<void>;
}

const INGESTION_PATH = '/api/public/ingestion';
const OTLP_PATH = '/api/public/otel/v1/traces';

/** Reads a protobuf varint at `at`: [value, next offset]. */
function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[at++] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

/**
 * Calls `visit(start, end)` for each length-delimited field number `field` of the message in
 * `buf[start, end)`, skipping every other field.
 */
function fields(buf: Buffer, start: number, end: number, field: number, visit: (from: number, to: number) => void): void {
  let at = start;
  while (at < end) {
    let tag: number;
    [tag, at] = varint(buf, at);
    const wire = tag & 7;
    if (wire === 0) [, at] = varint(buf, at);
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      let length: number;
      [length, at] = varint(buf, at);
      if (tag >>> 3 === field) visit(at, at + length);
      at += length;
    } else throw new Error(`wire type ${wire}`);
  }
}

/** The span ids (hex) of an `ExportTraceServiceRequest`: resource_spans(1) > scope_spans(2) > spans(2) > span_id(2). */
function protobufSpanIds(buf: Buffer): string[] {
  const ids: string[] = [];
  fields(buf, 0, buf.length, 1, (rs, rsEnd) =>
    fields(buf, rs, rsEnd, 2, (ss, ssEnd) =>
      fields(buf, ss, ssEnd, 2, (sp, spEnd) => fields(buf, sp, spEnd, 2, (id, idEnd) => void ids.push(buf.toString('hex', id, idEnd)))),
    ),
  );
  return ids;
}

/** The span ids of an OTLP/JSON request (a scan for `"spanId":"…"`; parent ids are `parentSpanId`). */
function jsonSpanIds(text: string): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(/"spanId":"([0-9a-fA-F]{16})"/g)) ids.push(match[1] as string);
  return ids;
}

function freshCounts(): IngestionCounts {
  return { requests: 0, bytes: 0, events: 0, byType: new Map(), observationIds: new Set(), malformed: 0, lastArrival: 0n };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startIngestionServer(): Promise<IngestionServer> {
  let counts = freshCounts();
  let lastRequest = process.hrtime.bigint();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    lastRequest = process.hrtime.bigint();
    const c = counts;
    c.requests++;
    c.bytes += raw.length;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === OTLP_PATH) {
      let ids: string[];
      try {
        const protobuf = String(req.headers['content-type'] ?? '').includes('protobuf');
        ids = protobuf ? protobufSpanIds(raw) : jsonSpanIds(raw.toString('utf8'));
      } catch {
        c.malformed++;
        reply(res, 400, { error: 'Failed to parse OTel Trace' });
        return;
      }
      for (const id of ids) c.observationIds.add(id);
      c.byType.set('otlp-span', (c.byType.get('otlp-span') ?? 0) + ids.length);
      c.events += ids.length;
      if (ids.length > 0) c.lastArrival = process.hrtime.bigint();
      reply(res, 200, {});
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (req.method !== 'POST' || path !== INGESTION_PATH || !isRecord(body) || !Array.isArray(body.batch)) {
      c.malformed++;
      reply(res, 400, { message: 'Invalid request data' });
      return;
    }
    const successes: Array<{ id: string; status: number }> = [];
    for (const event of body.batch as unknown[]) {
      const e = isRecord(event) ? event : {};
      const type = typeof e.type === 'string' ? e.type : '(none)';
      c.byType.set(type, (c.byType.get(type) ?? 0) + 1);
      if (type !== 'trace-create' && isRecord(e.body) && typeof e.body.id === 'string') c.observationIds.add(e.body.id);
      successes.push({ id: typeof e.id === 'string' ? e.id : 'unknown', status: 201 });
    }
    c.events += body.batch.length;
    if (body.batch.length > 0) c.lastArrival = process.hrtime.bigint();
    reply(res, 207, { successes, errors: [] });
  }

  function reply(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    get counts() {
      return counts;
    },
    reset: () => {
      counts = freshCounts();
    },
    waitForEvents: (events, quietMillis, timeoutMillis) =>
      new Promise((resolve) => {
        const start = process.hrtime.bigint();
        const check = (): void => {
          const now = process.hrtime.bigint();
          if (counts.events >= events) resolve('complete');
          else if (Number(now - lastRequest) / 1e6 >= quietMillis && Number(now - start) / 1e6 >= quietMillis) resolve('quiet');
          else if (Number(now - start) / 1e6 >= timeoutMillis) resolve('timeout');
          else setTimeout(check, 2);
        };
        check();
      }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
