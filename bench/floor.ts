/**
 * Floors: the least work any mapping between the two formats has to do, with none of the rules.
 * They are measured next to the real mappings and the serializer to tell how far a speed target
 * is from what the work itself allows.
 */
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { request } from 'undici';
import { LAST_PARTS_SPANS, partsByTrace, SPANS_PER_PART } from '../src/exporter/parts.js';
import { envelopeId, hrTimeToIso, isoToHrTime, parseIngestionEvent, toOtelSpanId, toOtelTraceId } from 'otel-langfuse-bridge/mapping';

function parsedIfJson(v: unknown): unknown {
  if (typeof v !== 'string' || (v[0] !== '{' && v[0] !== '[')) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/**
 * Spans -> events, floor: every attribute read once into the event (JSON payloads parsed, as
 * Langfuse stores input/output as JSON), both times written as ISO strings, one SHA-256 envelope
 * id. No dialects, no precedence, no usage arithmetic, no validation, no issues.
 */
export function forwardFloor(spans: readonly ReadableSpan[]): unknown[] {
  const out: unknown[] = [];
  for (const span of spans) {
    const ctx = span.spanContext();
    const attributes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(span.attributes)) attributes[k] = parsedIfJson(v);
    const startTime = hrTimeToIso(span.startTime);
    const endTime = hrTimeToIso(span.endTime);
    const body = { id: ctx.spanId, traceId: ctx.traceId, name: span.name, startTime, endTime, metadata: { attributes } };
    out.push({ id: envelopeId('span-create', ctx.spanId, `${ctx.traceId} ${startTime} ${endTime}`), type: 'span-create', timestamp: startTime, body });
  }
  return out;
}

/**
 * Events -> spans, floor: each event validated (the schema check every boundary gets), each body
 * field written as one attribute (JSON text unless a string), both times parsed exactly, trace and
 * span ids derived. No merge, no roots, no GenAI twins, no hygiene, no issues.
 */
export function reverseFloor(events: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const raw of events) {
    const parsed = parseIngestionEvent(raw);
    if (!parsed.ok) continue;
    const body = parsed.event.body as Record<string, unknown>;
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (v !== undefined && v !== null) attributes[`langfuse.${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
    const start = typeof body.startTime === 'string' ? isoToHrTime(body.startTime) : undefined;
    const end = typeof body.endTime === 'string' ? isoToHrTime(body.endTime) : undefined;
    out.push({
      traceId: toOtelTraceId(String(body.traceId ?? body.id)),
      spanId: toOtelSpanId(String(body.id)),
      name: body.name,
      startTime: start,
      endTime: end ?? start,
      attributes,
    });
  }
  return out;
}

/**
 * Exporter floor: the least an exporter that reports honestly must do per export() call: the
 * forward floor plus a shallow trace-create per trace, one JSON body per part of whole traces
 * (the parts ours makes: src/exporter/parts.ts), each part's POST going out while the next part is
 * mapped, and the callback only once every answer came. No retries, no size caps, no checks of
 * the answers.
 */
export class FloorExporter implements SpanExporter {
  private readonly _url: string;
  private readonly _auth: string;

  constructor(options: { baseUrl: string; publicKey: string; secretKey: string }) {
    this._url = `${options.baseUrl}/api/public/ingestion`;
    this._auth = `Basic ${Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64')}`;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this._export(spans).then(
      () => done({ code: 0 }),
      (error: unknown) => done({ code: 1, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  private async _export(spans: ReadableSpan[]): Promise<void> {
    const answers: Array<Promise<string>> = [];
    for (const part of partsByTrace(spans, SPANS_PER_PART, LAST_PARTS_SPANS)) {
      if (answers.length > 0) await new Promise((resolve) => setImmediate(resolve));
      answers.push(this._post(part));
    }
    await Promise.all(answers);
  }

  private _post(spans: ReadableSpan[]): Promise<string> {
    const traces = new Map<string, string>();
    for (const s of spans) if (!traces.has(s.spanContext().traceId)) traces.set(s.spanContext().traceId, hrTimeToIso(s.startTime) ?? '');
    const batch = [...traces].map(([id, timestamp]) => ({ id: `t-${id}`, type: 'trace-create', timestamp, body: { id, timestamp } }));
    batch.push(...(forwardFloor(spans) as typeof batch));
    return request(this._url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this._auth },
      body: JSON.stringify({ batch, metadata: {} }),
    }).then((res) => res.body.text());
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
