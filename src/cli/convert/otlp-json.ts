/**
 * OTLP/JSON text of spans, written span by span: the bytes `JsonTraceSerializer.serializeRequest`
 * (@opentelemetry/otlp-transformer) makes for the same spans (a property test compares them), in
 * one pass from the span to the text, without the intermediate request object and the
 * `TextEncoder` copy. Each span's text is made once, so a request can be filled up to a byte size
 * before it is written (./batches.ts).
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { hrTimeToNanosText, isValidHrTime } from '../../mapping/time.js';

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** The stock span flags: W3C trace flags, and whether the parent is remote. */
function flags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

/** `"name":value,` as JSON.stringify writes a field of an object (then a comma), or nothing for undefined. */
function field(name: string, value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? '' : `"${name}":${text},`;
}

/** Nanoseconds as decimal text, as the stock JSON encoder (`encodeAsString`) writes them. */
function nanosText(t: HrTime): string {
  if (isValidHrTime(t)) return `"${hrTimeToNanosText(t)}"`;
  return `"${(BigInt(Math.trunc(t[0])) * 1_000_000_000n + BigInt(Math.trunc(t[1]))).toString()}"`;
}

/** `{"key":"<key>","value":` per attribute key: keys repeat on every span. */
const keyPrefixes = new Map<string, string>();
const MAX_CACHED_KEYS = 10_000;

function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `{"key":${JSON.stringify(key)},"value":`;
    if (keyPrefixes.size < MAX_CACHED_KEYS) keyPrefixes.set(key, prefix);
  }
  return prefix;
}

/** The stock `toAnyValue`, as JSON text. */
function anyValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return `{"stringValue":${JSON.stringify(v)}}`;
    case 'number':
      return Number.isInteger(v) ? `{"intValue":${JSON.stringify(v)}}` : `{"doubleValue":${JSON.stringify(v)}}`;
    case 'boolean':
      return v ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'object': {
      if (v === null) return '{}';
      if (v instanceof Uint8Array) return `{"bytesValue":${JSON.stringify(Buffer.from(v).toString('base64'))}}`;
      if (Array.isArray(v)) {
        const items = new Array<string>(v.length);
        for (let i = 0; i < v.length; i++) items[i] = anyValue(v[i]);
        return `{"arrayValue":{"values":[${items.join(',')}]}}`;
      }
      return `{"kvlistValue":{"values":${attributes(v as Record<string, unknown>)}}}`;
    }
    default:
      return '{}';
  }
}

/** The stock `toAttributes`: `[{"key":..,"value":..},...]` in key order. */
function attributes(attrs: Attributes | Record<string, unknown>): string {
  const keys = Object.keys(attrs);
  const parts = new Array<string>(keys.length * 2);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    parts[2 * i] = i === 0 ? keyPrefix(key) : `},${keyPrefix(key)}`;
    parts[2 * i + 1] = anyValue(attrs[key]);
  }
  return keys.length === 0 ? '[]' : `[${parts.join('')}}]`;
}

/** One span as the stock JSON serializer writes it inside `scopeSpans[].spans`. */
export function spanJson(span: ReadableSpan): string {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  const status = span.status;
  let events = '';
  for (const e of span.events) {
    events += `${events === '' ? '' : ','}{"attributes":${e.attributes ? attributes(e.attributes) : '[]'},${field('name', e.name)}"timeUnixNano":${nanosText(
      e.time,
    )},"droppedAttributesCount":${JSON.stringify(e.droppedAttributesCount || 0)}}`;
  }
  let links = '';
  for (const l of span.links) {
    links += `${links === '' ? '' : ','}{"attributes":${l.attributes ? attributes(l.attributes) : '[]'},${field('spanId', l.context.spanId)}${field(
      'traceId',
      l.context.traceId,
    )}${field('traceState', l.context.traceState?.serialize())}"droppedAttributesCount":${JSON.stringify(l.droppedAttributesCount || 0)},"flags":${flags(
      l.context.traceFlags,
      l.context.isRemote,
    )}}`;
  }
  return (
    `{${field('traceId', ctx.traceId)}${field('spanId', ctx.spanId)}${field('parentSpanId', parent?.spanId ? parent.spanId : undefined)}` +
    `${field('traceState', ctx.traceState?.serialize())}${field('name', span.name)}"kind":${span.kind == null ? 0 : JSON.stringify(span.kind + 1)},` +
    `"startTimeUnixNano":${nanosText(span.startTime)},"endTimeUnixNano":${nanosText(span.endTime)},"attributes":${attributes(span.attributes)},` +
    `${field('droppedAttributesCount', span.droppedAttributesCount)}"events":[${events}],${field('droppedEventsCount', span.droppedEventsCount)}` +
    `"status":{${`${field('code', status.code)}${field('message', status.message)}`.slice(0, -1)}},"links":[${links}],${field('droppedLinksCount', span.droppedLinksCount)}"flags":${flags(ctx.traceFlags, parent?.isRemote)}}`
  );
}

/** The stock `createResource`, as JSON text. */
export function resourceJson(resource: Resource): string {
  const schemaUrl = resource.schemaUrl;
  return `{"attributes":${attributes(resource.attributes)},"droppedAttributesCount":0${schemaUrl ? `,"schemaUrl":${JSON.stringify(schemaUrl)}` : ''}}`;
}

/** The stock `createInstrumentationScope`, as JSON text. */
export function scopeJson(instrumentationScope: ReadableSpan['instrumentationScope']): string {
  // Attributes on a scope are newer than the API type; the stock serializer reads them when there.
  const scope = instrumentationScope as typeof instrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number };
  const attrs = scope.attributes && Object.keys(scope.attributes).length > 0 ? scope.attributes : undefined;
  const tail = attrs ? `"attributes":${attributes(attrs)},${field('droppedAttributesCount', scope.droppedAttributesCount ?? 0)}` : '';
  return `{${`${field('name', scope.name)}${field('version', scope.version)}${tail}`.slice(0, -1)}}`;
}

/** The stock grouping key of a scope within a resource. */
export function scopeKey(scope: ReadableSpan['instrumentationScope']): string {
  return `${scope.name}@${scope.version || ''}:${scope.schemaUrl || ''}`;
}
