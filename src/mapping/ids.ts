/**
 * Deterministic identifiers in both directions (design.md section 3).
 * The same input always yields the same id, so a replayed batch or a parent that arrived in
 * another request still links up.
 */
import { hash } from 'node:crypto';

const HEX32 = /^[0-9a-fA-F]{32}$/;
const HEX16 = /^[0-9a-fA-F]{16}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

/** A valid OTel trace id: 32 hex digits, not all zero. */
export function isOtelTraceId(id: unknown): id is string {
  return typeof id === 'string' && HEX32.test(id) && id !== ZERO32;
}

/** A valid OTel span id: 16 hex digits, not all zero. */
export function isOtelSpanId(id: unknown): id is string {
  return typeof id === 'string' && HEX16.test(id) && id !== ZERO16;
}

/** First `bytes` bytes of SHA-256(`text`) in lower-case hex, rehashed while all zero. */
function hashHex(text: string, bytes: number): string {
  for (let salt = 0; ; salt++) {
    const input = salt === 0 ? text : `${text}#${salt}`;
    const hex = hash('sha256', input, 'hex').slice(0, bytes * 2);
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** OTel trace id -> Langfuse trace id: the same 32 hex digits, lower case. */
export function toLangfuseTraceId(otelTraceId: string): string {
  return otelTraceId.toLowerCase();
}

/** OTel span id -> Langfuse observation id: the same 16 hex digits, lower case. */
export function toLangfuseObservationId(otelSpanId: string): string {
  return otelSpanId.toLowerCase();
}

/**
 * Langfuse trace id -> OTel trace id. 32 hex digits pass through (lower-cased); a dashed UUID
 * loses its dashes; anything else is the first 16 bytes of SHA-256("langfuse.trace:" + id).
 */
export function toOtelTraceId(langfuseTraceId: string): string {
  // UUID first: isOtelTraceId is a type guard, so after a false result TypeScript narrows the
  // string argument to `never`. The two shapes are disjoint, so the order does not matter.
  if (UUID.test(langfuseTraceId)) {
    const hex = langfuseTraceId.replace(/-/g, '').toLowerCase();
    if (hex !== ZERO32) return hex;
  } else if (isOtelTraceId(langfuseTraceId)) {
    return langfuseTraceId.toLowerCase();
  }
  return hashHex(`langfuse.trace:${langfuseTraceId}`, 16);
}

/**
 * Langfuse observation id -> OTel span id. 16 hex digits pass through (lower-cased); anything
 * else, UUIDs included, is the first 8 bytes of SHA-256("langfuse.observation:" + id).
 */
export function toOtelSpanId(langfuseObservationId: string): string {
  if (isOtelSpanId(langfuseObservationId)) return langfuseObservationId.toLowerCase();
  return hashHex(`langfuse.observation:${langfuseObservationId}`, 8);
}

/** Span id of the synthetic root span that stands for a trace-create. */
export function syntheticRootSpanId(langfuseTraceId: string): string {
  return hashHex(`langfuse.trace-root:${langfuseTraceId}`, 8);
}

/** The variant digit of a version 8 UUID, by the low two bits of the digest digit it replaces. */
const VARIANT_DIGITS = ['8', '9', 'a', 'b'] as const;

/**
 * Envelope id of an ingestion event we emit: a UUID-shaped digest of the event type, the body id
 * and the body content, so a retried or replayed batch carries the same envelope ids and Langfuse
 * deduplicates it instead of storing it twice.
 */
export function envelopeId(type: string, bodyId: string, canonicalBody: string): string {
  // One-shot hash: far cheaper than a Hash object per event.
  const hex = hash('sha256', `${type}\u0000${bodyId}\u0000${canonicalBody}`, 'hex');
  // RFC 9562 version 8 (custom) with the RFC variant bits: 10 and the low two bits of digit 16.
  const digit = hex.charCodeAt(16);
  const variant = VARIANT_DIGITS[(digit <= 0x39 ? digit - 0x30 : digit - 0x57) & 0x3];
  // Joined, not a template literal: one flat string instead of a tree of pieces for the output to keep.
  return [hex.slice(0, 8), '-', hex.slice(8, 12), '-8', hex.slice(13, 16), '-', variant, hex.slice(17, 20), '-', hex.slice(20, 32)].join('');
}
