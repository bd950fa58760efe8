/**
 * An OTLP protobuf encoder for `ExportTraceServiceRequest`, byte for byte the output of the stock
 * `ProtobufTraceSerializer` of `@opentelemetry/otlp-transformer` 0.223 (same field order, same
 * defaults, same grouping by resource and scope identity; a property test holds them equal) at a
 * fraction of its cost, most of all before V8 has optimised it (a fresh process's first spans):
 * the stock serializer measures and copies every string a character at a time in JavaScript,
 * twice (a size pass, then a write pass). Here each string is measured and written by Node's
 * native UTF-8 routines, a string attribute's lengths are known before it is written, attribute
 * keys are encoded once and copied, and the few messages whose size is not known in advance (a
 * span, a resource, a scope) reserve room for their length and shift in the rare case it does not
 * fit.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AttrList } from '../mapping/attr-list.js';
import { spanRecordOf } from '../mapping/span-record.js';
import type { SpanRecord } from '../mapping/span-record.js';
import { uint32LE, utf8Write, varintSize, Writer } from './otlp-writer.js';


/** Span flags of the OTLP spec: the context's remote bit is known, and whether it is set. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/**
 * Attribute keys with their KeyValue field (tag and length) already encoded: the same few dozen
 * keys come back in every span. Bounded: past the limit it starts over.
 */
const KEYS = new Map<string, Buffer>();
const MAX_CACHED_KEYS = 4096;

function encodedKey(key: string): Buffer {
  let encoded = KEYS.get(key);
  if (encoded === undefined) {
    const n = Buffer.byteLength(key, 'utf8');
    encoded = Buffer.allocUnsafe(1 + varintSize(n) + n);
    encoded[0] = 0x0a;
    let at = 1;
    for (let v = n; ; v >>>= 7) {
      if (v < 0x80) {
        encoded[at++] = v;
        break;
      }
      encoded[at++] = (v & 0x7f) | 0x80;
    }
    utf8Write.call(encoded, key, at, n);
    if (KEYS.size >= MAX_CACHED_KEYS) KEYS.clear();
    KEYS.set(key, encoded);
  }
  return encoded;
}


/** An AnyValue's content (its fields, not its own tag and length), as the stock `writeAnyValue`. */
function anyValue(w: Writer, value: unknown): void {
  const t = typeof value;
  if (t === 'string') {
    w.string(0x0a, value as string);
  } else if (t === 'boolean') {
    w.ensure(2);
    w.byte(0x10);
    w.byte(value ? 1 : 0);
  } else if (t === 'number') {
    const n = value as number;
    if (Number.isInteger(n) && n >= MIN_INT64 && n < MAX_INT64) {
      w.ensure(1);
      w.byte(0x18);
      w.varint(n);
    } else {
      w.ensure(9);
      w.byte(0x21);
      w.buf.writeDoubleLE(n, w.pos);
      w.pos += 8;
    }
  } else if (value instanceof Uint8Array) {
    w.ensure(1);
    w.byte(0x3a);
    w.varint(value.length);
    w.ensure(value.length);
    w.buf.set(value, w.pos);
    w.pos += value.length;
  } else if (Array.isArray(value)) {
    const array = w.open(0x2a, 1);
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const at = w.open(0x0a, 1);
      anyValue(w, items[i]);
      w.close(at, 1);
    }
    w.close(array, 1);
  } else if (t === 'object' && value != null) {
    const list = w.open(0x32, 1);
    const obj = value as Record<string, unknown>;
    for (const key in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
      const kv = w.open(0x0a, 1);
      w.string(0x0a, key);
      const v = w.open(0x12, 1);
      anyValue(w, obj[key]);
      w.close(v, 1);
      w.close(kv, 1);
    }
    w.close(list, 1);
  }
}

/** Repeated KeyValue field `tag`, one per own key, as the stock `writeAttributes` (a list: its keys in object order). */
function attributes(w: Writer, attrs: Attributes | AttrList, tag: number): void {
  if (attrs instanceof AttrList) {
    const order = attrs.order();
    const keys = attrs.keys;
    const values = attrs.values;
    for (let j = 0; j < keys.length; j++) {
      const i = order === undefined ? j : (order[j] as number);
      keyValue(w, keys[i] as string, values[i], tag);
    }
    return;
  }
  for (const key in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
    keyValue(w, key, attrs[key], tag);
  }
}

