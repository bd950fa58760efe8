/**
 * An OTLP/JSON `ExportTraceServiceRequest` filled span by span, as UTF-8 bytes, with its exact
 * size at every step. Spans are grouped as the stock serializer groups them (by resource object,
 * then by scope key, in order of first appearance), so the bytes equal
 * `JsonTraceSerializer.serializeRequest` of the same spans. Each span is written once, straight
 * into the buffer of its group; `take` copies the groups into the request's buffer.
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

/** Where the next span's bytes were written by `bytesWith`, for `add`. */
interface Written {
  readonly span: SpanRecord;
  /** The body of the span's group, or a fresh buffer when the span opens its group. */
  readonly body: Writer;
  readonly scope: ScopeGroup | undefined;
  /** Where in `body` it starts (after room for the comma) and its length. */
  readonly at: number;
  readonly length: number;
  /** How many bytes it adds to the request. */
  readonly growth: number;
}

/** Builds OTLP/JSON requests (one line each: the bytes end with a newline). */
export class JsonRequestBuilder implements RequestBuilder<SpanRecord, PooledBytes> {
  private _resources = new Map<Resource, ResourceGroup>();
  private _spans = 0;
  private _bytes = EMPTY_REQUEST_BYTES;
  /**
   * The span `bytesWith` wrote last, past the end of its group's bytes (or in `_fresh`): `add`
   * keeps it there. Forgotten by `take` (its group is gone).
   */
  private _written: Written | undefined;
  /** The buffer of the next group a span opens. */
  private _fresh: Writer | undefined;
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
    return this._bytes + this._write(span).growth;
  }

  add(span: SpanRecord): void {
    const written = this._write(span);
    this._written = undefined;
    const body = written.body;
    if (written.scope !== undefined) {
      if (body.pos > 0) body.buf[body.pos] = COMMA;
      body.pos = written.at + written.length;
    } else {
      let resource = this._resources.get(span.resource);
      if (resource === undefined) this._resources.set(span.resource, (resource = resourceGroup(span.resource)));
      resource.scopes.set(scopeKey(span.scope), scopeGroup(span.scope, body));
      body.pos = written.length;
      this._fresh = undefined;
    }
    this._spans++;
    this._bytes += written.growth;
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
    this._written = undefined;
    return { bytes: out, release: () => this._pool.release(buffer) };
  }

  /**
   * Writes `span` where it goes (once per span and request): after its group's bytes, past a
   * byte for the comma, or at the start of a fresh buffer when it opens a group; what it adds to
   * the request: its bytes, a comma, and the groups it opens.
   */
  private _write(span: SpanRecord): Written {
    const last = this._written;
    if (last !== undefined && last.span === span) return last;
    const resource = this._resources.get(span.resource);
    const scope = resource?.scopes.get(scopeKey(span.scope));
    const body = scope?.body ?? (this._fresh ??= this._spare.pop() ?? new Writer(64 * 1024));
    const end = body.pos;
    const at = scope !== undefined && end > 0 ? end + 1 : 0;
    // Written past the group's bytes, which stay as they are until `add`.
    body.ensure(at - end);
    body.pos = at;
    spanJson(body, span);
    const length = body.pos - at;
    body.pos = scope === undefined ? 0 : end;
    let growth = length;
    if (scope !== undefined) growth += end > 0 ? 1 : 0;
    else {
      const opened = scopeGroup(span.scope, body);
      growth += opened.head.length + opened.tail.length + (resource !== undefined && resource.scopes.size > 0 ? 1 : 0);
      if (resource === undefined) {
        const group = resourceGroup(span.resource);
        growth += group.head.length + group.tail.length + (this._resources.size > 0 ? 1 : 0);
      }
    }
    this._written = { span, body, scope, at, length, growth };
    return this._written;
  }
}
