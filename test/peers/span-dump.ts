import type { Attributes, HrTime, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * One finished span as JSON, the format of `../shared/fixtures/spans-*.json`: ReadableSpan fields
 * flattened, HrTime `[s, ns]` times, attributes as a plain object. `parentSpanId` is absent on roots;
 * `status.message` and `scope.version` are absent when unset.
 */
export interface SpanDump {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  traceFlags: number;
  parentSpanId?: string;
  startTime: HrTime;
  endTime: HrTime;
  attributes: Attributes;
  events: SpanDumpEvent[];
  links: SpanDumpLink[];
  status: SpanStatus;
  resource: Attributes;
  scope: { name: string; version?: string };
}

export interface SpanDumpEvent {
  name: string;
  time: HrTime;
  attributes: Attributes;
}

/** No fixture holds a link; this keeps the shape of the OTel API `Link`. */
export interface SpanDumpLink {
  context: { traceId: string; spanId: string; traceFlags: number };
  attributes: Attributes;
}

export function toSpanDump(span: ReadableSpan): SpanDump {
  const { traceId, spanId, traceFlags } = span.spanContext();
  const parentSpanId = span.parentSpanContext?.spanId;
  const { name: scopeName, version } = span.instrumentationScope;
  const { code, message } = span.status;
  return {
    name: span.name,
    kind: span.kind,
    traceId,
    spanId,
    traceFlags,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    startTime: span.startTime,
    endTime: span.endTime,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, time: e.time, attributes: e.attributes ?? {} })),
    links: span.links.map((l) => ({
      context: { traceId: l.context.traceId, spanId: l.context.spanId, traceFlags: l.context.traceFlags },
      attributes: l.attributes ?? {},
    })),
    status: message === undefined ? { code } : { code, message },
    resource: span.resource.attributes,
    scope: version === undefined ? { name: scopeName } : { name: scopeName, version },
  };
}
