/**
 * Undoes the forward mapping's metadata layout (design.md 5): `attributes`, `resourceAttributes`,
 * `scope` and the reserved `bridge.*` keys go back to being OTel facts, so spans -> ingestion ->
 * spans gives back the same spans. What is left is the user's own metadata.
 */
import type { Attributes, AttributeValue, HrTime, Link } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import { isOtelSpanId, isOtelTraceId } from '../ids.js';
import { isPlainObject } from '../json.js';
import { META } from '../keys.js';
import { isValidHrTime, isoToHrTime } from '../time.js';

export interface OtelFacts {
  attributes?: Attributes;
  resource?: Attributes;
  scope?: { name: string; version?: string };
  kind?: SpanKind;
  spanName?: string;
  statusCode?: SpanStatusCode;
  statusMessage?: string;
  links?: Link[];
  events?: TimedEvent[];
  startNanos?: bigint;
  endNanos?: bigint;
  traceState?: string;
  incomplete?: boolean;
}

const KINDS: Readonly<Record<string, SpanKind>> = {
  INTERNAL: SpanKind.INTERNAL,
  SERVER: SpanKind.SERVER,
  CLIENT: SpanKind.CLIENT,
  PRODUCER: SpanKind.PRODUCER,
  CONSUMER: SpanKind.CONSUMER,
};
const STATUS: Readonly<Record<string, SpanStatusCode>> = {
  UNSET: SpanStatusCode.UNSET,
  OK: SpanStatusCode.OK,
  ERROR: SpanStatusCode.ERROR,
};

function isAttributeValue(v: unknown): v is AttributeValue {
  if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return true;
  if (!Array.isArray(v)) return false;
  const kinds = new Set(v.filter((x) => x !== null && x !== undefined).map((x) => typeof x));
  return kinds.size <= 1 && [...kinds].every((k) => k === 'string' || k === 'number' || k === 'boolean');
}

/** An attribute record when every value is an OTel attribute value, else undefined. */
function attributeRecord(v: unknown): Attributes | undefined {
  if (!isPlainObject(v)) return undefined;
  for (const value of Object.values(v)) if (!isAttributeValue(value)) return undefined;
  return v as Attributes;
}

function nanos(v: unknown): bigint | undefined {
  return typeof v === 'string' && /^\d{1,20}$/.test(v) ? BigInt(v) : undefined;
}

function readEvents(v: unknown): TimedEvent[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: TimedEvent[] = [];
  for (const e of v) {
    if (!isPlainObject(e) || typeof e.name !== 'string' || typeof e.time !== 'string') return undefined;
    const time = isoToHrTime(e.time);
    if (!time) return undefined;
    const attributes = e.attributes === undefined ? undefined : attributeRecord(e.attributes);
    if (e.attributes !== undefined && attributes === undefined) return undefined;
    out.push({ name: e.name, time, ...(attributes ? { attributes } : {}) });
  }
  return out;
}

function readLinks(v: unknown): Link[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Link[] = [];
  for (const l of v) {
    if (!isPlainObject(l) || !isOtelTraceId(l.traceId) || !isOtelSpanId(l.spanId)) return undefined;
    const attributes = l.attributes === undefined ? undefined : attributeRecord(l.attributes);
    if (l.attributes !== undefined && attributes === undefined) return undefined;
    out.push({ context: { traceId: l.traceId, spanId: l.spanId, traceFlags: 0 }, ...(attributes ? { attributes } : {}) });
  }
  return out;
}

type Reader = (v: unknown, facts: OtelFacts) => boolean;

/** Reserved key -> reader; a reader returns false when the value is not ours (it then stays metadata). */
const READERS: ReadonlyArray<[string, Reader]> = [
  [META.attributes, (v, f) => !!(f.attributes = attributeRecord(v))],
  [META.resourceAttributes, (v, f) => !!(f.resource = attributeRecord(v))],
  [
    META.scope,
    (v, f) => {
      if (!isPlainObject(v) || typeof v.name !== 'string') return false;
      f.scope = typeof v.version === 'string' ? { name: v.name, version: v.version } : { name: v.name };
      return true;
    },
  ],
  [META.spanKind, (v, f) => typeof v === 'string' && (f.kind = KINDS[v]) !== undefined],
  [META.spanName, (v, f) => typeof v === 'string' && (f.spanName = v) !== undefined],
  [META.statusCode, (v, f) => typeof v === 'string' && (f.statusCode = STATUS[v]) !== undefined],
  [META.statusMessage, (v, f) => typeof v === 'string' && (f.statusMessage = v) !== undefined],
  [META.links, (v, f) => (f.links = readLinks(v)) !== undefined],
  [META.events, (v, f) => (f.events = readEvents(v)) !== undefined],
  [META.startTimeUnixNano, (v, f) => (f.startNanos = nanos(v)) !== undefined],
  [META.endTimeUnixNano, (v, f) => (f.endNanos = nanos(v)) !== undefined],
  [META.traceState, (v, f) => typeof v === 'string' && (f.traceState = v) !== undefined],
  [META.incomplete, (v, f) => v === true && (f.incomplete = true)],
];

/** Splits metadata into the OTel facts it carries and the user's own metadata. */
export function restoreOtelFacts(metadata: unknown): { facts: OtelFacts; metadata: unknown } {
  const facts: OtelFacts = {};
  if (!isPlainObject(metadata)) return { facts, metadata };
  // Most metadata carries none of the reserved keys: then it is returned as it is, not copied.
  if (!READERS.some(([key]) => Object.hasOwn(metadata, key))) return { facts, metadata: Object.keys(metadata).length > 0 ? metadata : undefined };
  const rest: Record<string, unknown> = { ...metadata };
  for (const [key, read] of READERS) {
    if (Object.hasOwn(rest, key) && read(rest[key], facts)) delete rest[key];
  }
  return { facts, metadata: Object.keys(rest).length > 0 ? rest : undefined };
}

/**
 * The exact time: the nanoseconds kept by the forward mapping when they agree with the ISO time
 * to the millisecond (Langfuse stores milliseconds), else the ISO time itself.
 */
export function exactTime(iso: HrTime, keptNanos: bigint | undefined): HrTime {
  if (keptNanos === undefined) return iso;
  const t: HrTime = [Number(keptNanos / 1_000_000_000n), Number(keptNanos % 1_000_000_000n)];
  const sameMillisecond = t[0] === iso[0] && Math.floor(t[1] / 1e6) === Math.floor(iso[1] / 1e6);
  return sameMillisecond && isValidHrTime(t) ? t : iso;
}
