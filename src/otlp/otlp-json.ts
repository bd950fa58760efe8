/**
 * OTLP/JSON `ExportTraceServiceRequest` -> OTel SDK `ReadableSpan`s, per the OTLP JSON mapping
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding). Also reads the object
 * protobufjs `toObject` gives for the binary encoding (base64 ids, decimal-string longs).
 * Pure and exact: times go through BigInt, never through a float.
 */
import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api';
import { createTraceState, TraceFlags } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { isOtelSpanId, isOtelTraceId } from '../mapping/ids.js';
import { HOSTILE_KEYS } from '../mapping/json.js';
import { fixedResource } from '../mapping/readable-span.js';
import type { MappingResult } from '../mapping/result.js';
import { IssueSink } from '../mapping/result.js';

/** Deepest `arrayValue`/`kvlistValue` nesting decoded; deeper values become null with an issue. */
export const MAX_ANY_VALUE_DEPTH = 32;

type Rec = Record<string, unknown>;
type Scope = ReadableSpan['instrumentationScope'];

const SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].map((k) => `SPAN_KIND_${k}`);
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
/** `Span.flags`/`Link.flags`: the low byte is the W3C trace flags; bits 8 and 9 say "parent is remote". */
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;
const MAX_U64 = 2n ** 64n - 1n;
const NANOS = 1_000_000_000n;

function rec(v: unknown): Rec | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0;
}

/** An enum given as its number or its proto name (`SPAN_KIND_CLIENT`); undefined when neither. */
function enumValue(v: unknown, names: readonly string[]): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v < names.length ? v : undefined;
  const i = typeof v === 'string' ? names.indexOf(v) : -1;
  return i >= 0 ? i : undefined;
}

/** The bytes of a `Uint8Array` or of a Node Buffer as JSON (`{type:'Buffer',data:[...]}`). */
function byteList(v: unknown): number[] | undefined {
  const data = v instanceof Uint8Array ? [...v] : rec(v)?.type === 'Buffer' ? rec(v)?.data : undefined;
  if (!Array.isArray(data)) return undefined;
  return data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? (data as number[]) : undefined;
}

function hexOf(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Standard or URL-safe base64 of exactly `bytes` bytes, padded or not, as lower-case hex. */
function base64ToHex(text: string, bytes: number): string | undefined {
  const bare = text.replace(/-/g, '+').replace(/_/g, '/').replace(/={0,2}$/, '');
  if (bare.length !== Math.ceil((bytes * 4) / 3) || !/^[A-Za-z0-9+/]*$/.test(bare)) return undefined;
  const binary = atob(bare.padEnd(Math.ceil(bare.length / 4) * 4, '='));
  return hexOf([...binary].map((c) => c.charCodeAt(0)));
}

/**
 * An id of `bytes` bytes as lower-case hex: hex text (the OTLP/JSON form), base64 text (what
 * protobuf-to-JSON tools write), a `Uint8Array` or a Node Buffer as JSON.
 */
function idHex(v: unknown, bytes: number): string | undefined {
  if (typeof v === 'string') {
    return v.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(v) ? v.toLowerCase() : base64ToHex(v, bytes);
  }
  const data = byteList(v);
  return data?.length === bytes ? hexOf(data) : undefined;
}

/** True for the encodings of "no id": absent, null, empty text, empty bytes. */
function isAbsentId(v: unknown): boolean {
  return v === undefined || v === null || v === '' || byteList(v)?.length === 0;
}

/**
 * A `fixed64` nanosecond time: a decimal string, a JSON number, or `{low, high}` long bits.
 * `undefined` when absent or zero (OTLP's "not set"), `null` when present but unreadable.
 */
function readTime(v: unknown): HrTime | undefined | null {
  if (v === undefined || v === null) return undefined;
  let n: bigint;
  const long = rec(v);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) n = BigInt(v);
  else if (long !== undefined && Number.isInteger(long.low) && Number.isInteger(long.high)) {
    n = (BigInt((long.high as number) >>> 0) << 32n) | BigInt((long.low as number) >>> 0);
  } else return null;
  if (n > MAX_U64) return null;
  return n === 0n ? undefined : [Number(n / NANOS), Number(n % NANOS)];
}

