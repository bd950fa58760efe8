/**
 * Builds OTel SDK `ReadableSpan` objects (the shape of sdk-trace-base 2.x and sdk-trace 3.x) from
 * plain fields, for every path that makes spans out of data: span dumps, OTLP files, ingestion
 * events. Only `@opentelemetry/api` at run time (trace state, resources), so the spans fit either
 * SDK line.
 */
import type { Attributes, HrTime, Link, SpanContext, SpanStatus, TraceState } from '@opentelemetry/api';
import { createTraceState, TraceFlags } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

export interface SpanFields {
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string | undefined;
  readonly traceFlags?: number;
  /** W3C trace state: its text (parsed here), or the parsed form. */
  readonly traceState?: string | TraceState | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  /** The attributes, or what makes them on first read (a span that is only encoded never needs them). */
  readonly attributes: Attributes | (() => Attributes);
  readonly events?: readonly TimedEvent[];
  readonly links?: readonly Link[];
  readonly status: SpanStatus;
  readonly resource: Resource;
  readonly scope: { readonly name: string; readonly version?: string | undefined };
  readonly droppedAttributesCount?: number;
  readonly droppedEventsCount?: number;
  readonly droppedLinksCount?: number;
}

/**
 * The span's instrumentation scope: its name and version. A scope that is nothing more is kept as
 * it is, so the spans of one scope share it and the OTLP serializers (which group spans by scope
 * object) write them in one group.
 */
function scopeOf(scope: SpanFields['scope']): ReadableSpan['instrumentationScope'] {
  let plain = scope.version !== undefined || !('version' in scope);
  for (const key in scope) if (key !== 'name' && key !== 'version') plain = false;
  if (plain) return scope as ReadableSpan['instrumentationScope'];
  return scope.version === undefined ? { name: scope.name } : { name: scope.name, version: scope.version };
}

/** `end - start`, never negative; integer arithmetic on seconds and nanoseconds (no BigInt per span). */
function durationOf(start: HrTime, end: HrTime): HrTime {
  if (!Number.isSafeInteger(start[0]) || !Number.isSafeInteger(start[1]) || !Number.isSafeInteger(end[0]) || !Number.isSafeInteger(end[1])) {
    const nanos = (BigInt(end[0]) - BigInt(start[0])) * 1_000_000_000n + BigInt(end[1] - start[1]);
    const safe = nanos < 0n ? 0n : nanos;
    return [Number(safe / 1_000_000_000n), Number(safe % 1_000_000_000n)];
  }
  const diff = end[1] - start[1];
  const carry = Math.floor(diff / 1_000_000_000);
  const seconds = end[0] - start[0] + carry;
  return seconds < 0 ? [0, 0] : [seconds, diff - carry * 1_000_000_000];
}

export function makeReadableSpan(f: SpanFields): ReadableSpan {
  const traceFlags = f.traceFlags ?? TraceFlags.SAMPLED;
  const context: SpanContext = { traceId: f.traceId, spanId: f.spanId, traceFlags };
  if (typeof f.traceState === 'object') context.traceState = f.traceState;
  else if (f.traceState !== undefined && f.traceState !== '') context.traceState = createTraceState(f.traceState);
  const make = typeof f.attributes === 'function' ? f.attributes : undefined;
  let attributes = typeof f.attributes === 'function' ? undefined : f.attributes;
  return {
    name: f.name,
    kind: f.kind,
    spanContext: () => context,
    parentSpanContext:
      f.parentSpanId === undefined ? undefined : { traceId: f.traceId, spanId: f.parentSpanId, traceFlags },
    startTime: f.startTime,
    endTime: f.endTime,
    duration: durationOf(f.startTime, f.endTime),
    ended: true,
    status: f.status,
    get attributes(): Attributes {
      return (attributes ??= (make as () => Attributes)());
    },
    links: [...(f.links ?? [])],
    events: [...(f.events ?? [])],
    resource: f.resource,
    instrumentationScope: scopeOf(f.scope),
    droppedAttributesCount: f.droppedAttributesCount ?? 0,
    droppedEventsCount: f.droppedEventsCount ?? 0,
    droppedLinksCount: f.droppedLinksCount ?? 0,
  };
}

/**
 * A `Resource` with these attributes, all known now (what `resourceFromAttributes` of
 * `@opentelemetry/resources` makes). `merge` gives `other`'s attributes precedence, and keeps a
 * schema URL only when the two do not disagree, as the SDK's does.
 */
export function fixedResource(attributes: Attributes, schemaUrl?: string): Resource {
  const resource: Resource = {
    attributes,
    asyncAttributesPending: false,
    waitForAsyncAttributes: () => Promise.resolve(),
    getRawAttributes: () => Object.entries(attributes),
    merge: (other) =>
      other === null ? resource : fixedResource({ ...attributes, ...other.attributes }, mergeSchemaUrl(schemaUrl, other.schemaUrl)),
    ...(schemaUrl === undefined ? {} : { schemaUrl }),
  };
  return resource;
}

function mergeSchemaUrl(mine: string | undefined, theirs: string | undefined): string | undefined {
  if (mine === undefined || mine === '') return theirs === '' ? undefined : theirs;
  if (theirs === undefined || theirs === '' || theirs === mine) return mine;
  return undefined;
}

/** One Resource per distinct attribute set, as an SDK has one Resource for all its spans. */
export class ResourcePool {
  /** See LangfuseOtlpSpan.hiddenClassKeepers: a full GC must not collect this class's hidden class. */
  static readonly hiddenClassKeeper = new ResourcePool();

  private readonly _byKey = new Map<string, Resource>();
  /**
   * The attribute object asked for last and its resource: most spans of a call ask with the same
   * object (the context's), which is then not written out again. Attribute objects given to the
   * pool are never changed afterwards (the mapping makes them, or reads them from its input).
   */
  private _lastAttributes: Attributes | undefined;
  private _last: Resource | undefined;

  get(attributes: Attributes): Resource {
    if (attributes === this._lastAttributes && this._last !== undefined) return this._last;
    const key = JSON.stringify(attributes);
    let resource = this._byKey.get(key);
    if (resource === undefined) this._byKey.set(key, (resource = fixedResource(attributes)));
    this._lastAttributes = attributes;
    this._last = resource;
    return resource;
  }
}
