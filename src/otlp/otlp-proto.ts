/**
 * OTLP/protobuf `ExportTraceServiceRequest` bytes (what an OTLP/HTTP protobuf exporter POSTs to
 * /v1/traces) -> the OTLP/JSON object {@link otlpJsonToSpans} reads, by a small hand-written wire
 * reader: no dependency, no per-byte allocation, exact 64-bit integers without floats.
 *
 * Field numbers and types are those of opentelemetry-proto (collector/trace/v1/trace_service.proto,
 * trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto):
 *   ExportTraceServiceRequest: resource_spans=1
 *   ResourceSpans: resource=1, scope_spans=2, schema_url=3
 *   Resource: attributes=1, dropped_attributes_count=2 (uint32)
 *   ScopeSpans: scope=1, spans=2, schema_url=3
 *   InstrumentationScope: name=1, version=2, attributes=3, dropped_attributes_count=4 (uint32)
 *   Span: trace_id=1, span_id=2, trace_state=3, parent_span_id=4, name=5, kind=6 (enum),
 *     start_time_unix_nano=7 (fixed64), end_time_unix_nano=8 (fixed64), attributes=9,
 *     dropped_attributes_count=10, events=11, dropped_events_count=12, links=13,
 *     dropped_links_count=14, status=15, flags=16 (fixed32)
 *   Span.Event: time_unix_nano=1 (fixed64), name=2, attributes=3, dropped_attributes_count=4
 *   Span.Link: trace_id=1, span_id=2, trace_state=3, attributes=4, dropped_attributes_count=5,
 *     flags=6 (fixed32)
 *   Status: message=2, code=3 (enum); 1 is the reserved deprecated code and is skipped
 *   AnyValue (oneof): string_value=1, bool_value=2, int_value=3 (int64), double_value=4,
 *     array_value=5, kvlist_value=6, bytes_value=7
 *   ArrayValue: values=1; KeyValueList: values=1; KeyValue: key=1, value=2
 *
 * Output: the values of protobufjs `toObject(..., {longs: String, enums: Number, bytes: String,
 * arrays: true, defaults: false})` under the OTLP/JSON names (`scopeSpans`, `scope`). Repeated
 * fields are always arrays; ids are lower-case hex; `fixed64` times and `int64` values are decimal
 * strings (exact, no float on the way); enums and `fixed32` flags are numbers; `bytes_value` is
 * base64. Every message object has all its fields as keys, for one hidden class per message type:
 * a field that is not on the wire, or holds proto3's default (0, '', empty bytes: proto3 scalars
 * have no presence), is `undefined`. The AnyValue oneof has presence: `{stringValue: ''}` stays.
 * Singular sub-messages that occur twice (resource, scope, status) are merged as protobuf says; a
 * scalar field that occurs twice, or packed, takes its last value; in the AnyValue oneof the last
 * member wins.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MAX_ANY_VALUE_DEPTH, otlpJsonToSpans } from './otlp-json.js';
import type { IssueCode, MappingIssue, MappingResult } from '../mapping/result.js';

type Rec = Record<string, unknown>;

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
const WIRE_TYPE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32', '6', '7'];

/** One message type: its name (for issue text) and the wire type of each known field number (-1: unknown). */
interface MessageType {
  readonly name: string;
  readonly wireTypes: Int8Array;
}

function messageType(name: string, fields: Record<number, number>): MessageType {
  const numbers = Object.keys(fields).map(Number);
  const wireTypes = new Int8Array(Math.max(...numbers) + 1).fill(-1);
  for (const n of numbers) wireTypes[n] = fields[n]!;
  return { name, wireTypes };
}

