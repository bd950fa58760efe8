/**
 * Ids Langfuse's OTLP endpoint would refuse. It answers 400 for the WHOLE request when any span's
 * trace id is not 16 bytes or its span id not 8 bytes (langfuse-v4.md), so one bad span would sink
 * every other span of the request. A span whose id is a string of another shape is given the
 * deterministic id of design.md section 3 instead (a dashed UUID loses its dashes, anything else is
 * hashed), and so is a parent id of another shape: a child still finds its repaired parent. A span
 * with no id at all is left for the mapping, which skips it with an issue.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { isOtelSpanId, isOtelTraceId, toOtelSpanId, toOtelTraceId } from '../ids.js';
import type { IssueSink } from '../result.js';

interface LooseSpan {
  spanContext?: unknown;
  parentSpanContext?: { spanId?: unknown } | undefined;
  parentSpanId?: unknown;
}

function contextOf(span: LooseSpan): Partial<SpanContext> | undefined {
  try {
    const ctx: unknown = typeof span.spanContext === 'function' ? (span.spanContext as () => unknown).call(span) : undefined;
    return typeof ctx === 'object' && ctx !== null ? (ctx as Partial<SpanContext>) : undefined;
  } catch {
    return undefined;
  }
}

/** A string id of the wrong shape (a non-empty string that is not a valid id). */
const needsRepair = (id: unknown, valid: (id: unknown) => boolean): boolean => typeof id === 'string' && id !== '' && !valid(id);

const shown = (id: string): string => JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);

/** The span with the given ids; every other field read from the original (undefined if one cannot be read). */
function withIds(span: ReadableSpan, context: SpanContext, parentSpanId: string | undefined): ReadableSpan | undefined {
  try {
    const parent = span.parentSpanContext;
    const copy: ReadableSpan = {
      name: span.name,
      kind: span.kind,
      spanContext: () => context,
      parentSpanContext: parentSpanId === undefined ? undefined : { ...parent, traceId: context.traceId, spanId: parentSpanId, traceFlags: parent?.traceFlags ?? context.traceFlags },
      startTime: span.startTime,
      endTime: span.endTime,
      status: span.status,
      attributes: span.attributes,
      links: span.links,
      events: span.events,
      duration: span.duration,
      ended: span.ended,
      resource: span.resource,
      instrumentationScope: span.instrumentationScope ?? (span as { instrumentationLibrary?: ReadableSpan['instrumentationScope'] }).instrumentationLibrary,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    };
    return copy;
  } catch {
    return undefined;
  }
}

/** `span` itself when its ids are fine or cannot be repaired, else a copy with repaired ids. */
function repairOne(span: ReadableSpan, sink: IssueSink): ReadableSpan {
  const loose = span as unknown as LooseSpan;
  const ctx = contextOf(loose);
  if (ctx === undefined) return span;
  const { traceId, spanId } = ctx;
  let parentRaw: unknown;
  try {
    parentRaw = loose.parentSpanContext?.spanId ?? loose.parentSpanId;
  } catch {
    return span;
  }
  const fixTrace = needsRepair(traceId, isOtelTraceId);
  const fixSpan = needsRepair(spanId, isOtelSpanId);
  const fixParent = needsRepair(parentRaw, isOtelSpanId);
  if (!fixTrace && !fixSpan && !fixParent) return span;
  // Without both ids as strings the span cannot be repaired: the mapping skips it with an issue.
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return span;
  return repaired(span, ctx, { traceId, spanId, parentRaw, fixTrace, fixSpan, fixParent }, sink);
}

interface Repair {
  traceId: string;
  spanId: string;
  parentRaw: unknown;
  fixTrace: boolean;
  fixSpan: boolean;
  fixParent: boolean;
}

/** The copy of `span` with the ids `r` says to repair repaired, each repair an issue (`span` itself when it cannot be copied). */
function repaired(span: ReadableSpan, ctx: Partial<SpanContext>, r: Repair, sink: IssueSink): ReadableSpan {
  const { traceId, spanId, parentRaw, fixTrace, fixSpan, fixParent } = r;
  const newTraceId = fixTrace ? toOtelTraceId(traceId) : traceId;
  const newSpanId = fixSpan ? toOtelSpanId(spanId) : spanId;
  const parentText = typeof parentRaw === 'string' && parentRaw !== '' ? parentRaw : undefined;
  const parentSpanId = fixParent && parentText !== undefined ? toOtelSpanId(parentText) : parentText;
  const context: SpanContext = { ...ctx, traceId: newTraceId, spanId: newSpanId, traceFlags: typeof ctx.traceFlags === 'number' ? ctx.traceFlags : 1 };
  const copy = withIds(span, context, parentSpanId);
  if (copy === undefined) return span;
  const issues = sink.forItem({ spanId: newSpanId.toLowerCase() });
  if (fixTrace) issues.add('INVALID_ID', `trace id ${shown(traceId)} is not 32 hex digits: sent as ${newTraceId}`, 'traceId');
  if (fixSpan) issues.add('INVALID_ID', `span id ${shown(spanId)} is not 16 hex digits: sent as ${newSpanId}`, 'spanId');
  if (parentText === undefined && parentRaw !== undefined && parentRaw !== null && parentRaw !== '') {
    issues.add('INVALID_ID', 'invalid parent span id dropped; span treated as a root', 'parentSpanId');
  }
  if (fixParent && parentText !== undefined) issues.add('INVALID_ID', `parent span id ${shown(parentText)} is not 16 hex digits: sent as ${parentSpanId}`, 'parentSpanId');
  return copy;
}

/**
 * The spans with every repairable id made valid (the same array when none needed it), each repair
 * an `INVALID_ID` issue naming the original id and the one sent.
 */
export function repairSpanIds(spans: readonly ReadableSpan[], sink: IssueSink): readonly ReadableSpan[] {
  let out: ReadableSpan[] | undefined;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as ReadableSpan;
    const fixed = repairOne(span, sink);
    if (fixed !== span) out ??= spans.slice(0, i);
    out?.push(fixed);
  }
  return out ?? spans;
}
