/**
 * A validated, normalised view of one `ReadableSpan`. All checks on the raw span happen here, so
 * the field mappers can trust ids and times. Works with sdk-trace-base 1.x and 2.x span shapes.
 */
import type { HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { AttributeBag } from '../attribute-bag.js';
import { isOtelSpanId, isOtelTraceId } from '../ids.js';
import type { IssueSink } from '../result.js';
import { compareHrTime, hrTimeToIso, isValidHrTime } from '../time.js';

export interface SpanView {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly start: HrTime;
  readonly startIso: string;
  readonly end: HrTime;
  readonly endIso: string;
  /** True when the span had no usable end time (end was set to start). */
  readonly incomplete: boolean;
  readonly status: SpanStatus;
  readonly traceState: string | undefined;
  readonly attrs: AttributeBag;
  readonly events: readonly TimedEvent[];
  readonly links: readonly Link[];
  readonly resource: Readonly<Record<string, unknown>>;
  readonly scope: { readonly name: string; readonly version?: string; readonly schemaUrl?: string };
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

interface LooseSpan {
  name?: unknown;
  kind?: unknown;
  spanContext?: unknown;
  parentSpanContext?: { spanId?: unknown };
  parentSpanId?: unknown;
  startTime?: unknown;
  endTime?: unknown;
  ended?: unknown;
  status?: unknown;
  attributes?: unknown;
  events?: unknown;
  links?: unknown;
  resource?: { attributes?: unknown };
  instrumentationScope?: { name?: unknown; version?: unknown; schemaUrl?: unknown };
  instrumentationLibrary?: { name?: unknown; version?: unknown; schemaUrl?: unknown };
  droppedAttributesCount?: unknown;
  droppedEventsCount?: unknown;
  droppedLinksCount?: unknown;
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0;
}

function plainRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * Returns undefined (with an issue) when the span cannot be mapped at all: no valid trace or span
 * id, or neither a valid start nor a valid end time.
 */
export function toSpanView(
  raw: ReadableSpan,
  sink: IssueSink,
  maxAttributeBytes: number,
): SpanView | undefined {
  const span = raw as unknown as LooseSpan;
  let ctx: { traceId?: unknown; spanId?: unknown; traceState?: { serialize?: () => string } } = {};
  try {
    if (typeof span.spanContext === 'function') ctx = (span.spanContext as () => typeof ctx).call(span) ?? {};
  } catch {
    ctx = {};
  }
  const spanIdRaw = ctx.spanId;
  const issues = sink.forItem(typeof spanIdRaw === 'string' ? { spanId: spanIdRaw } : {});
  if (!isOtelTraceId(ctx.traceId) || !isOtelSpanId(spanIdRaw)) {
    issues.add('INVALID_ID', 'span skipped: trace id or span id missing or invalid');
    return undefined;
  }
  const traceId = ctx.traceId.toLowerCase();
  const spanId = spanIdRaw.toLowerCase();

  const parentRaw = span.parentSpanContext?.spanId ?? span.parentSpanId;
  let parentSpanId: string | undefined;
  if (parentRaw !== undefined && parentRaw !== null && parentRaw !== '') {
    if (isOtelSpanId(parentRaw)) parentSpanId = parentRaw.toLowerCase();
    else issues.add('INVALID_ID', 'invalid parent span id dropped; span treated as a root', 'parentSpanId');
  }

  const startOk = isValidHrTime(span.startTime);
  const endOk = isValidHrTime(span.endTime) && !(span.endTime[0] === 0 && span.endTime[1] === 0);
  if (!startOk && !endOk) {
    issues.add('INVALID_TIME', 'span skipped: neither start nor end time is valid', 'startTime');
    return undefined;
  }
  let start = (startOk ? span.startTime : span.endTime) as HrTime;
  let end = (endOk ? span.endTime : start) as HrTime;
  if (!startOk) issues.add('INVALID_TIME', 'start time invalid; end time used', 'startTime');
  let incomplete = false;
  if (!endOk || span.ended === false) {
    issues.add('MISSING_END_TIME', 'span has no end time; end set to start', 'endTime');
    end = start;
    incomplete = true;
  } else if (compareHrTime(end, start) < 0) {
    issues.add('INVALID_TIME', 'end time before start time; end set to start', 'endTime');
    end = start;
  }
  start = [start[0], start[1]];

  const statusRaw = plainRecord(span.status);
  const code = statusRaw.code === 1 || statusRaw.code === 2 ? statusRaw.code : 0;
  const message = typeof statusRaw.message === 'string' && statusRaw.message !== '' ? statusRaw.message : undefined;
  const scopeRaw = span.instrumentationScope ?? span.instrumentationLibrary ?? {};
  let traceState: string | undefined;
  try {
    const s = ctx.traceState?.serialize?.();
    traceState = typeof s === 'string' && s !== '' ? s : undefined;
  } catch {
    traceState = undefined;
  }

  return {
    traceId,
    spanId,
    parentSpanId,
    name: typeof span.name === 'string' ? span.name : '',
    kind: typeof span.kind === 'number' && span.kind >= 0 && span.kind <= 4 ? span.kind : 0,
    start,
    startIso: hrTimeToIso(start) as string,
    end,
    endIso: hrTimeToIso(end) as string,
    incomplete,
    status: message === undefined ? { code } : { code, message },
    traceState,
    attrs: new AttributeBag(span.attributes, issues, maxAttributeBytes),
    events: Array.isArray(span.events) ? (span.events as TimedEvent[]) : [],
    links: Array.isArray(span.links) ? (span.links as Link[]) : [],
    resource: plainRecord(span.resource?.attributes),
    scope: {
      name: typeof scopeRaw.name === 'string' ? scopeRaw.name : '',
      ...(typeof scopeRaw.version === 'string' && scopeRaw.version !== '' ? { version: scopeRaw.version } : {}),
      ...(typeof scopeRaw.schemaUrl === 'string' && scopeRaw.schemaUrl !== ''
        ? { schemaUrl: scopeRaw.schemaUrl }
        : {}),
    },
    droppedAttributesCount: count(span.droppedAttributesCount),
    droppedEventsCount: count(span.droppedEventsCount),
    droppedLinksCount: count(span.droppedLinksCount),
  };
}