/** Decodes one AnyValue. An empty AnyValue is null; a malformed one is null with an issue. */
function anyValue(v: unknown, sink: IssueSink, path: string, depth: number): unknown {
  const r = rec(v);
  const invalid = (what: string): null => {
    sink.add('INVALID_VALUE', `${what}; null kept`, path);
    return null;
  };
  if (r === undefined) return v === undefined || v === null ? null : invalid('AnyValue is not an object');
  if (r.stringValue !== undefined) {
    return typeof r.stringValue === 'string' ? r.stringValue : invalid('stringValue is not a string');
  }
  if (r.boolValue !== undefined) return typeof r.boolValue === 'boolean' ? r.boolValue : invalid('boolValue is not a boolean');
  if (r.intValue !== undefined) {
    const i = r.intValue;
    if (typeof i === 'number' && Number.isInteger(i)) return i;
    if (typeof i !== 'string' || !/^-?\d{1,20}$/.test(i)) return invalid('intValue is not an integer');
    // int64 beyond 2^53 keeps its exact digits as text rather than being rounded.
    return Number.isSafeInteger(Number(i)) ? Number(i) : i;
  }
  if (r.doubleValue !== undefined) {
    const d = r.doubleValue;
    if (typeof d === 'number') return d;
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return Number(d);
    if (typeof d === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(d)) return Number(d);
    return invalid('doubleValue is not a number');
  }
  if (r.arrayValue !== undefined || r.kvlistValue !== undefined) {
    if (depth >= MAX_ANY_VALUE_DEPTH) return invalid(`value nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
    if (r.arrayValue !== undefined) {
      return list(rec(r.arrayValue)?.values).map((item, i) => anyValue(item, sink, `${path}[${i}]`, depth + 1));
    }
    return keyValues(rec(r.kvlistValue)?.values, sink, `${path}.`, depth + 1);
  }
  if (r.bytesValue !== undefined) {
    if (typeof r.bytesValue === 'string') return r.bytesValue;
    const data = byteList(r.bytesValue);
    return data === undefined ? invalid('bytesValue is not bytes') : btoa(data.map((b) => String.fromCharCode(b)).join(''));
  }
  return null;
}

/** A KeyValue list as a plain object; later duplicates win, hostile keys are dropped. */
function keyValues(v: unknown, sink: IssueSink, prefix: string, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  list(v).forEach((kv, i) => {
    const r = rec(kv);
    const key = r?.key ?? '';
    if (r === undefined || typeof key !== 'string') {
      sink.add('INVALID_VALUE', 'KeyValue without a string key; dropped', `${prefix}[${i}]`);
    } else if (HOSTILE_KEYS.has(key)) {
      sink.add('HOSTILE_KEY', `attribute key "${key}" dropped`, `${prefix}${key}`);
    } else {
      out[key] = anyValue(r.value, sink, `${prefix}${key}`, depth);
    }
  });
  return out;
}

/** The `flags` low byte as trace flags (`fallback` when unset) and the "parent is remote" bit. */
function readFlags(v: unknown, fallback: number): { traceFlags: number; isRemote?: true } {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return { traceFlags: fallback };
  const remote = (v & (FLAGS_HAS_IS_REMOTE | FLAGS_IS_REMOTE)) === (FLAGS_HAS_IS_REMOTE | FLAGS_IS_REMOTE);
  return remote ? { traceFlags: v & 0xff, isRemote: true } : { traceFlags: v & 0xff };
}

function withTraceState(ctx: SpanContext, v: unknown): SpanContext {
  const state = nonEmpty(v);
  return state === undefined ? ctx : { ...ctx, traceState: createTraceState(state) };
}

function readEvents(v: unknown, sink: IssueSink): TimedEvent[] {
  const out: TimedEvent[] = [];
  list(v).forEach((raw, i) => {
    const e = rec(raw);
    const time = readTime(e?.timeUnixNano);
    if (e === undefined || !time) {
      if (e === undefined) sink.add('INVALID_VALUE', 'span event is not an object; dropped', `events[${i}]`);
      else sink.add('INVALID_TIME', 'span event without a valid time; dropped', `events[${i}]`);
      return;
    }
    // The SDK's shape: an event always has attributes and a dropped count, a link only when non-empty.
    out.push({
      name: typeof e.name === 'string' ? e.name : '',
      attributes: keyValues(e.attributes, sink, `events[${i}].attributes.`, 0) as Attributes,
      time,
      droppedAttributesCount: count(e.droppedAttributesCount),
    });
  });
  return out;
}

function readLinks(v: unknown, sink: IssueSink): Link[] {
  const out: Link[] = [];
  list(v).forEach((raw, i) => {
    const l = rec(raw);
    const traceId = idHex(l?.traceId, 16);
    const spanId = idHex(l?.spanId, 8);
    if (l === undefined || !isOtelTraceId(traceId) || !isOtelSpanId(spanId)) {
      sink.add('INVALID_ID', 'span link without a valid trace id and span id; dropped', `links[${i}]`);
      return;
    }
    const attributes = keyValues(l.attributes, sink, `links[${i}].attributes.`, 0);
    out.push({
      context: withTraceState({ traceId, spanId, ...readFlags(l.flags, TraceFlags.NONE) }, l.traceState),
      ...(Object.keys(attributes).length > 0 ? { attributes: attributes as Attributes } : {}),
      ...(count(l.droppedAttributesCount) > 0 ? { droppedAttributesCount: count(l.droppedAttributesCount) } : {}),
    });
  });
  return out;
}

/** One OTLP span, or undefined (with an issue) when its ids or start time cannot be read. */
function readSpan(s: Rec, resource: Resource, scope: Scope, sink: IssueSink, where: string): ReadableSpan | undefined {
  const traceId = idHex(s.traceId, 16);
  const spanId = idHex(s.spanId, 8);
  const readable = spanId ?? nonEmpty(s.spanId);
  const issues = sink.forItem(readable === undefined ? {} : { spanId: readable });
  if (!isOtelTraceId(traceId) || !isOtelSpanId(spanId)) {
    issues.add('INVALID_ID', 'span skipped: trace id or span id missing or invalid', where);
    return undefined;
  }
  const startTime = readTime(s.startTimeUnixNano);
  const end = readTime(s.endTimeUnixNano);
  if (!startTime || end === null) {
    issues.add('INVALID_TIME', 'span skipped: start time missing or invalid, or end time invalid', where);
    return undefined;
  }
  // An unset end time is an unended span: spansToIngestion reports it as MISSING_END_TIME.
  const endTime: HrTime = end ?? [0, 0];
  const nanos = end === undefined ? 0n : (BigInt(end[0]) - BigInt(startTime[0])) * NANOS + BigInt(end[1] - startTime[1]);
  const duration: HrTime = nanos > 0n ? [Number(nanos / NANOS), Number(nanos % NANOS)] : [0, 0];

  let parentSpanId: string | undefined;
  if (!isAbsentId(s.parentSpanId)) {
    parentSpanId = idHex(s.parentSpanId, 8);
    if (!isOtelSpanId(parentSpanId)) {
      // An all-zero parent is how some exporters write "no parent".
      if (parentSpanId !== '0'.repeat(16)) {
        issues.add('INVALID_ID', 'invalid parent span id dropped; span treated as a root', 'parentSpanId');
      }
      parentSpanId = undefined;
    }
  }
  const { traceFlags, isRemote } = readFlags(s.flags, TraceFlags.SAMPLED);
  const context = withTraceState({ traceId, spanId, traceFlags }, s.traceState);
  const kind = s.kind === undefined ? 0 : enumValue(s.kind, SPAN_KINDS);
  if (kind === undefined) issues.add('INVALID_VALUE', 'unknown span kind; INTERNAL used', 'kind');
  const status = rec(s.status) ?? {};
  const code = status.code === undefined ? 0 : enumValue(status.code, STATUS_CODES);
  if (code === undefined) issues.add('INVALID_VALUE', 'unknown status code; UNSET used', 'status.code');
  const message = nonEmpty(status.message);
  if (s.name !== undefined && typeof s.name !== 'string') {
    issues.add('INVALID_VALUE', 'span name is not a string; empty name used', 'name');
  }

  return {
    name: typeof s.name === 'string' ? s.name : '',
    // OTLP counts SPAN_KIND_UNSPECIFIED as 0, the API starts at INTERNAL = 0.
    kind: Math.max((kind ?? 0) - 1, 0),
    spanContext: () => context,
    parentSpanContext:
      parentSpanId === undefined ? undefined : { traceId, spanId: parentSpanId, traceFlags, ...(isRemote ? { isRemote } : {}) },
    startTime,
    endTime,
    duration,
    ended: end !== undefined,
    status: message === undefined ? { code: code ?? 0 } : { code: code ?? 0, message },
    attributes: keyValues(s.attributes, issues, 'attributes.', 0) as Attributes,
    links: readLinks(s.links, issues),
    events: readEvents(s.events, issues),
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: count(s.droppedAttributesCount),
    droppedEventsCount: count(s.droppedEventsCount),
    droppedLinksCount: count(s.droppedLinksCount),
  };
}

function readScope(v: unknown, schemaUrl: unknown, sink: IssueSink, where: string): Scope {
  const s = rec(v) ?? {};
  const attributes = keyValues(s.attributes, sink, `${where}.scope.attributes.`, 0);
  return {
    name: typeof s.name === 'string' ? s.name : '',
    ...(nonEmpty(s.version) === undefined ? {} : { version: s.version as string }),
    ...(nonEmpty(schemaUrl) === undefined ? {} : { schemaUrl: schemaUrl as string }),
    // Not in the InstrumentationScope type, but the OTLP exporters write it when present.
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
}

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest` (already `JSON.parse`d) into `ReadableSpan`s
 * of sdk-trace-base 2.x shape, in document order. Accepts the deprecated
 * `instrumentationLibrarySpans`/`instrumentationLibrary` names, ids as hex, base64 or Buffer JSON,
 * enums as numbers or names, and times as decimal strings or numbers (exact via BigInt).
 * The spans of one `resourceSpans` entry share one `Resource`. Never throws: a span without
 * valid ids or start time is skipped with an INVALID_ID/INVALID_TIME issue (stamped with its span
 * id when readable); an unset end time yields an unended span (`ended: false`, end `[0, 0]`).
 */
export function otlpJsonToSpans(request: unknown): MappingResult<ReadableSpan[]> {
  const sink = new IssueSink();
  const spans: ReadableSpan[] = [];
  const req = rec(request);
  if (req === undefined || (req.resourceSpans !== undefined && !Array.isArray(req.resourceSpans))) {
    sink.add('SKIPPED', 'not an OTLP ExportTraceServiceRequest: expected an object with a resourceSpans array');
    return { value: spans, issues: sink.issues };
  }
  list(req.resourceSpans).forEach((rawRs, i) => {
    const rs = rec(rawRs);
    if (rs === undefined) return sink.add('SKIPPED', 'resourceSpans entry is not an object', `resourceSpans[${i}]`);
    const resourceAttributes = keyValues(rec(rs.resource)?.attributes, sink, `resourceSpans[${i}].resource.attributes.`, 0);
    const schemaUrl = nonEmpty(rs.schemaUrl);
    const resource = fixedResource(resourceAttributes as Attributes, schemaUrl);
    list(rs.scopeSpans ?? rs.instrumentationLibrarySpans).forEach((rawSs, j) => {
      const ss = rec(rawSs);
      const where = `resourceSpans[${i}].scopeSpans[${j}]`;
      if (ss === undefined) return sink.add('SKIPPED', 'scopeSpans entry is not an object', where);
      const scope = readScope(ss.scope ?? ss.instrumentationLibrary, ss.schemaUrl, sink, where);
      list(ss.spans).forEach((rawSpan, k) => {
        const s = rec(rawSpan);
        if (s === undefined) return sink.add('SKIPPED', 'span is not an object', `${where}.spans[${k}]`);
        const span = readSpan(s, resource, scope, sink, `${where}.spans[${k}]`);
        if (span !== undefined) spans.push(span);
      });
    });
  });
  return { value: spans, issues: sink.issues };
}