/** One KeyValue field `tag`. */
function keyValue(w: Writer, key: string, value: unknown, tag: number): void {
  const k = KEYS.get(key) ?? encodedKey(key);
  if (typeof value === 'string') {
    // Short: every length fits one byte whatever the UTF-8 size (at most 3 bytes a unit), so the
    // value is written first and measured by the write.
    if (k.length + 3 * value.length + 4 < 0x80) {
      // tag, length, key, AnyValue tag and length, string tag and length, then the text.
      if (w.pos + k.length + 6 + 3 * value.length > w.buf.length) w.ensure(k.length + 6 + 3 * value.length);
      const buf = w.buf;
      const at = w.pos;
      buf[at] = tag;
      buf.set(k, at + 2);
      const any = at + 2 + k.length;
      buf[any] = 0x12;
      buf[any + 2] = 0x0a;
      const n = utf8Write.call(buf, value, any + 4, 3 * value.length);
      buf[any + 3] = n;
      buf[any + 1] = n + 2;
      buf[at + 1] = k.length + n + 4;
      w.pos = any + 4 + n;
      return;
    }
    longString(w, k, value, tag);
    return;
  }
  const kv = w.open(tag, 1);
  w.ensure(k.length);
  w.buf.set(k, w.pos);
  w.pos += k.length;
  const v = w.open(0x12, 1);
  anyValue(w, value);
  w.close(v, 1);
  w.close(kv, 1);
}

/**
 * A KeyValue { key, value: AnyValue { string_value } } of a longer string. Its UTF-8 size lies
 * between its length and three times that; when every length field takes as many bytes at both
 * ends (most strings up to 5,000 characters), the value is written first and measured by the
 * write, else it is measured first.
 */
function longString(w: Writer, k: Uint8Array, value: string, tag: number): void {
  const least = value.length;
  const most = 3 * least;
  // varintSize's comparisons inline (three calls a long string, run unoptimised at first).
  const sizeN = most < 0x80 ? 1 : most < 0x4000 ? 2 : most < 0x200000 ? 3 : most < 0x10000000 ? 4 : 5;
  const anyMost = 1 + sizeN + most;
  const sizeAny = anyMost < 0x80 ? 1 : anyMost < 0x4000 ? 2 : anyMost < 0x200000 ? 3 : anyMost < 0x10000000 ? 4 : 5;
  const kvMost = k.length + 1 + sizeAny + anyMost;
  const sizeKv = kvMost < 0x80 ? 1 : kvMost < 0x4000 ? 2 : kvMost < 0x200000 ? 3 : kvMost < 0x10000000 ? 4 : 5;
  // The sizes at the least UTF-8 length, each at most the one at the most: equal when the least
  // lengths still need as many bytes.
  if (least < LEAST_OF_SIZE[sizeN]! || 1 + sizeN + least < LEAST_OF_SIZE[sizeAny]! || k.length + 1 + sizeAny + 1 + sizeN + least < LEAST_OF_SIZE[sizeKv]!) {
    measuredString(w, k, value, tag);
    return;
  }
  const need = 1 + sizeKv + k.length + 1 + sizeAny + 1 + sizeN + most;
  if (w.pos + need > w.buf.length) w.ensure(need);
  const buf = w.buf;
  const at = w.pos;
  buf[at] = tag;
  buf.set(k, at + 1 + sizeKv);
  const any = at + 1 + sizeKv + k.length;
  buf[any] = 0x12;
  buf[any + 1 + sizeAny] = 0x0a;
  const start = any + 2 + sizeAny + sizeN;
  const n = utf8Write.call(buf, value, start, most);
  fixedVarint(buf, any + 2 + sizeAny, n, sizeN);
  fixedVarint(buf, any + 1, 1 + sizeN + n, sizeAny);
  fixedVarint(buf, at + 1, k.length + 1 + sizeAny + 1 + sizeN + n, sizeKv);
  w.pos = start + n;
}

/** The least value whose varint takes `size` bytes, by size (1 to 5). */
const LEAST_OF_SIZE: readonly number[] = [0, 0, 0x80, 0x4000, 0x200000, 0x10000000];

/** `v` as a varint of exactly `size` bytes at `at` (`size` is `varintSize(v)`). */
function fixedVarint(buf: Buffer, at: number, v: number, size: number): void {
  for (let i = 0; i < size - 1; i++) {
    buf[at + i] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at + size - 1] = v;
}

