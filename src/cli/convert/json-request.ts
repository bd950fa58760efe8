/**
 * An OTLP/JSON `ExportTraceServiceRequest` filled span by span, as UTF-8 bytes, with its exact
 * size at every step. Spans are grouped as the stock serializer groups them (by resource object,
 * then by scope key, in order of first appearance), so the bytes equal
 * `JsonTraceSerializer.serializeRequest` of the same spans. Each span is written once, into a
 * buffer of its group; `take` copies the groups into the request's buffer.
 */
import type { Resource } from '@opentelemetry/resources';
import type { SpanRecord } from '../../mapping/span-record.js';
import { Writer } from '../../otlp/otlp-writer.js';
import { resourceJson, scopeJson, scopeKey, spanJson } from '../../otlp/otlp-json-writer.js';
import type { RequestBuilder } from './batches.js';
import { BufferPool } from './buffer-pool.js';
import type { PooledBytes } from './buffer-pool.js';

interface ScopeGroup {
  readonly head: Buffer;
  readonly tail: Buffer;
  /** The group's spans, separated by commas. */
  readonly body: Writer;
}

interface ResourceGroup {
  readonly head: Buffer;
  readonly tail: Buffer;
  readonly scopes: Map<string, ScopeGroup>;
}

const REQUEST_HEAD = Buffer.from('{"resourceSpans":[');
const REQUEST_TAIL = Buffer.from(']}\n');
/** What separates two items of a JSON list. */
const COMMA = 0x2c;
/** An empty request: its head and tail, without the newline that ends the line. */
const EMPTY_REQUEST_BYTES = REQUEST_HEAD.length + REQUEST_TAIL.length - 1;

function text(write: (w: Writer) => void): string {
  const w = new Writer(256);
  write(w);
  return w.buf.toString('utf8', 0, w.pos);
}

/** `{"resource":..,"scopeSpans":[` ... `],"schemaUrl":..}` as the stock `spanRecordsToResourceSpans` writes it. */
function resourceGroup(resource: Resource): ResourceGroup {
  const schemaUrl = resource.schemaUrl ? `,"schemaUrl":${JSON.stringify(resource.schemaUrl)}` : '';
  const head = Buffer.from(`{"resource":${text((w) => resourceJson(w, resource))},"scopeSpans":[`);
  return { head, tail: Buffer.from(`]${schemaUrl}}`), scopes: new Map() };
}

function scopeGroup(scope: SpanRecord['scope'], body: Writer): ScopeGroup {
  const schemaUrl = scope.schemaUrl === undefined ? '' : `,"schemaUrl":${JSON.stringify(scope.schemaUrl)}`;
  return { head: Buffer.from(`{"scope":${text((w) => scopeJson(w, scope))},"spans":[`), tail: Buffer.from(`]${schemaUrl}}`), body };
}

/** Builds OTLP/JSON requests (one line each: the bytes end with a newline). */
export class JsonRequestBuilder implements RequestBuilder<SpanRecord, PooledBytes> {
  private _resources = new Map<Resource, ResourceGroup>();
  private _spans = 0;
  private _bytes = EMPTY_REQUEST_BYTES;
  /** The next span's bytes, written by `bytesWith` for `add`. */
  private readonly _next = new Writer(64 * 1024);
  private _nextSpan: SpanRecord | undefined;
  /** Group buffers of earlier requests, to fill again. */
  private readonly _spare: Writer[] = [];
  /** The requests' buffers. */
  private readonly _pool = new BufferPool();

  get spans(): number {
    return this._spans;
  }

  /** Bytes of the request so far (without the newline). */
  get bytes(): number {
    return this._bytes;
  }

  bytesWith(span: SpanRecord): number {
    return this._bytes + this._grow(span);
  }

  add(span: SpanRecord): void {
    const growth = this._grow(span);
    this._nextSpan = undefined;
    let resource = this._resources.get(span.resource);
    if (resource === undefined) this._resources.set(span.resource, (resource = resourceGroup(span.resource)));
    const key = scopeKey(span.scope);
    let scope = resource.scopes.get(key);
    if (scope === undefined) resource.scopes.set(key, (scope = scopeGroup(span.scope, this._spare.pop() ?? new Writer(64 * 1024))));
    const body = scope.body;
    const next = this._next;
    body.ensure(next.pos + 1);
    if (body.pos > 0) body.buf[body.pos++] = COMMA;
    next.buf.copy(body.buf, body.pos, 0, next.pos);
    body.pos += next.pos;
    this._spans++;
    this._bytes += growth;
  }

  /** The request's bytes, a line of OTLP/JSON, in a buffer to give back once written. */
  take(): PooledBytes {
    const size = this._bytes + 1;
    const buffer = this._pool.get(size);
    const out = buffer.subarray(0, size);
    let at = REQUEST_HEAD.copy(out, 0);
    let firstResource = true;
    for (const resource of this._resources.values()) {
      if (!firstResource) out[at++] = COMMA;
      at += resource.head.copy(out, at);
      let firstScope = true;
      for (const scope of resource.scopes.values()) {
        if (!firstScope) out[at++] = COMMA;
        at += scope.head.copy(out, at);
        at += scope.body.buf.copy(out, at, 0, scope.body.pos);
        at += scope.tail.copy(out, at);
        scope.body.pos = 0;
        this._spare.push(scope.body);
        firstScope = false;
      }
      at += resource.tail.copy(out, at);
      firstResource = false;
    }
    REQUEST_TAIL.copy(out, at);
    this._resources = new Map();
    this._spans = 0;
    this._bytes = EMPTY_REQUEST_BYTES;
    return { bytes: out, release: () => this._pool.release(buffer) };
  }

  /** How many bytes `span` adds: its bytes, a comma, and the groups it opens. */
  private _grow(span: SpanRecord): number {
    if (this._nextSpan !== span) {
      this._next.pos = 0;
      spanJson(this._next, span);
      this._nextSpan = span;
    }
    let growth = this._next.pos;
    const resource = this._resources.get(span.resource);
    const scope = resource?.scopes.get(scopeKey(span.scope));
    if (scope !== undefined) return growth + (scope.body.pos > 0 ? 1 : 0);
    const opened = scopeGroup(span.scope, this._next);
    growth += opened.head.length + opened.tail.length + (resource !== undefined && resource.scopes.size > 0 ? 1 : 0);
    if (resource !== undefined) return growth;
    const group = resourceGroup(span.resource);
    return growth + group.head.length + group.tail.length + (this._resources.size > 0 ? 1 : 0);
  }
}
