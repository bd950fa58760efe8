/**
 * OTLP/JSON of spans written as UTF-8 bytes straight into a buffer: the bytes
 * `JsonTraceSerializer.serializeRequest` (@opentelemetry/otlp-transformer) makes for the same
 * spans (a property test compares them), without its request object, without a string per span or
 * per request, and with the attribute keys' text made once. Strings are written by
 * ./json-string.ts, escaped exactly as the stock serializer's `JSON.stringify` escapes them.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { AttrList } from '../mapping/attr-list.js';
import type { SpanRecord } from '../mapping/span-record.js';
import { isValidHrTime } from '../mapping/time.js';
import { jsonString } from './json-string.js';
import { utf8Write } from './otlp-writer.js';
import type { Writer } from './otlp-writer.js';

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** ASCII text known not to need escaping (field names, punctuation, digits). */
function ascii(w: Writer, text: string): void {
  w.ensure(text.length);
  const buf = w.buf;
  let pos = w.pos;
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  w.pos = pos;
}

/** Bytes made once (a key's `{"key":"…","value":`). */
function bytes(w: Writer, b: Uint8Array): void {
  w.ensure(b.length);
  w.buf.set(b, w.pos);
  w.pos += b.length;
}

/** Any value as `JSON.stringify` writes it (numbers: `null` when not finite). */
function jsonValue(w: Writer, value: unknown): void {
  if (typeof value === 'string') jsonString(w, value);
  else if (typeof value === 'number') ascii(w, Number.isFinite(value) ? String(value) : 'null');
  else {
    const text = JSON.stringify(value) as string | undefined;
    if (text !== undefined) {
      w.ensure(3 * text.length);
      w.pos += utf8Write.call(w.buf, text, w.pos, 3 * text.length);
    }
  }
}

/** `"name":value,` as JSON.stringify writes an object's field followed by a comma; nothing for undefined. */
function field(w: Writer, name: string, value: unknown): void {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return;
  ascii(w, name);
  jsonValue(w, value);
  w.ensure(1);
  w.buf[w.pos++] = 0x2c;
}

/** Nanoseconds as a decimal string, as the stock JSON encoder (`encodeAsString`) writes them: `hrTimeToNanosText`, digit by digit. */
function nanos(w: Writer, t: HrTime): void {
  if (!isValidHrTime(t)) {
    ascii(w, `"${(BigInt(Math.trunc(t[0])) * 1_000_000_000n + BigInt(Math.trunc(t[1]))).toString()}"`);
    return;
  }
  w.ensure(24);
  const buf = w.buf;
  buf[w.pos++] = 0x22;
  if (t[0] === 0) w.pos = digits(buf, w.pos, t[1], 0);
  else {
    w.pos = digits(buf, w.pos, t[0], 0);
    w.pos = digits(buf, w.pos, t[1], 9);
  }
  buf[w.pos++] = 0x22;
}

/** Writes the decimal digits of a non-negative integer at `at`, zero-padded to `width`; returns the end. */
function digits(buf: Buffer, at: number, n: number, width: number): number {
  let count = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) count++;
  if (count < width) count = width;
  let x = n;
  for (let i = at + count - 1; i >= at; i--) {
    buf[i] = 0x30 + (x % 10);
    x = Math.floor(x / 10);
  }
  return at + count;
}

/**
 * Per attribute key, as UTF-8: `{"key":<key>,"value":` and the same followed by
 * `{"stringValue":` (most values are strings); keys repeat on every span. Bounded: past the limit
 * it starts over.
 */
interface KeyPrefix {
  readonly any: Uint8Array;
  readonly string: Uint8Array;
}
const KEYS = new Map<string, KeyPrefix>();
const MAX_CACHED_KEYS = 4096;

function keyPrefix(key: string): KeyPrefix {
  let prefix = KEYS.get(key);
  if (prefix === undefined) {
    const any = `{"key":${JSON.stringify(key)},"value":`;
    prefix = { any: Buffer.from(any, 'utf8'), string: Buffer.from(`${any}{"stringValue":`, 'utf8') };
    if (KEYS.size >= MAX_CACHED_KEYS) KEYS.clear();
    KEYS.set(key, prefix);
  }
  return prefix;
}

