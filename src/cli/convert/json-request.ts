/**
 * An OTLP/JSON `ExportTraceServiceRequest` filled span by span, with its exact size in UTF-8
 * bytes at every step. Spans are grouped as the stock serializer groups them (by resource
 * object, then by scope, in order of first appearance), so the text equals
 * `JsonTraceSerializer.serializeRequest` of the same spans.
 */
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { RequestBuilder } from './batches.js';
import { resourceJson, scopeJson, scopeKey, spanJson } from './otlp-json.js';

interface ScopeGroup {
  readonly head: string;
  readonly tail: string;
  readonly spans: string[];
}

interface ResourceGroup {
  readonly head: string;
  readonly tail: string;
  readonly scopes: Map<string, ScopeGroup>;
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const REQUEST_HEAD = '{"resourceSpans":[';
const REQUEST_TAIL = ']}';
/** What separates two items of a JSON list. */
const COMMA = 1;

/** `{"resource":..,"scopeSpans":[` ... `],"schemaUrl":..}` as the stock `spanRecordsToResourceSpans` writes it. */
function resourceGroup(resource: Resource): ResourceGroup {
  const schemaUrl = resource.schemaUrl ? `,"schemaUrl":${JSON.stringify(resource.schemaUrl)}` : '';
  return { head: `{"resource":${resourceJson(resource)},"scopeSpans":[`, tail: `]${schemaUrl}}`, scopes: new Map() };
}

function scopeGroup(scope: ReadableSpan['instrumentationScope']): ScopeGroup {
  const schemaUrl = scope.schemaUrl === undefined ? '' : `,"schemaUrl":${JSON.stringify(scope.schemaUrl)}`;
  return { head: `{"scope":${scopeJson(scope)},"spans":[`, tail: `]${schemaUrl}}`, spans: [] };
}

/** Builds OTLP/JSON requests (one line each: the text ends with a newline). */
export class JsonRequestBuilder implements RequestBuilder<string> {
  private _resources = new Map<Resource, ResourceGroup>();
  private _spans = 0;
  private _bytes = bytes(REQUEST_HEAD) + bytes(REQUEST_TAIL);
  /** The next span's text and size, made by `bytesWith` and used by `add`. */
  private _next: { span: ReadableSpan; text: string; bytes: number } | undefined;

  get spans(): number {
    return this._spans;
  }

  /** Bytes of the request so far (without the newline). */
  get bytes(): number {
    return this._bytes;
  }

  bytesWith(span: ReadableSpan): number {
    return this._bytes + this._grow(span);
  }

  add(span: ReadableSpan): void {
    const growth = this._grow(span);
    const text = (this._next as { text: string }).text;
    this._next = undefined;
    let resource = this._resources.get(span.resource);
    if (resource === undefined) this._resources.set(span.resource, (resource = resourceGroup(span.resource)));
    const key = scopeKey(span.instrumentationScope);
    let scope = resource.scopes.get(key);
    if (scope === undefined) resource.scopes.set(key, (scope = scopeGroup(span.instrumentationScope)));
    scope.spans.push(text);
    this._spans++;
    this._bytes += growth;
  }

  take(): string {
    const parts: string[] = [REQUEST_HEAD];
    let firstResource = true;
    for (const resource of this._resources.values()) {
      parts.push(firstResource ? resource.head : `,${resource.head}`);
      let firstScope = true;
      for (const scope of resource.scopes.values()) {
        parts.push(firstScope ? scope.head : `,${scope.head}`, scope.spans.join(','), scope.tail);
        firstScope = false;
      }
      parts.push(resource.tail);
      firstResource = false;
    }
    parts.push(REQUEST_TAIL, '\n');
    this._resources = new Map();
    this._spans = 0;
    this._bytes = bytes(REQUEST_HEAD) + bytes(REQUEST_TAIL);
    return parts.join('');
  }

  /** How many bytes `span` adds: its text, a comma, and the groups it opens. */
  private _grow(span: ReadableSpan): number {
    if (this._next?.span !== span) {
      const text = spanJson(span);
      this._next = { span, text, bytes: bytes(text) };
    }
    let growth = this._next.bytes;
    const resource = this._resources.get(span.resource);
    const scope = resource?.scopes.get(scopeKey(span.instrumentationScope));
    if (scope !== undefined) return growth + (scope.spans.length > 0 ? COMMA : 0);
    const opened = scopeGroup(span.instrumentationScope);
    growth += bytes(opened.head) + bytes(opened.tail) + (resource !== undefined && resource.scopes.size > 0 ? COMMA : 0);
    if (resource !== undefined) return growth;
    const group = resourceGroup(span.resource);
    return growth + bytes(group.head) + bytes(group.tail) + (this._resources.size > 0 ? COMMA : 0);
  }
}