const REQUEST = messageType('ExportTraceServiceRequest', { 1: LEN });
const RESOURCE_SPANS = messageType('ResourceSpans', { 1: LEN, 2: LEN, 3: LEN });
const RESOURCE = messageType('Resource', { 1: LEN, 2: VARINT });
const SCOPE_SPANS = messageType('ScopeSpans', { 1: LEN, 2: LEN, 3: LEN });
const SCOPE = messageType('InstrumentationScope', { 1: LEN, 2: LEN, 3: LEN, 4: VARINT });
const SPAN = messageType('Span', {
  1: LEN, 2: LEN, 3: LEN, 4: LEN, 5: LEN, 6: VARINT, 7: I64, 8: I64,
  9: LEN, 10: VARINT, 11: LEN, 12: VARINT, 13: LEN, 14: VARINT, 15: LEN, 16: I32,
});
const EVENT = messageType('Span.Event', { 1: I64, 2: LEN, 3: LEN, 4: VARINT });
const LINK = messageType('Span.Link', { 1: LEN, 2: LEN, 3: LEN, 4: LEN, 5: VARINT, 6: I32 });
const STATUS = messageType('Status', { 2: LEN, 3: VARINT });
const ANY_VALUE = messageType('AnyValue', { 1: LEN, 2: VARINT, 3: VARINT, 4: I64, 5: LEN, 6: LEN, 7: LEN });
const VALUES = messageType('ArrayValue/KeyValueList', { 1: LEN });
const KEY_VALUE = messageType('KeyValue', { 1: LEN, 2: LEN });

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A malformed byte sequence: where and what. Thrown inside the decoder, caught at message boundaries. */
class ProtobufFault extends Error {
  readonly offset: number;
  constructor(offset: number, what: string) {
    super(`malformed protobuf at byte ${offset}: ${what}`);
    this.offset = offset;
  }
}

/** Rethrows anything that is not a {@link ProtobufFault}: those are bugs, not bad input. */
function asFault(e: unknown): ProtobufFault {
  if (e instanceof ProtobufFault) return e;
  throw e;
}

/** `hi * 2^32 + lo` (both unsigned 32-bit) in decimal, exactly, with float arithmetic kept below 2^53. */
function uint64String(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * 0x100000000 + lo);
  // 2^32 = 4294 * 10^6 + 967296, so value = (hi * 4294) * 10^6 + (hi * 967296 + lo), every term < 2^53.
  const low = hi * 967296 + lo;
  const lowDigits = low % 1_000_000;
  const high = hi * 4294 + (low - lowDigits) / 1_000_000;
  return String(high) + String(lowDigits).padStart(6, '0');
}

/** The two's-complement int64 `hi:lo` in signed decimal. */
function int64String(lo: number, hi: number): string {
  if (hi < 0x80000000) return uint64String(lo, hi);
  const negLo = (~lo + 1) >>> 0;
  const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
  return `-${uint64String(negLo, negHi)}`;
}

function nonZero(v: number): number | undefined {
  return v === 0 ? undefined : v;
}

function nonEmpty(v: string): string | undefined {
  return v === '' ? undefined : v;
}

/** Hex digit char codes of the high and low nibble of each byte value. */
const HEX_HIGH = Uint8Array.from({ length: 256 }, (_, i) => '0123456789abcdef'.charCodeAt(i >>> 4));
const HEX_LOW = Uint8Array.from({ length: 256 }, (_, i) => '0123456789abcdef'.charCodeAt(i & 15));
/** Strings up to this many bytes go through the cache of recently seen strings (keys, model names...). */
const CACHED_STRING_BYTES = 48;
const STRING_CACHE_SLOTS = 2048;
/**
 * Scratch arrays of char codes, one per length, for `String.fromCharCode.apply`: one allocation
 * (the string) per short string or id. The decoder is synchronous, so sharing them is safe.
 */
const charCodes: number[][] = Array.from({ length: Math.max(CACHED_STRING_BYTES, 32) + 1 }, (_, n) => new Array<number>(n).fill(0));

class Decoder {
  readonly issues: MappingIssue[] = [];
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos = 0;
  /** High 32 bits of the last varint read (the return value is the low 32 bits). */
  private hi = 0;
  /** After a packed scalar field: where to continue once its last element has been read. */
  private resume = -1;
  /** Hex span id of the span being decoded, once read: stamped on the issues raised inside it. */
  private spanId: string | undefined;
  /** Short ASCII strings by a hash of their bytes: repeated keys and values are decoded once. */
  private readonly strings: Array<string | undefined> = new Array<string | undefined>(STRING_CACHE_SLOTS).fill(undefined);