const INT_VALUE = Buffer.from('{"intValue":');

/** The stock `toAnyValue`, as JSON. */
function anyValue(w: Writer, v: unknown): void {
  switch (typeof v) {
    case 'string':
      ascii(w, '{"stringValue":');
      jsonString(w, v);
      ascii(w, '}');
      return;
    case 'number':
      if (Number.isSafeInteger(v)) {
        bytes(w, INT_VALUE);
        w.ensure(18);
        if (v < 0) w.buf[w.pos++] = 0x2d;
        w.pos = digits(w.buf, w.pos, Math.abs(v), 0);
        w.buf[w.pos++] = 0x7d;
      } else ascii(w, Number.isInteger(v) ? `{"intValue":${String(v)}}` : `{"doubleValue":${Number.isFinite(v) ? String(v) : 'null'}}`);
      return;
    case 'boolean':
      ascii(w, v ? '{"boolValue":true}' : '{"boolValue":false}');
      return;
    case 'object': {
      if (v === null) ascii(w, '{}');
      else if (v instanceof Uint8Array) ascii(w, `{"bytesValue":${JSON.stringify(Buffer.from(v).toString('base64'))}}`);
      else if (Array.isArray(v)) {
        ascii(w, '{"arrayValue":{"values":[');
        for (let i = 0; i < v.length; i++) {
          if (i > 0) ascii(w, ',');
          anyValue(w, v[i]);
        }
        ascii(w, ']}}');
      } else {
        ascii(w, '{"kvlistValue":{"values":');
        attributes(w, v as Record<string, unknown>);
        ascii(w, '}}');
      }
      return;
    }
    default:
      ascii(w, '{}');
  }
}

/** One attribute, after its key's prefix. */
function keyValue(w: Writer, key: string, value: unknown, first: boolean): void {
  if (!first) {
    w.ensure(1);
    w.buf[w.pos++] = 0x2c;
  }
  const prefix = keyPrefix(key);
  if (typeof value === 'string') {
    // anyValue's `{"stringValue":..}`, its head made once with the key's.
    bytes(w, prefix.string);
    jsonString(w, value);
    w.ensure(2);
    w.buf[w.pos++] = 0x7d;
    w.buf[w.pos++] = 0x7d;
    return;
  }
  bytes(w, prefix.any);
  anyValue(w, value);
  w.ensure(1);
  w.buf[w.pos++] = 0x7d;
}

/** The stock `toAttributes`: `[{"key":..,"value":..},...]` in key order (a list: its object order). */
export function attributes(w: Writer, attrs: Attributes | AttrList | Record<string, unknown>): void {
  ascii(w, '[');
  if (attrs instanceof AttrList) {
    const order = attrs.order();
    for (let j = 0; j < attrs.keys.length; j++) {
      const i = order === undefined ? j : (order[j] as number);
      keyValue(w, attrs.keys[i] as string, attrs.values[i], j === 0);
    }
  } else {
    const keys = Object.keys(attrs);
    for (let i = 0; i < keys.length; i++) keyValue(w, keys[i] as string, attrs[keys[i] as string], i === 0);
  }
  ascii(w, ']');
}

/** The stock span flags: W3C trace flags, and whether the parent is remote. */
function flags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

