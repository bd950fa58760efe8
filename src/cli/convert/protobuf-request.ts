/**
 * A request for `--endpoint` filled span by span, with an upper bound of its protobuf size (the
 * stock exporter serialises it): each field counted with its tag and the longest length prefix,
 * strings at their UTF-8 length. A property test checks the bound against the stock serializer.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { RequestBuilder } from './batches.js';
import { scopeKey } from './otlp-json.js';

/** Tag (up to 2 bytes) and length prefix (up to 5 bytes) of a length-delimited field. */
const FRAME = 7;
/** Tag and the longest varint, fixed64 or fixed32 value. */
const SCALAR = 12;

function text(s: string | undefined): number {
  return s === undefined ? 0 : FRAME + Buffer.byteLength(s, 'utf8');
}

function anyValue(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return FRAME + text(v);
    case 'number':
    case 'boolean':
      return FRAME + SCALAR;
    case 'object': {
      if (v === null) return FRAME;
      if (v instanceof Uint8Array) return 2 * FRAME + v.length;
      let n = 3 * FRAME;
      if (Array.isArray(v)) for (const x of v) n += anyValue(x);
      else for (const [k, x] of Object.entries(v)) n += FRAME + text(k) + anyValue(x);
      return n;
    }
    default:
      return FRAME;
  }
}

function attributes(attrs: Attributes | undefined): number {
  let n = 0;
  if (attrs !== undefined) for (const key of Object.keys(attrs)) n += FRAME + text(key) + anyValue(attrs[key]);
  return n;
}

/** An upper bound of one span's protobuf bytes inside `scope_spans`. */
export function spanBytesBound(span: ReadableSpan): number {
  const ctx = span.spanContext();
  let n = FRAME + 3 * (FRAME + 16) + text(ctx.traceState?.serialize()) + text(span.name) + 6 * SCALAR;
  n += attributes(span.attributes) + FRAME + text(span.status.message) + SCALAR;
  for (const e of span.events) n += FRAME + SCALAR + text(e.name) + attributes(e.attributes) + SCALAR;
  for (const l of span.links) n += FRAME + 2 * (FRAME + 16) + text(l.context.traceState?.serialize()) + attributes(l.attributes) + 2 * SCALAR;
  return n;
}

function resourceBound(resource: Resource): number {
  return 2 * FRAME + attributes(resource.attributes) + SCALAR + text(resource.schemaUrl);
}

function scopeBound(scope: ReadableSpan['instrumentationScope']): number {
  const attrs = (scope as { attributes?: Attributes }).attributes;
  return 2 * FRAME + text(scope.name) + text(scope.version) + attributes(attrs) + SCALAR + text(scope.schemaUrl);
}

/** Spans for one `export()` call, with the bound of the request the exporter will make of them. */
export class ProtobufRequestBuilder implements RequestBuilder<ReadableSpan[]> {
  private _spans: ReadableSpan[] = [];
  private _bytes = 0;
  private _groups = new Map<Resource, Set<string>>();

  get spans(): number {
    return this._spans.length;
  }

  /** The bound so far. */
  get bytes(): number {
    return this._bytes;
  }

  bytesWith(span: ReadableSpan): number {
    return this._bytes + this._grow(span);
  }

  add(span: ReadableSpan): void {
    this._bytes += this._grow(span);
    let scopes = this._groups.get(span.resource);
    if (scopes === undefined) this._groups.set(span.resource, (scopes = new Set()));
    scopes.add(scopeKey(span.instrumentationScope));
    this._spans.push(span);
  }

  take(): ReadableSpan[] {
    const spans = this._spans;
    this._spans = [];
    this._bytes = 0;
    this._groups = new Map();
    return spans;
  }

  private _grow(span: ReadableSpan): number {
    let n = spanBytesBound(span);
    const scopes = this._groups.get(span.resource);
    if (scopes === undefined) n += resourceBound(span.resource);
    if (scopes?.has(scopeKey(span.instrumentationScope)) !== true) n += scopeBound(span.instrumentationScope);
    return n;
  }
}