/** A KeyValue { key, value: AnyValue { string_value } }, the string measured before it is written. */
function measuredString(w: Writer, k: Uint8Array, value: string, tag: number): void {
  const n = Buffer.byteLength(value, 'utf8');
  const any = 1 + varintSize(n) + n;
  const kv = k.length + 1 + varintSize(any) + any;
  w.ensure(1 + 5 + kv);
  w.byte(tag);
  w.varint(kv);
  w.buf.set(k, w.pos);
  w.pos += k.length;
  w.byte(0x12);
  w.varint(any);
  w.byte(0x0a);
  w.varint(n);
  w.pos += utf8Write.call(w.buf, value, w.pos, n);
}

/** A Span message's fields (its own tag and length are the caller's). */
export function span(w: Writer, s: SpanRecord): void {
  w.hexId(0x0a, s.traceId);
  w.hexId(0x12, s.spanId);
  const traceState = s.traceState?.serialize();
  if (traceState) w.string(0x1a, traceState);
  if (s.parentSpanId) w.hexId(0x22, s.parentSpanId);
  w.string(0x2a, s.name);
  // Span kind is offset by 1 on the wire: the API has no value for "unspecified".
  const kind = s.kind == null ? 0 : s.kind + 1;
  if (kind !== 0) {
    w.ensure(1);
    w.byte(0x30);
    w.varint(kind);
  }
  // Start and end from one call site: optimised code holds hrTime once, not twice.
  for (let i = 0; i < 2; i++) w.hrTime(i === 0 ? 0x39 : 0x41, i === 0 ? s.startTime : s.endTime);
  if (s.attributes) attributes(w, s.attributes, 0x4a);
  const events = s.events;
  const links = s.links;
  const status = s.status;
  const code = status.code;
  const flags = ((s.traceFlags & 0xff) | HAS_IS_REMOTE | (s.parentIsRemote ? IS_REMOTE : 0)) >>> 0;
  // The common tail (no events, no links, no status message, small counts): its 16 bytes at once.
  if (
    events.length === 0 &&
    links.length === 0 &&
    !status.message &&
    (s.droppedAttributesCount & 0x7f) === s.droppedAttributesCount &&
    (s.droppedEventsCount & 0x7f) === s.droppedEventsCount &&
    (s.droppedLinksCount & 0x7f) === s.droppedLinksCount &&
    (code & 0x7f) === code
  ) {
    if (w.pos + 16 > w.buf.length) w.ensure(16);
    const buf = w.buf;
    const at = w.pos;
    buf[at] = 0x50;
    buf[at + 1] = s.droppedAttributesCount;
    buf[at + 2] = 0x60;
    buf[at + 3] = s.droppedEventsCount;
    buf[at + 4] = 0x70;
    buf[at + 5] = s.droppedLinksCount;
    // Status { code }, then field 16 (a two-byte tag), the flags as fixed32.
    buf[at + 6] = 0x7a;
    buf[at + 7] = 2;
    buf[at + 8] = 0x18;
    buf[at + 9] = code;
    buf[at + 10] = 0x85;
    buf[at + 11] = 0x01;
    uint32LE(buf, at + 12, flags);
    w.pos = at + 16;
    return;
  }
  w.ensure(1);
  w.byte(0x50);
  w.varint(s.droppedAttributesCount);
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as SpanRecord['events'][number];
    const at = w.open(0x5a, 1);
    w.hrTime(0x09, event.time);
    w.string(0x12, event.name);
    if (event.attributes) attributes(w, event.attributes, 0x1a);
    w.ensure(1);
    w.byte(0x20);
    w.varint(event.droppedAttributesCount || 0);
    w.close(at, 1);
  }
  w.ensure(1);
  w.byte(0x60);
  w.varint(s.droppedEventsCount);
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as SpanRecord['links'][number];
    const at = w.open(0x6a, 1);
    const lc = link.context;
    w.hexId(0x0a, lc.traceId);
    w.hexId(0x12, lc.spanId);
    const linkState = lc.traceState?.serialize();
    if (linkState) w.string(0x1a, linkState);
    if (link.attributes) attributes(w, link.attributes, 0x22);
    w.ensure(1);
    w.byte(0x28);
    w.varint(link.droppedAttributesCount || 0);
    w.fixed32(0x35, (lc.traceFlags & 0xff) | HAS_IS_REMOTE | (lc.isRemote ? IS_REMOTE : 0));
    w.close(at, 1);
  }
  w.ensure(1);
  w.byte(0x70);
  w.varint(s.droppedLinksCount);
  const st = w.open(0x7a, 1);
  if (status.message) w.string(0x12, status.message);
  w.ensure(1);
  w.byte(0x18);
  w.varint(code);
  w.close(st, 1);
  // Field 16 needs a two-byte tag.
  w.ensure(6);
  w.byte(0x85);
  w.byte(0x01);
  uint32LE(w.buf, w.pos, flags);
  w.pos += 4;
}