  constructor(bytes: Uint8Array) {
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private issue(code: IssueCode, message: string, path?: string): void {
    this.issues.push(path === undefined ? { code, message } : { code, path, message });
  }

  // ------------------------------------------------------------------------------------------
  // Wire primitives. Every read is bounded by `end`, the end of the enclosing message.

  /** A varint of up to 10 bytes: returns the low 32 bits (unsigned), leaves the high 32 in `hi`. */
  private varint(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < end) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        this.hi = 0;
        return b;
      }
    }
    const start = pos;
    let lo = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw new ProtobufFault(start, 'varint runs past the end of its message');
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.hi = 0;
        return lo;
      }
    }
    if (pos >= end) throw new ProtobufFault(start, 'varint runs past the end of its message');
    b = buf[pos++]!;
    lo = (lo | ((b & 0x0f) << 28)) >>> 0;
    let hi = (b & 0x7f) >>> 4;
    if (b < 0x80) {
      this.pos = pos;
      this.hi = hi;
      return lo;
    }
    for (let shift = 3; shift < 32; shift += 7) {
      if (pos >= end) throw new ProtobufFault(start, 'varint runs past the end of its message');
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.hi = hi >>> 0;
        return lo;
      }
    }
    throw new ProtobufFault(start, 'varint longer than 10 bytes');
  }

  /** A length prefix that must fit in the enclosing message; returns the end of the field's bytes. */
  private len(end: number): number {
    const at = this.pos;
    const length = this.varint(end);
    if (this.hi !== 0 || length > end - this.pos) {
      throw new ProtobufFault(at, `length ${uint64String(length, this.hi)} runs past the end of its message (${end - this.pos} bytes left)`);
    }
    return this.pos + length;
  }

  /**
   * The length prefix of a container (a ResourceSpans or ScopeSpans): one that runs past the end
   * is cut to the end with an issue, so the complete spans of a truncated request are kept.
   */
  private containerLen(end: number, path: string): number {
    const at = this.pos;
    const length = this.varint(end);
    if (this.hi === 0 && length <= end - this.pos) return this.pos + length;
    this.issue(
      'INVALID_PROTOBUF',
      `malformed protobuf at byte ${at}: length ${uint64String(length, this.hi)} runs past the end of its message ` +
        `(${end - this.pos} bytes left); the complete parts before the end are kept`,
      path,
    );
    return end;
  }

  private fixed(end: number, size: 4 | 8): number {
    const at = this.pos;
    if (end - at < size) throw new ProtobufFault(at, `fixed${size * 8} runs past the end of its message`);
    this.pos = at + size;
    return at;
  }

  private fixed32(end: number): number {
    return this.view.getUint32(this.fixed(end, 4), true);
  }

  private double(end: number): number {
    return this.view.getFloat64(this.fixed(end, 8), true);
  }

  /** A fixed64 time in nanoseconds, in decimal; undefined for 0 (proto3's "not set"). */
  private time(end: number): string | undefined {
    const at = this.fixed(end, 8);
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    return lo === 0 && hi === 0 ? undefined : uint64String(lo, hi);
  }

  /** A UTF-8 string field. */
  private str(end: number): string {
    const stop = this.len(end);
    const start = this.pos;
    this.pos = stop;
    const n = stop - start;
    if (n > CACHED_STRING_BYTES) return this.utf8(start, stop);
    const buf = this.buf;
    let hash = n;
    let bits = 0;
    for (let i = start; i < stop; i++) {
      const b = buf[i]!;
      bits |= b;
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    if (bits >= 0x80) return this.utf8(start, stop);
    const slot = (hash ^ (hash >>> 15)) & (STRING_CACHE_SLOTS - 1);
    const cached = this.strings[slot];
    if (cached !== undefined && cached.length === n) {
      let i = 0;
      while (i < n && cached.charCodeAt(i) === buf[start + i]) i++;
      if (i === n) return cached;
    }
    const codes = charCodes[n]!;
    for (let i = 0; i < n; i++) codes[i] = buf[start + i]!;
    const decoded = String.fromCharCode.apply(null, codes);
    this.strings[slot] = decoded;
    return decoded;
  }

  /** UTF-8 bytes as a string; invalid UTF-8 becomes U+FFFD with an INVALID_VALUE issue. */
  private utf8(start: number, stop: number): string {
    const bytes = this.buf.subarray(start, stop);
    const text = lenientUtf8.decode(bytes);
    // Only a U+FFFD in the output can mean bad input; the strict decoder tells a real one apart.
    if (text.indexOf('\uFFFD') === -1) return text;
    try {
      return strictUtf8.decode(bytes);
    } catch {
      this.issue('INVALID_VALUE', `invalid UTF-8 in the string at byte ${start}; U+FFFD used for the bad bytes`);
      return text;
    }
  }

  /** An id as lower-case hex, whatever its length (otlpJsonToSpans rejects the wrong ones); undefined when empty. */
  private id(end: number): string | undefined {
    const stop = this.len(end);
    const start = this.pos;
    this.pos = stop;
    const n = stop - start;
    if (n === 0) return undefined;
    const buf = this.buf;
    if (n <= 16) {
      const codes = charCodes[2 * n]!;
      for (let i = 0; i < n; i++) {
        const b = buf[start + i]!;
        codes[2 * i] = HEX_HIGH[b]!;
        codes[2 * i + 1] = HEX_LOW[b]!;
      }
      return String.fromCharCode.apply(null, codes);
    }
    let hex = '';
    for (let i = start; i < stop; i++) hex += HEX[buf[i]!]!;
    return hex;
  }

  /**
   * A trace id. An 11-byte one is the one length whose hex (22 characters) otlpJsonToSpans would
   * take for the base64 of a 16-byte id; it is given as Buffer JSON instead, which is rejected.
   */
  private traceId(end: number): unknown {
    const hex = this.id(end);
    if (hex?.length !== 22) return hex;
    return { type: 'Buffer', data: Array.from(this.buf.subarray(this.pos - 11, this.pos)) };
  }

  private base64(end: number): string {
    const stop = this.len(end);
    const buf = this.buf;
    let s = '';
    let i = this.pos;
    for (; i + 2 < stop; i += 3) {
      const n = (buf[i]! << 16) | (buf[i + 1]! << 8) | buf[i + 2]!;
      s += BASE64.charAt(n >>> 18) + BASE64.charAt((n >>> 12) & 63) + BASE64.charAt((n >>> 6) & 63) + BASE64.charAt(n & 63);
    }
    if (stop - i === 1) {
      const n = buf[i]!;
      s += `${BASE64.charAt(n >>> 2)}${BASE64.charAt((n & 3) << 4)}==`;
    } else if (stop - i === 2) {
      const n = (buf[i]! << 8) | buf[i + 1]!;
      s += `${BASE64.charAt(n >>> 10)}${BASE64.charAt((n >>> 4) & 63)}${BASE64.charAt((n & 15) << 2)}=`;
    }
    this.pos = stop;
    return s;
  }

  /** Skips one field's value of wire type `wireType`. Groups (3, 4) and wire types 6, 7 are faults. */
  private skip(wireType: number, end: number, tagAt: number): void {
    switch (wireType) {
      case VARINT:
        this.varint(end);
        return;
      case I64:
        this.fixed(end, 8);
        return;
      case LEN:
        this.pos = this.len(end);
        return;
      case I32:
        this.fixed(end, 4);
        return;
      default:
        throw new ProtobufFault(tagAt, `wire type ${WIRE_TYPE_NAMES[wireType]} is not supported`);
    }
  }

  /**
   * Reads a tag and returns its field number when the field is known and its value is ready to be
   * read with the expected wire type. Returns 0 when the field was skipped: unknown fields
   * silently, known fields of the wrong wire type with an issue, empty packed runs. A packed run
   * (length-delimited) of a scalar field is positioned at its last element (the last value wins)
   * and `resume` set to its end.
   */
  private field(end: number, type: MessageType): number {
    const at = this.pos;
    const tag = this.varint(end);
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (this.hi !== 0 || field === 0) throw new ProtobufFault(at, `invalid field number in ${type.name}`);
    const expected = field < type.wireTypes.length ? type.wireTypes[field]! : -1;
    if (wireType === expected) return field;
    if (wireType === LEN && expected >= 0 && expected !== LEN) {
      const stop = this.len(end);
      let last = -1;
      while (this.pos < stop) {
        last = this.pos;
        if (expected === VARINT) this.varint(stop);
        else this.fixed(stop, expected === I64 ? 8 : 4);
      }
      if (last < 0) return 0;
      this.resume = stop;
      this.pos = last;
      return field;
    }
    this.skip(wireType, end, at);
    if (expected >= 0) {
      this.issue(
        'INVALID_PROTOBUF',
        `malformed protobuf at byte ${at}: ${type.name} field ${field} has wire type ${WIRE_TYPE_NAMES[wireType]}, ` +
          `expected ${WIRE_TYPE_NAMES[expected]}; skipped`,
      );
    }
    return 0;
  }

  /** Call after reading a field's value: continues after a packed run. */
  private next(): void {
    if (this.resume >= 0) {
      this.pos = this.resume;
      this.resume = -1;
    }
  }

  /** Records a fault that cost a part of the input; `what` says which part. */
  private dropped(e: unknown, what: string, path?: string): void {
    this.resume = -1;
    this.issue('INVALID_PROTOBUF', `${asFault(e).message}; ${what}`, path);
  }

  /** Stamps the issues from `mark` on with the span id of the span they are about. */
  private stamp(mark: number, spanId: string): void {
    for (let i = mark; i < this.issues.length; i++) {
      const { code, path, message } = this.issues[i]!;
      this.issues[i] = path === undefined ? { code, spanId, message } : { code, spanId, path, message };
    }
  }

  // ------------------------------------------------------------------------------------------
  // Messages. Each reads its fields into locals and builds its object once, with a fixed shape:
  // fields not on the wire, or at proto3's default (0, '', empty bytes: no presence), are undefined.

  request(): Rec {
    const resourceSpans: Rec[] = [];
    const end = this.buf.length;
    let i = 0;
    try {
      while (this.pos < end) {
        if (this.field(end, REQUEST) === 1) {
          const stop = this.containerLen(end, `resourceSpans[${i}]`);
          const rs = this.resourceSpans(stop, i++);
          if (rs !== undefined) resourceSpans.push(rs);
          this.pos = stop;
        }
        this.next();
      }
    } catch (e) {
      this.dropped(e, 'the rest of the request skipped', `resourceSpans[${i}]`);
    }
    return { resourceSpans };
  }

  /** One ResourceSpans, complete up to the first fault; undefined when its resource is unreadable. */
  private resourceSpans(end: number, i: number): Rec | undefined {
    const scopeSpans: Rec[] = [];
    const where = `resourceSpans[${i}]`;
    let resource: Rec | undefined;
    let schemaUrl: string | undefined;
    let j = 0;
    try {
      while (this.pos < end) {
        switch (this.field(end, RESOURCE_SPANS)) {
          case 1: {
            const stop = this.len(end);
            try {
              resource = this.resource(stop, resource, `${where}.resource`);
            } catch (e) {
              this.dropped(e, 'resource unreadable; its spans skipped', `${where}.resource`);
              return undefined;
            }
            break;
          }
          case 2: {
            const stop = this.containerLen(end, `${where}.scopeSpans[${j}]`);
            const ss = this.scopeSpans(stop, `${where}.scopeSpans[${j++}]`);
            if (ss !== undefined) scopeSpans.push(ss);
            this.pos = stop;
            break;
          }
          case 3:
            schemaUrl = nonEmpty(this.str(end));
            break;
        }
        this.next();
      }
    } catch (e) {
      this.dropped(e, `the rest of ${where} skipped`, where);
    }
    return { resource, scopeSpans, schemaUrl };
  }

  /** A Resource; `merged` is an earlier occurrence of it in the same ResourceSpans. */
  private resource(end: number, merged: Rec | undefined, where: string): Rec {
    const attributes = (merged?.attributes as Rec[] | undefined) ?? [];
    let droppedAttributesCount = merged?.droppedAttributesCount as number | undefined;
    let n = attributes.length;
    while (this.pos < end) {
      switch (this.field(end, RESOURCE)) {
        case 1:
          this.attribute(end, attributes, `${where}.attributes`, n++);
          break;
        case 2:
          droppedAttributesCount = nonZero(this.varint(end));
          break;
      }
      this.next();
    }
    return { attributes, droppedAttributesCount };
  }

  /** One ScopeSpans, complete up to the first fault; undefined when its scope is unreadable. */
  private scopeSpans(end: number, where: string): Rec | undefined {
    const spans: Rec[] = [];
    let scope: Rec | undefined;
    let schemaUrl: string | undefined;
    let k = 0;
    try {
      while (this.pos < end) {
        switch (this.field(end, SCOPE_SPANS)) {
          case 1: {
            const stop = this.len(end);
            try {
              scope = this.scope(stop, scope, `${where}.scope`);
            } catch (e) {
              this.dropped(e, 'scope unreadable; its spans skipped', `${where}.scope`);
              return undefined;
            }
            break;
          }
          case 2: {
            const stop = this.len(end);
            const mark = this.issues.length;
            this.spanId = undefined;
            try {
              spans.push(this.span(stop));
            } catch (e) {
              this.dropped(e, 'span skipped', `${where}.spans[${k}]`);
            }
            if (this.issues.length > mark && this.spanId !== undefined) this.stamp(mark, this.spanId);
            k++;
            this.pos = stop;
            break;
          }
          case 3:
            schemaUrl = nonEmpty(this.str(end));
            break;
        }
        this.next();
      }
    } catch (e) {
      this.dropped(e, `the rest of ${where} skipped`, where);
    }
    return { scope, spans, schemaUrl };
  }

  /** An InstrumentationScope; `merged` is an earlier occurrence of it in the same ScopeSpans. */
  private scope(end: number, merged: Rec | undefined, where: string): Rec {
    const attributes = (merged?.attributes as Rec[] | undefined) ?? [];
    let name = merged?.name as string | undefined;
    let version = merged?.version as string | undefined;
    let droppedAttributesCount = merged?.droppedAttributesCount as number | undefined;
    let n = attributes.length;
    while (this.pos < end) {
      switch (this.field(end, SCOPE)) {
        case 1:
          name = nonEmpty(this.str(end));
          break;
        case 2:
          version = nonEmpty(this.str(end));
          break;
        case 3:
          this.attribute(end, attributes, `${where}.attributes`, n++);
          break;
        case 4:
          droppedAttributesCount = nonZero(this.varint(end));
          break;
      }
      this.next();
    }
    return { name, version, attributes, droppedAttributesCount };
  }

  /** One top-level attribute: a fault inside it drops it alone, with an issue. */
  private attribute(end: number, into: Rec[], path: string, n: number): void {
    const stop = this.len(end);
    try {
      into.push(this.keyValue(stop, 0));
    } catch (e) {
      this.dropped(e, 'attribute dropped', `${path}[${n}]`);
    }
    this.pos = stop;
  }

  private span(end: number): Rec {
    const attributes: Rec[] = [];
    const events: Rec[] = [];
    const links: Rec[] = [];
    let traceId: unknown;
    let spanId: string | undefined;
    let traceState: string | undefined;
    let parentSpanId: string | undefined;
    let flags: number | undefined;
    let name: string | undefined;
    let kind: number | undefined;
    let startTimeUnixNano: string | undefined;
    let endTimeUnixNano: string | undefined;
    let droppedAttributesCount: number | undefined;
    let droppedEventsCount: number | undefined;
    let droppedLinksCount: number | undefined;
    let status: Rec | undefined;
    let nAttributes = 0;
    let nEvents = 0;
    let nLinks = 0;
    while (this.pos < end) {
      switch (this.field(end, SPAN)) {
        case 1:
          traceId = this.traceId(end);
          break;
        case 2:
          spanId = this.id(end);
          this.spanId = spanId;
          break;
        case 3:
          traceState = nonEmpty(this.str(end));
          break;
        case 4:
          parentSpanId = this.id(end);
          break;
        case 5:
          name = nonEmpty(this.str(end));
          break;
        case 6:
          kind = nonZero(this.varint(end) | 0);
          break;
        case 7:
          startTimeUnixNano = this.time(end);
          break;
        case 8:
          endTimeUnixNano = this.time(end);
          break;
        case 9:
          this.attribute(end, attributes, 'attributes', nAttributes++);
          break;
        case 10:
          droppedAttributesCount = nonZero(this.varint(end));
          break;
        case 11: {
          const stop = this.len(end);
          try {
            events.push(this.event(stop));
          } catch (e) {
            this.dropped(e, 'span event dropped', `events[${nEvents}]`);
          }
          nEvents++;
          this.pos = stop;
          break;
        }
        case 12:
          droppedEventsCount = nonZero(this.varint(end));
          break;
        case 13: {
          const stop = this.len(end);
          try {
            links.push(this.link(stop));
          } catch (e) {
            this.dropped(e, 'span link dropped', `links[${nLinks}]`);
          }
          nLinks++;
          this.pos = stop;
          break;
        }
        case 14:
          droppedLinksCount = nonZero(this.varint(end));
          break;
        case 15:
          status = this.status(this.len(end), status);
          break;
        case 16:
          flags = nonZero(this.fixed32(end));
          break;
      }
      this.next();
    }
    return {
      traceId,
      spanId,
      traceState,
      parentSpanId,
      flags,
      name,
      kind,
      startTimeUnixNano,
      endTimeUnixNano,
      attributes,
      droppedAttributesCount,
      events,
      droppedEventsCount,
      links,
      droppedLinksCount,
      status,
    };
  }

  private event(end: number): Rec {
    const attributes: Rec[] = [];
    let timeUnixNano: string | undefined;
    let name: string | undefined;
    let droppedAttributesCount: number | undefined;
    while (this.pos < end) {
      switch (this.field(end, EVENT)) {
        case 1:
          timeUnixNano = this.time(end);
          break;
        case 2:
          name = nonEmpty(this.str(end));
          break;
        case 3:
          attributes.push(this.keyValue(this.len(end), 0));
          break;
        case 4:
          droppedAttributesCount = nonZero(this.varint(end));
          break;
      }
      this.next();
    }
    return { timeUnixNano, name, attributes, droppedAttributesCount };
  }

  private link(end: number): Rec {
    const attributes: Rec[] = [];
    let traceId: unknown;
    let spanId: string | undefined;
    let traceState: string | undefined;
    let droppedAttributesCount: number | undefined;
    let flags: number | undefined;
    while (this.pos < end) {
      switch (this.field(end, LINK)) {
        case 1:
          traceId = this.traceId(end);
          break;
        case 2:
          spanId = this.id(end);
          break;
        case 3:
          traceState = nonEmpty(this.str(end));
          break;
        case 4:
          attributes.push(this.keyValue(this.len(end), 0));
          break;
        case 5:
          droppedAttributesCount = nonZero(this.varint(end));
          break;
        case 6:
          flags = nonZero(this.fixed32(end));
          break;
      }
      this.next();
    }
    return { traceId, spanId, traceState, attributes, droppedAttributesCount, flags };
  }

  /** A Status; `merged` is an earlier occurrence of it in the same span. */
  private status(end: number, merged: Rec | undefined): Rec {
    let message = merged?.message as string | undefined;
    let code = merged?.code as number | undefined;
    while (this.pos < end) {
      switch (this.field(end, STATUS)) {
        case 2:
          message = nonEmpty(this.str(end));
          break;
        case 3:
          code = nonZero(this.varint(end) | 0);
          break;
      }
      this.next();
    }
    return { message, code };
  }

  /** A KeyValue whose value sits at `depth` (0 for an attribute). */
  private keyValue(end: number, depth: number): Rec {
    let key: string | undefined;
    let value: Rec | undefined;
    while (this.pos < end) {
      switch (this.field(end, KEY_VALUE)) {
        case 1:
          key = nonEmpty(this.str(end));
          break;
        case 2:
          value = this.anyValue(this.len(end), depth);
          break;
      }
      this.next();
    }
    return { key, value };
  }

  /** An AnyValue at `depth`; an array or kvlist at MAX_ANY_VALUE_DEPTH or deeper is skipped with an issue. */
  private anyValue(end: number, depth: number): Rec {
    let value: Rec = {};
    while (this.pos < end) {
      const field = this.field(end, ANY_VALUE);
      switch (field) {
        case 1:
          value = { stringValue: this.str(end) };
          break;
        case 2: {
          const lo = this.varint(end);
          value = { boolValue: (lo | this.hi) !== 0 };
          break;
        }
        case 3: {
          const lo = this.varint(end);
          value = { intValue: this.hi === 0 ? String(lo) : int64String(lo, this.hi) };
          break;
        }
        case 4:
          value = { doubleValue: this.double(end) };
          break;
        case 5:
        case 6: {
          const at = this.pos;
          const stop = this.len(end);
          if (depth >= MAX_ANY_VALUE_DEPTH) {
            this.issue('INVALID_VALUE', `value at byte ${at} nested deeper than ${MAX_ANY_VALUE_DEPTH} levels; null kept`);
            this.pos = stop;
            value = {};
            break;
          }
          const values: Rec[] = [];
          while (this.pos < stop) {
            if (this.field(stop, VALUES) === 1) {
              const itemStop = this.len(stop);
              values.push(field === 6 ? this.keyValue(itemStop, depth + 1) : this.anyValue(itemStop, depth + 1));
            }
            this.next();
          }
          value = field === 6 ? { kvlistValue: { values } } : { arrayValue: { values } };
          break;
        }
        case 7:
          value = { bytesValue: this.base64(end) };
          break;
      }
      this.next();
    }
    return value;
  }
}

