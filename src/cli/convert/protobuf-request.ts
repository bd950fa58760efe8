/**
 * An OTLP protobuf `ExportTraceServiceRequest` for `--endpoint`, filled span by span with its
 * exact size at every step: each span is encoded once (src/otlp/otlp-encoder.ts, the stock
 * serializer's bytes), into a buffer of its group (resource and scope, by identity, as the stock
 * protobuf serializer groups them); the lengths of the groups around them are counted as they
 * grow, and `take` writes the request around the encoded spans. A property test holds the bytes
 * equal to `ProtobufTraceSerializer.serializeRequest` of the same spans.
 */
import type { Resource } from '@opentelemetry/resources';
import type { SpanRecord } from '../../mapping/span-record.js';
import { resourceFields, scopeFields, span as spanFields } from '../../otlp/otlp-encoder.js';
import { varintSize, Writer } from '../../otlp/otlp-writer.js';
import type { RequestBuilder } from './batches.js';
import { BufferPool } from './buffer-pool.js';

/** A request's body and how many spans it holds; `release` gives its buffer back once it is sent (or given up). */
export interface EncodedRequest {
  readonly body: Uint8Array;
  readonly spans: number;
  release(): void;
}

/** A length-delimited field of `n` bytes with its one-byte tag and its length. */
const framed = (n: number): number => 1 + varintSize(n) + n;

/** A group's field (`tag`, `size` bytes) and the first field in it: its resource or scope message. */
function groupStart(w: Writer, tag: number, size: number, message: Uint8Array): void {
  w.byte(tag);
  w.varint(size);
  w.byte(0x0a);
  w.varint(message.length);
  w.buf.set(message, w.pos);
  w.pos += message.length;
}

/** Bytes of a string field (`schema_url`), none when empty. */
const schemaBytes = (url: string | undefined): number => (url ? framed(Buffer.byteLength(url, 'utf8')) : 0);

function encoded(write: (w: Writer) => void): Buffer {
  const w = new Writer(256);
  write(w);
  return Buffer.from(w.buf.subarray(0, w.pos));
}

interface ScopeGroup {
  readonly scope: SpanRecord['scope'];
  /** The InstrumentationScope message. */
  readonly message: Buffer;
  /** Its spans, each as a `spans` field (tag, length, Span message). */
  readonly body: Writer;
  /** Bytes of the ScopeSpans message. */
  size: number;
}

interface ResourceGroup {
  readonly resource: Resource;
  readonly message: Buffer;
  readonly scopes: Map<SpanRecord['scope'], ScopeGroup>;
  /** Bytes of the ResourceSpans message. */
  size: number;
}

export class ProtobufRequestBuilder implements RequestBuilder<SpanRecord, EncodedRequest> {
  private _resources = new Map<Resource, ResourceGroup>();
  private _spans = 0;
  private _bytes = 0;
  /** The next span's Span message, written by `bytesWith` for `add`. */
  private readonly _next = new Writer(64 * 1024);
  private _nextSpan: SpanRecord | undefined;
  private readonly _spare: Writer[] = [];
  private readonly _pool = new BufferPool();

  get spans(): number {
    return this._spans;
  }

  /** Bytes of the request so far. */
  get bytes(): number {
    return this._bytes;
  }

  bytesWith(span: SpanRecord): number {
    const grown = this._grown(span);
    return this._bytes + grown.request;
  }

  add(span: SpanRecord): void {
    const grown = this._grown(span);
    let resource = this._resources.get(span.resource);
    if (resource === undefined) {
      resource = { resource: span.resource, message: encoded((w) => resourceFields(w, span.resource)), scopes: new Map(), size: 0 };
      this._resources.set(span.resource, resource);
    }
    let scope = resource.scopes.get(span.scope);
    if (scope === undefined) {
      scope = { scope: span.scope, message: encoded((w) => scopeFields(w, span.scope)), body: this._spare.pop() ?? new Writer(64 * 1024), size: 0 };
      resource.scopes.set(span.scope, scope);
    }
    const next = this._next;
    const body = scope.body;
    body.ensure(1 + 5 + next.pos);
    body.byte(0x12);
    body.varint(next.pos);
    next.buf.copy(body.buf, body.pos, 0, next.pos);
    body.pos += next.pos;
    scope.size = grown.scope;
    resource.size = grown.resource;
    this._bytes += grown.request;
    this._spans++;
    this._nextSpan = undefined;
  }

  take(): EncodedRequest {
    // A few bytes over the exact size: room for the writer's worst-case reservations at the end.
    const buffer = this._pool.get(this._bytes + 16);
    const w = new Writer(0, buffer);
    for (const resource of this._resources.values()) {
      w.ensure(6 + resource.message.length);
      groupStart(w, 0x0a, resource.size, resource.message);
      for (const scope of resource.scopes.values()) {
        w.ensure(12 + scope.message.length + scope.body.pos);
        groupStart(w, 0x12, scope.size, scope.message);
        w.pos += scope.body.buf.copy(w.buf, w.pos, 0, scope.body.pos);
        if (scope.scope.schemaUrl) w.string(0x1a, scope.scope.schemaUrl);
        scope.body.pos = 0;
        this._spare.push(scope.body);
      }
      if (resource.resource.schemaUrl) w.string(0x1a, resource.resource.schemaUrl);
    }
    const request = { body: w.buf.subarray(0, w.pos), spans: this._spans, release: () => this._pool.release(buffer) };
    this._resources = new Map();
    this._spans = 0;
    this._bytes = 0;
    return request;
  }

  /** The sizes of the span's scope spans and resource spans with it, and how much the request grows. */
  private _grown(span: SpanRecord): { scope: number; resource: number; request: number } {
    if (this._nextSpan !== span) {
      this._next.pos = 0;
      spanFields(this._next, span);
      this._nextSpan = span;
    }
    const spanBytes = framed(this._next.pos);
    const resource = this._resources.get(span.resource);
    const scope = resource?.scopes.get(span.scope);
    const scopeBefore = scope?.size;
    const scopeAfter =
      scopeBefore === undefined ? framed(encodedSize((w) => scopeFields(w, span.scope))) + spanBytes + schemaBytes(span.scope.schemaUrl) : scopeBefore + spanBytes;
    const resourceBefore = resource?.size;
    const resourceAfter =
      resourceBefore === undefined
        ? framed(encodedSize((w) => resourceFields(w, span.resource))) + framed(scopeAfter) + schemaBytes(span.resource.schemaUrl)
        : resourceBefore - (scopeBefore === undefined ? 0 : framed(scopeBefore)) + framed(scopeAfter);
    const request = framed(resourceAfter) - (resourceBefore === undefined ? 0 : framed(resourceBefore));
    return { scope: scopeAfter, resource: resourceAfter, request };
  }
}

/** Bytes of a message's fields as `write` writes them. */
function encodedSize(write: (w: Writer) => void): number {
  const w = new Writer(256);
  write(w);
  return w.pos;
}
