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

/** The expected request size: bounds count 3 bytes per UTF-16 unit, and most text is ASCII. */
function sizeHint(spans: readonly ReadableSpan[]): number {
  let total = ENVELOPE_BYTES;
  for (const span of spans) total += bound(span) / 3;
  return Math.ceil(total);
}


/** Bytes kept free per request for the resources and scopes around the spans. */
const ENVELOPE_BYTES = 16_384;

/** An upper bound of the span's bytes: the mapping's, or measured. */
function bound(span: ReadableSpan): number {
  return span instanceof LangfuseOtlpSpan && Number.isFinite(span.bytesBound) ? span.bytesBound : otlpSpanBytes(span, false);
}

function groups(spans: readonly ReadableSpan[], maxBytes: number): ReadableSpan[][] {
  const cap = maxBytes - ENVELOPE_BYTES;
  let total = 0;
  for (const span of spans) total += bound(span);
  if (total <= cap) return [[...spans]];
  const out: ReadableSpan[][] = [];
  let current: ReadableSpan[] = [];
  let size = 0;
  for (const span of spans) {
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

function encode(spans: ReadableSpan[], maxBytes: number, serialize: OtlpSerializer, out: OtlpRequest[]): void {
  const body = serialize(spans, sizeHint(spans));
  if (body.length > maxBytes && spans.length > 1) {
    const half = spans.length >> 1;
    encode(spans.slice(0, half), maxBytes, serialize, out);
    encode(spans.slice(half), maxBytes, serialize, out);
    return;
  }
  out.push({ ids: spans.map((s) => s.spanContext().spanId), body });
}

/** The spans' requests, in order; a single span over the cap still goes, alone. */
export function otlpRequests(spans: readonly ReadableSpan[], maxBytes: number, serialize: OtlpSerializer = encodeTraceRequest): OtlpRequest[] {
  const out: OtlpRequest[] = [];
  if (spans.length === 0) return out;
  for (const group of groups(spans, maxBytes)) encode(group, maxBytes, serialize, out);
  return out;
}