/** One span as the stock JSON serializer writes it inside `scopeSpans[].spans`. */
export function spanJson(w: Writer, s: SpanRecord): void {
  ascii(w, '{');
  field(w, '"traceId":', s.traceId);
  field(w, '"spanId":', s.spanId);
  field(w, '"parentSpanId":', s.parentSpanId ? s.parentSpanId : undefined);
  field(w, '"traceState":', s.traceState?.serialize());
  field(w, '"name":', s.name);
  ascii(w, '"kind":');
  jsonValue(w, s.kind == null ? 0 : s.kind + 1);
  ascii(w, ',"startTimeUnixNano":');
  nanos(w, s.startTime);
  ascii(w, ',"endTimeUnixNano":');
  nanos(w, s.endTime);
  ascii(w, ',"attributes":');
  attributes(w, s.attributes);
  ascii(w, ',');
  field(w, '"droppedAttributesCount":', s.droppedAttributesCount);
  ascii(w, '"events":[');
  for (let i = 0; i < s.events.length; i++) {
    const e = s.events[i] as SpanRecord['events'][number];
    ascii(w, i === 0 ? '{"attributes":' : ',{"attributes":');
    if (e.attributes) attributes(w, e.attributes);
    else ascii(w, '[]');
    ascii(w, ',');
    field(w, '"name":', e.name);
    ascii(w, '"timeUnixNano":');
    nanos(w, e.time);
    ascii(w, ',"droppedAttributesCount":');
    jsonValue(w, e.droppedAttributesCount || 0);
    ascii(w, '}');
  }
  ascii(w, '],');
  field(w, '"droppedEventsCount":', s.droppedEventsCount);
  ascii(w, '"status":{');
  const status = w.pos;
  field(w, '"code":', s.status.code);
  field(w, '"message":', s.status.message);
  // The last field's comma closes the object.
  if (w.pos > status) w.pos--;
  ascii(w, '},"links":[');
  for (let i = 0; i < s.links.length; i++) {
    const l = s.links[i] as SpanRecord['links'][number];
    ascii(w, i === 0 ? '{"attributes":' : ',{"attributes":');
    if (l.attributes) attributes(w, l.attributes);
    else ascii(w, '[]');
    ascii(w, ',');
    field(w, '"spanId":', l.context.spanId);
    field(w, '"traceId":', l.context.traceId);
    field(w, '"traceState":', l.context.traceState?.serialize());
    ascii(w, '"droppedAttributesCount":');
    jsonValue(w, l.droppedAttributesCount || 0);
    ascii(w, `,"flags":${flags(l.context.traceFlags, l.context.isRemote)}}`);
  }
  ascii(w, '],');
  field(w, '"droppedLinksCount":', s.droppedLinksCount);
  ascii(w, `"flags":${flags(s.traceFlags, s.parentIsRemote)}}`);
}

/** The stock `createResource`, as JSON. */
export function resourceJson(w: Writer, resource: Resource): void {
  ascii(w, '{"attributes":');
  attributes(w, resource.attributes);
  ascii(w, ',"droppedAttributesCount":0');
  if (resource.schemaUrl) {
    ascii(w, ',"schemaUrl":');
    jsonValue(w, resource.schemaUrl);
  }
  ascii(w, '}');
}

/** The stock `createInstrumentationScope`, as JSON. */
export function scopeJson(w: Writer, instrumentationScope: SpanRecord['scope']): void {
  // Attributes on a scope are newer than the API type; the stock serializer reads them when there.
  const scope = instrumentationScope as SpanRecord['scope'] & { attributes?: Attributes; droppedAttributesCount?: number };
  const attrs = scope.attributes && Object.keys(scope.attributes).length > 0 ? scope.attributes : undefined;
  const start = w.pos;
  ascii(w, '{');
  field(w, '"name":', scope.name);
  field(w, '"version":', scope.version);
  if (attrs) {
    ascii(w, '"attributes":');
    attributes(w, attrs);
    ascii(w, ',');
    field(w, '"droppedAttributesCount":', scope.droppedAttributesCount ?? 0);
  }
  // The last field's comma closes the object (an empty object keeps its brace).
  if (w.pos - start > 1) w.pos--;
  ascii(w, '}');
}

/** The stock grouping key of a scope within a resource (`createResourceMap`). */
export function scopeKey(scope: SpanRecord['scope']): string {
  if (scope === lastScope) return lastScopeKey;
  lastScope = scope;
  lastScopeKey = `${scope.name}@${scope.version || ''}:${scope.schemaUrl || ''}`;
  return lastScopeKey;
}

/** The scope asked for last and its key: most spans share one scope object (its fields never change). */
let lastScope: SpanRecord['scope'] | undefined;
let lastScopeKey = '';
