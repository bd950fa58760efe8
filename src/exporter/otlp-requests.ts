/**
 * One export's Langfuse spans as OTLP protobuf request bodies under the per-request byte cap
 * (the ingestion endpoint's 3.5 MB by default): one request in the common case, else greedy
 * groups by each span's size, and any body still over the cap split in halves.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { LangfuseOtlpSpan, otlpSpanBytes } from '../mapping/to-langfuse-otlp/index.js';
import { encodeTraceRequest } from '../otlp/otlp-encoder.js';

/** One request: its spans' ids (Langfuse's observation ids) and its encoded body. */
export interface OtlpRequest {
  readonly ids: readonly string[];
  readonly body: Uint8Array;
}

/** Encodes spans as an `ExportTraceServiceRequest`; `sizeHint`: the expected size in bytes. */
export type OtlpSerializer = (spans: ReadableSpan[], sizeHint: number) => Uint8Array;

/** Bytes kept free per request for the resources and scopes around the spans. */
const ENVELOPE_BYTES = 16_384;

/** An upper bound of the span's bytes: the mapping's, or measured. */
function bound(span: ReadableSpan): number {
  return span instanceof LangfuseOtlpSpan && Number.isFinite(span.bytesBound) ? span.bytesBound : otlpSpanBytes(span, false);
}

/** The expected size of a request of spans whose bounds sum to `bounds`: bounds count 3 bytes per UTF-16 unit, and most text is ASCII. */
function sizeHint(bounds: number): number {
  return Math.ceil(ENVELOPE_BYTES + bounds / 3);
}

/** Greedy groups under the cap, by each span's exact size. */
function groups(spans: readonly ReadableSpan[], cap: number): ReadableSpan[][] {
  const out: ReadableSpan[][] = [];
  let current: ReadableSpan[] = [];
  let size = 0;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as ReadableSpan;
    const bytes = otlpSpanBytes(span, true);
    if (current.length > 0 && size + bytes > cap) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(span);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function encode(spans: ReadableSpan[], hint: number, maxBytes: number, serialize: OtlpSerializer, out: OtlpRequest[]): void {
  const body = serialize(spans, hint);
  if (body.length > maxBytes && spans.length > 1) {
    const half = spans.length >> 1;
    const left = spans.slice(0, half);
    const right = spans.slice(half);
    encode(left, sizeHint(sumBounds(left)), maxBytes, serialize, out);
    encode(right, sizeHint(sumBounds(right)), maxBytes, serialize, out);
    return;
  }
  const ids: string[] = new Array<string>(spans.length);
  for (let i = 0; i < spans.length; i++) ids[i] = (spans[i] as ReadableSpan).spanContext().spanId;
  out.push({ ids, body });
}

function sumBounds(spans: readonly ReadableSpan[]): number {
  let total = 0;
  for (let i = 0; i < spans.length; i++) total += bound(spans[i] as ReadableSpan);
  return total;
}

/** The spans' requests, in order; a single span over the cap still goes, alone. */
export function otlpRequests(spans: readonly ReadableSpan[], maxBytes: number, serialize: OtlpSerializer = encodeTraceRequest): OtlpRequest[] {
  const out: OtlpRequest[] = [];
  if (spans.length === 0) return out;
  const total = sumBounds(spans);
  // The common case: one request, whose size the bounds already tell.
  if (total <= maxBytes - ENVELOPE_BYTES) {
    encode([...spans], sizeHint(total), maxBytes, serialize, out);
    return out;
  }
  const parts = groups(spans, maxBytes - ENVELOPE_BYTES);
  for (let i = 0; i < parts.length; i++) encode(parts[i] as ReadableSpan[], sizeHint(sumBounds(parts[i] as ReadableSpan[])), maxBytes, serialize, out);
  return out;
}
