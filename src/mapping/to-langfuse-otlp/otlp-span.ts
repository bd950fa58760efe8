/**
 * The span an observation becomes on its way to Langfuse's OTLP endpoint: a `ReadableSpan` (so the
 * stock OTLP serializers and exporters take it) that carries no more than the serializer reads.
 */
import type { Attributes, HrTime, Link, SpanContext, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

const NONE: readonly never[] = Object.freeze([]);

/** `end - start`, never negative (the mapping has already clamped the end). */
function durationOf(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    nanos += 1_000_000_000;
    seconds -= 1;
  }
  return seconds < 0 ? [0, 0] : [seconds, nanos];
}

/** What {@link LangfuseOtlpSpan} is made of. */
export interface OtlpSpanFields {
  readonly context: SpanContext;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

/** A finished span with attributes only: no events, no links (their content is in the attributes). */
export class LangfuseOtlpSpan implements ReadableSpan {
  /**
   * Instances that live as long as the class, never read: as for AttributeBag's, so that a full GC
   * between two exports, with no span and no pool alive, does not collect their hidden classes and
   * throw away the optimised code of every function that embeds them (measured: a forced GC before
   * each 10,000 spans cost the OTLP output 20-30% more CPU without these).
   */
  static readonly hiddenClassKeepers: readonly object[] = [
    new LangfuseOtlpSpan({
      context: { traceId: '', spanId: '', traceFlags: 0 },
      parentSpanId: undefined,
      name: '',
      kind: 0,
      startTime: [0, 0],
      endTime: [0, 0],
      status: { code: 0 },
      attributes: {},
      resource: resourceFromAttributes({}),
      scope: { name: '' },
    }),
  ];

  readonly name: string;
  readonly kind: number;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[] = NONE as never[];
  readonly events: TimedEvent[] = NONE as never[];
  readonly duration: HrTime;
  readonly ended = true;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  /**
   * An upper bound of the bytes the span takes in an OTLP protobuf request (set by the mapping,
   * after any cut), so a request can be sized without another pass over the attributes.
   */
  bytesBound = Number.POSITIVE_INFINITY;
  private readonly _context: SpanContext;

  constructor(f: OtlpSpanFields) {
    this._context = f.context;
    this.name = f.name;
    this.kind = f.kind;
    this.parentSpanContext =
      f.parentSpanId === undefined ? undefined : { traceId: f.context.traceId, spanId: f.parentSpanId, traceFlags: f.context.traceFlags };
    this.startTime = f.startTime;
    this.endTime = f.endTime;
    this.duration = durationOf(f.startTime, f.endTime);
    this.status = f.status;
    this.attributes = f.attributes;
    this.resource = f.resource;
    this.instrumentationScope = f.scope;
  }

  spanContext(): SpanContext {
    return this._context;
  }
}

/**
 * One Resource and one scope object per distinct resource and scope of a call: the OTLP
 * serializers group spans by the identity of these objects, so spans of one SDK share one
 * `ResourceSpans` and one `ScopeSpans` in the request.
 */
export class OtlpSpanPool {
  /** See LangfuseOtlpSpan.hiddenClassKeepers. */
  static readonly hiddenClassKeepers: readonly object[] = [new OtlpSpanPool()];

  private readonly _resources = new Map<Readonly<Record<string, unknown>>, Resource>();
  private readonly _scopes = new Map<string, InstrumentationScope>();
  /** The last resource and scope asked for (the spans of a call mostly share them): found without a lookup. */
  private _lastAttributes: Readonly<Record<string, unknown>> | undefined;
  private _lastResource: Resource | undefined;
  private _lastScope: InstrumentationScope | undefined;

  /** The Resource of a mapped span's (cleaned) resource attributes, by the identity of that object. */
  resource(attributes: Readonly<Record<string, unknown>>): Resource {
    if (attributes === this._lastAttributes) return this._lastResource as Resource;
    let resource = this._resources.get(attributes);
    if (resource === undefined) this._resources.set(attributes, (resource = resourceFromAttributes(attributes as Attributes)));
    this._lastAttributes = attributes;
    this._lastResource = resource;
    return resource;
  }

  scope(scope: { readonly name: string; readonly version?: string; readonly schemaUrl?: string }): InstrumentationScope {
    const last = this._lastScope;
    if (last !== undefined && last.name === scope.name && last.version === scope.version && last.schemaUrl === scope.schemaUrl) return last;
    const key = `${scope.name}\u0000${scope.version ?? ''}\u0000${scope.schemaUrl ?? ''}`;
    let pooled = this._scopes.get(key);
    if (pooled === undefined) this._scopes.set(key, (pooled = { ...scope }));
    this._lastScope = pooled;
    return pooled;
  }
}