/**
 * Decodes the bytes of an OTLP/protobuf `ExportTraceServiceRequest` into the OTLP/JSON object
 * shape {@link otlpJsonToSpans} reads (see the file comment for the exact shape). Never throws.
 * Unknown fields of wire types 0, 1, 2 and 5 are skipped silently. Malformed bytes give
 * INVALID_PROTOBUF issues naming the byte offset, and only the damaged part is lost: a known
 * field with the wrong wire type is skipped; a fault (truncated varint, length past the end of
 * its message, a group, wire type 6 or 7, field number 0) inside a span drops that span, inside
 * an attribute, event or link only that item, inside a resource or scope the spans under it; a
 * length running past the end of the input (a truncated request) keeps every complete span
 * before the cut. An array or kvlist nested deeper than MAX_ANY_VALUE_DEPTH, and invalid UTF-8
 * (decoded with U+FFFD), are INVALID_VALUE issues. Issues raised inside a span carry its span
 * id; issue paths count entries as they are on the wire, including dropped ones.
 */
export function decodeOtlpTraceRequest(bytes: Uint8Array): MappingResult<Record<string, unknown>> {
  if (!(bytes instanceof Uint8Array)) {
    return { value: { resourceSpans: [] }, issues: [{ code: 'INVALID_PROTOBUF', message: 'not bytes: expected a Uint8Array' }] };
  }
  const decoder = new Decoder(bytes);
  const value = decoder.request();
  return { value, issues: decoder.issues };
}

/**
 * OTLP/protobuf `ExportTraceServiceRequest` bytes -> `ReadableSpan`s: {@link decodeOtlpTraceRequest}
 * then {@link otlpJsonToSpans}, with the issues of both (decoding first). Never throws.
 */
export function otlpProtobufToSpans(bytes: Uint8Array): MappingResult<ReadableSpan[]> {
  const decoded = decodeOtlpTraceRequest(bytes);
  const mapped = otlpJsonToSpans(decoded.value);
  return { value: mapped.value, issues: decoded.issues.length === 0 ? mapped.issues : [...decoded.issues, ...mapped.issues] };
}