type Scope = SpanRecord['scope'] & { attributes?: Attributes; droppedAttributesCount?: number };

/** The spans of one scope of one resource, in order. */
interface ScopeGroup {
  readonly scope: SpanRecord['scope'];
  readonly members: SpanRecord[];
}

/** The scopes of one resource, in order of first appearance. */
interface ResourceGroup {
  readonly resource: Resource;
  readonly scopes: ScopeGroup[];
  readonly byScope: Map<SpanRecord['scope'], ScopeGroup>;
}

/**
 * Spans grouped by resource, then scope, by identity, in order of first appearance (as the stock
 * serializer). Lists, so that they are read with plain loops; the span before's groups are tried
 * first (the spans of one call mostly share one resource and one scope).
 */
function group(spans: readonly SpanRecord[]): ResourceGroup[] {
  const groups: ResourceGroup[] = [];
  const byResource = new Map<Resource, ResourceGroup>();
  let last: ResourceGroup | undefined;
  let lastScope: ScopeGroup | undefined;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i] as SpanRecord;
    if (last === undefined || last.resource !== s.resource) {
      last = byResource.get(s.resource);
      if (last === undefined) {
        last = { resource: s.resource, scopes: [], byScope: new Map() };
        byResource.set(s.resource, last);
        groups.push(last);
      }
      lastScope = undefined;
    }
    if (lastScope === undefined || lastScope.scope !== s.scope) {
      lastScope = last.byScope.get(s.scope);
      if (lastScope === undefined) {
        lastScope = { scope: s.scope, members: [] };
        last.byScope.set(s.scope, lastScope);
        last.scopes.push(lastScope);
      }
    }
    lastScope.members.push(s);
  }
  return groups;
}

/** A Resource message's fields. */
export function resourceFields(w: Writer, resource: Resource): void {
  if (resource.attributes) attributes(w, resource.attributes, 0x0a);
  w.ensure(2);
  w.byte(0x10);
  w.byte(0);
}

/** An InstrumentationScope message's fields (the scope of a group's first span, as the stock serializer writes). */
export function scopeFields(w: Writer, instrumentationScope: SpanRecord['scope']): void {
  const scope = instrumentationScope as Scope;
  w.string(0x0a, scope.name);
  if (scope.version) w.string(0x12, scope.version);
  if (scope.attributes) attributes(w, scope.attributes, 0x1a);
  if (scope.droppedAttributesCount) {
    w.ensure(1);
    w.byte(0x20);
    w.varint(scope.droppedAttributesCount);
  }
}

/** Bytes reserved for the length of a span, resource spans or scope spans: spans up to 16 KiB need no move. */
export const SPAN_RESERVE = 2;
export const GROUP_RESERVE = 3;

/** The spans as one OTLP protobuf `ExportTraceServiceRequest` (`sizeHint`: the expected size in bytes). */
export function encodeTraceRequest(spans: readonly ReadableSpan[], sizeHint = 65_536): Uint8Array {
  return encodeRecords(spans.map(spanRecordOf), sizeHint);
}

/** {@link encodeTraceRequest} of span records. */
export function encodeRecords(spans: readonly SpanRecord[], sizeHint = 65_536): Uint8Array {
  const w = new Writer(sizeHint);
  const groups = group(spans);
  for (let g = 0; g < groups.length; g++) {
    const { resource, scopes } = groups[g] as ResourceGroup;
    const rs = w.open(0x0a, GROUP_RESERVE);
    const r = w.open(0x0a, 1);
    resourceFields(w, resource);
    w.close(r, 1);
    for (let c = 0; c < scopes.length; c++) {
      const members = (scopes[c] as ScopeGroup).members;
      const scope = (members[0] as SpanRecord).scope;
      const ss = w.open(0x12, GROUP_RESERVE);
      const sc = w.open(0x0a, 1);
      scopeFields(w, scope);
      w.close(sc, 1);
      for (let i = 0; i < members.length; i++) {
        const at = w.open(0x12, SPAN_RESERVE);
        span(w, members[i] as SpanRecord);
        w.close(at, SPAN_RESERVE);
      }
      if (scope.schemaUrl) w.string(0x1a, scope.schemaUrl);
      w.close(ss, GROUP_RESERVE);
    }
    if (resource.schemaUrl) w.string(0x1a, resource.schemaUrl);
    w.close(rs, GROUP_RESERVE);
  }
  return w.buf.subarray(0, w.pos);
}
