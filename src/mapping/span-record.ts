/**
 * A span as the OTLP writers read it: every field the stock serializers read from a
 * `ReadableSpan`, as plain values, with the attributes as an {@link AttrList}. The reverse mapping
 * makes these (no attribute object, no closure per span), the OTLP/JSON and protobuf writers of
 * src/otlp/ write them, and {@link toReadableSpan} gives the `ReadableSpan` of the public API.
 * {@link spanRecordOf} reads any `ReadableSpan` into one, exactly as the stock serializers read it.
 */
import type { Attributes, HrTime, Link, SpanStatus, TraceState } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { AttrList } from './attr-list.js';
import { makeReadableSpan } from './readable-span.js';

export interface SpanRecord {
  readonly name: string;
  /** The API's kind (`SpanKind`), or undefined (written as 0, unspecified). */
  readonly kind: number | undefined;
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState: TraceState | undefined;
  /** The parent's span id; undefined or empty for a root. */
  readonly parentSpanId: string | undefined;
  readonly parentIsRemote: boolean | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  /** A list (the mapping's spans), or the object of a `ReadableSpan` read as it is. */
  readonly attributes: AttrList | Attributes;
  readonly droppedAttributesCount: number;
  readonly events: readonly TimedEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly Link[];
  readonly droppedLinksCount: number;
  readonly status: SpanStatus;
  readonly resource: Resource;
  readonly scope: ReadableSpan['instrumentationScope'];
}

/** What the reverse mapping knows of a span it makes (its flags are always SAMPLED, nothing dropped). */
export interface MappedSpanFields {
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState?: TraceState | undefined;
  readonly parentSpanId?: string | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly attributes: AttrList;
  readonly events: readonly TimedEvent[];
  readonly links: readonly Link[];
  readonly status: SpanStatus;
  readonly resource: Resource;
  readonly scope: { readonly name: string; readonly version?: string };
}

const SAMPLED = 1;

/** A record of a span the mapping makes; all records share one shape. */
export function mappedSpan(f: MappedSpanFields): SpanRecord {
  return {
    name: f.name,
    kind: f.kind,
    traceId: f.traceId,
    spanId: f.spanId,
    traceFlags: SAMPLED,
    traceState: f.traceState,
    parentSpanId: f.parentSpanId,
    parentIsRemote: undefined,
    startTime: f.startTime,
    endTime: f.endTime,
    attributes: f.attributes,
    droppedAttributesCount: 0,
    events: f.events,
    droppedEventsCount: 0,
    links: f.links,
    droppedLinksCount: 0,
    status: f.status,
    resource: f.resource,
    scope: f.scope,
  };
}

/**
 * The record a span of {@link toReadableSpan} was made from, and its attribute object once read,
 * for {@link spanRecordOf}. Not enumerable, so a copy made with `{ ...span, resource }` does not
 * carry it and is read as it is.
 */
const RECORD = Symbol('otel-langfuse-bridge.spanRecord');

interface MadeFrom {
  readonly record: SpanRecord;
  attributes: Attributes | undefined;
}

/**
 * The `ReadableSpan` of a record (its lists copied; its attributes made into an object when first
 * read: the OTLP writers read the record's list instead).
 */
export function toReadableSpan(r: SpanRecord): ReadableSpan {
  const list = r.attributes instanceof AttrList ? r.attributes : undefined;
  const made: MadeFrom = { record: r, attributes: undefined };
  const span = makeReadableSpan({
    name: r.name,
    kind: r.kind as number,
    traceId: r.traceId,
    spanId: r.spanId,
    parentSpanId: r.parentSpanId,
    traceFlags: r.traceFlags,
    traceState: r.traceState,
    startTime: r.startTime,
    endTime: r.endTime,
    attributes: list === undefined ? (r.attributes as Attributes) : () => (made.attributes = list.toObject()),
    events: r.events,
    links: r.links,
    status: r.status,
    resource: r.resource,
    scope: r.scope,
    droppedAttributesCount: r.droppedAttributesCount,
    droppedEventsCount: r.droppedEventsCount,
    droppedLinksCount: r.droppedLinksCount,
  });
  // The span keeps only the scope's name and version: a record whose scope has more is read from the span.
  const scope = r.scope as { attributes?: unknown; droppedAttributesCount?: number };
  if (list !== undefined && scope.attributes === undefined && !scope.droppedAttributesCount) Object.defineProperty(span, RECORD, { value: made });
  return span;
}

/** Any `ReadableSpan` as a record: what the stock serializers read of it, read the same way (its attribute object shared). */
export function spanRecordOf(s: ReadableSpan): SpanRecord {
  // The record, while its attributes were never read as an object (which its reader may have changed).
  const made = (s as { [RECORD]?: MadeFrom })[RECORD];
  if (made !== undefined && made.attributes === undefined) return made.record;
  const ctx = s.spanContext();
  const parent = s.parentSpanContext;
  return {
    name: s.name,
    kind: s.kind,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    traceFlags: ctx.traceFlags,
    traceState: ctx.traceState,
    parentSpanId: parent?.spanId,
    parentIsRemote: parent?.isRemote,
    startTime: s.startTime,
    endTime: s.endTime,
    attributes: s.attributes,
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events,
    droppedEventsCount: s.droppedEventsCount,
    links: s.links,
    droppedLinksCount: s.droppedLinksCount,
    status: s.status,
    resource: s.resource,
    scope: s.instrumentationScope,
  };
}
