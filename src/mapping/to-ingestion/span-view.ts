/**
 * A validated, normalised view of one `ReadableSpan`. All checks on the raw span happen here, so
 * the field mappers can trust ids and times. Works with sdk-trace-base 1.x and 2.x span shapes.
 */
import type { HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { apart } from '../apart.js';
import { AttributeBag, jsonEntries } from '../attribute-bag.js';
import { isOtelSpanId, isOtelTraceId } from '../ids.js';
import type { IssueSink } from '../result.js';
import { compareHrTime, hrTimeToIso, hrTimeToIsoInSecondOf, isValidHrTime } from '../time.js';

export interface SpanView {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly start: HrTime;
  /** `start` as ISO 8601; '' when read without ISO times ({@link SpanViewCache.isoTimes}). */
  readonly startIso: string;
  readonly end: HrTime;
  /** `end` as ISO 8601; '' when read without ISO times ({@link SpanViewCache.isoTimes}). */
  readonly endIso: string;
  /** True when the span had no usable end time (end was set to start). */
  readonly incomplete: boolean;
  readonly status: SpanStatus;
  readonly traceState: string | undefined;
  /** W3C trace flags (8 bits); 1 (sampled) when the span states none. */
  readonly traceFlags: number;
  readonly attrs: AttributeBag;
  readonly events: readonly TimedEvent[];
  readonly links: readonly Link[];
  readonly resource: Readonly<Record<string, unknown>>;
  readonly scope: { readonly name: string; readonly version?: string; readonly schemaUrl?: string };
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  /** Where issues about this span go: stamped with its span id. */
  readonly issues: IssueSink;
}

/** A span as read here: any field may be missing or of another type. */
export interface LooseSpan {
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

/** The span's status: code UNSET unless OK or ERROR, a message only when non-empty. */
export function readStatus(span: LooseSpan): SpanStatus {
  const raw = plainRecord(span.status);
  const code = raw.code === 1 || raw.code === 2 ? raw.code : 0;
  const message = typeof raw.message === 'string' && raw.message !== '' ? raw.message : undefined;
  return message === undefined ? { code } : { code, message };
}

/** The span kind, INTERNAL (0) unless one of the five. */
export function readKind(span: LooseSpan): number {
  return Number.isInteger(span.kind) && (span.kind as number) >= 0 && (span.kind as number) <= 4 ? (span.kind as number) : 0;
}

/** W3C trace flags, 1 (sampled) unless the context states a byte. */
export function readTraceFlags(ctx: SpanContextLike): number {
  return typeof ctx.traceFlags === 'number' && ctx.traceFlags >= 0 && ctx.traceFlags <= 255 ? ctx.traceFlags | 0 : 1;
}

/** `[0, 0]` is the SDK's "not set" (an unended span's end time); it is never a real time. */
export function isSetHrTime(t: unknown): t is HrTime {
  return isValidHrTime(t) && !(t[0] === 0 && t[1] === 0);
}

export type SpanContextLike = { traceId?: unknown; spanId?: unknown; traceFlags?: unknown; traceState?: { serialize?: () => string } };

export function readContext(span: LooseSpan): SpanContextLike {
  try {
    if (typeof span.spanContext === 'function') return (span.spanContext as () => SpanContextLike).call(span) ?? {};
  } catch {
    // A span whose context cannot be read has no ids: it is skipped with INVALID_ID.
  }
  return {};
}

/** The span id as the span states it (any case, maybe invalid), or undefined; never throws. */
export function rawSpanId(raw: ReadableSpan): string | undefined {
  try {
    const id = readContext(raw as unknown as LooseSpan).spanId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** What a span without events or links has (most spans): one shared, frozen empty list. */
export const NONE: readonly never[] = Object.freeze([]);

/** Span events as objects with a string name and JSON-safe attributes; anything else dropped. */
export function readEvents(raw: unknown, issues: IssueSink): readonly TimedEvent[] {
  if (!Array.isArray(raw) || raw.length === 0) return NONE;
  const out: TimedEvent[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (!(i in raw)) continue;
    const e: unknown = raw[i];
    if (typeof e !== 'object' || e === null) {
      issues.add('INVALID_VALUE', 'span event is not an object; dropped', `events[${i}]`);
      continue;
    }
    const { name, time, attributes, droppedAttributesCount } = e as Record<string, unknown>;
    if (typeof name !== 'string') issues.add('INVALID_VALUE', 'span event name is not a string', `events[${i}].name`);
    const event: TimedEvent = { name: typeof name === 'string' ? name : '', time: time as HrTime };
    const attrs = apart(jsonEntries, attributes, issues, `events[${i}].attributes.`);
    if (attrs.length > 0) event.attributes = Object.fromEntries(attrs) as TimedEvent['attributes'];
    if (count(droppedAttributesCount) > 0) event.droppedAttributesCount = count(droppedAttributesCount);
    out.push(event);
  }
  return out;
}

/** Span links with string ids (when given) and JSON-safe attributes; anything else dropped. */
function readLinks(raw: unknown, issues: IssueSink): readonly Link[] {
  if (!Array.isArray(raw) || raw.length === 0) return NONE;
  const out: Link[] = [];
  raw.forEach((l: unknown, i) => {
    if (typeof l !== 'object' || l === null) {
      issues.add('INVALID_VALUE', 'span link is not an object; dropped', `links[${i}]`);
      return;
    }
    const { context, attributes } = l as { context?: { traceId?: unknown; spanId?: unknown }; attributes?: unknown };
    const traceId = typeof context?.traceId === 'string' ? context.traceId : undefined;
    const spanId = typeof context?.spanId === 'string' ? context.spanId : undefined;
    const link = { context: { traceId, spanId } } as unknown as Link;
    const attrs = jsonEntries(attributes, issues, `links[${i}].attributes.`);
    if (attrs.length > 0) link.attributes = Object.fromEntries(attrs) as Link['attributes'];
    out.push(link);
  });
  return out;
}

/**
 * What the spans of one call share, read once per call: spans of one SDK share one Resource object,
 * whose `attributes` getter builds a fresh object on every read (cleaned once, by its identity),
 * and the spans of a call mostly start within a few seconds (the ISO text of the last second seen
 * is reused for the next time in it).
 */
export class SpanViewCache {
  /** See LangfuseOtlpSpan.hiddenClassKeepers: a full GC must not collect this class's hidden class. */
  static readonly hiddenClassKeeper = new SpanViewCache();

  readonly resources = new Map<unknown, Readonly<Record<string, unknown>>>();
  /**
   * Whether views get `startIso` and `endIso`: the ingestion output writes them, the OTLP output
   * (direct/spans.ts) writes the times as they are and leaves them out, with about 3 µs a span.
   */
  readonly isoTimes: boolean;
  /** The second of `iso`, -1 before the first time. */
  private _second = -1;
  private _iso = '';
  /**
   * The last valid trace id read as the span states it, and in lower case: the spans of a call
   * come trace by trace, so most spans' trace id is checked and lowered once per trace.
   */
  private _traceIdRaw: string | undefined = undefined;
  private _traceId = '';

  constructor(isoTimes = true) {
    this.isoTimes = isoTimes;
  }

  /** The trace id in lower case when `raw` is a valid OTel trace id, else undefined. */
  traceId(raw: unknown): string | undefined {
    // Only valid ids are kept: the same text is valid again.
    if (typeof raw === 'string' && raw === this._traceIdRaw) return this._traceId;
    if (!isOtelTraceId(raw)) return undefined;
    this._traceIdRaw = raw;
    this._traceId = raw.toLowerCase();
    return this._traceId;
  }

  /** `hrTimeToIso(t)` of a valid time. */
  iso(t: HrTime): string {
    if (t[0] === this._second) return hrTimeToIsoInSecondOf(this._iso, t[1]);
    this._iso = hrTimeToIso(t) as string;
    this._second = t[0];
    return this._iso;
  }
}

export function readResource(span: LooseSpan, issues: IssueSink, cache: SpanViewCache): Readonly<Record<string, unknown>> {
  const resource = span.resource;
  const cached = cache.resources.get(resource);
  if (cached !== undefined) return cached;
  const cleaned = Object.fromEntries(jsonEntries(resource?.attributes, issues, 'resource.'));
  cache.resources.set(resource, cleaned);
  return cleaned;
}

/** Name, and version and schema URL when given (non-empty strings). */
export function readScope(span: LooseSpan): SpanView['scope'] {
  const raw = span.instrumentationScope ?? span.instrumentationLibrary ?? {};
  const scope: { name: string; version?: string; schemaUrl?: string } = {
    name: typeof raw.name === 'string' ? raw.name : '',
  };
  if (typeof raw.version === 'string' && raw.version !== '') scope.version = raw.version;
  if (typeof raw.schemaUrl === 'string' && raw.schemaUrl !== '') scope.schemaUrl = raw.schemaUrl;
  return scope;
}

/**
 * Returns undefined (with an issue) when the span cannot be mapped at all: no valid trace or span
 * id, or neither a valid start nor a valid end time.
 */
export function toSpanView(raw: ReadableSpan, sink: IssueSink, maxAttributeBytes: number, cache: SpanViewCache = new SpanViewCache()): SpanView | undefined {
  const span = raw as unknown as LooseSpan;
  const ctx = readContext(span);
  const spanIdRaw = ctx.spanId;
  const traceId = cache.traceId(ctx.traceId);
  if (traceId === undefined || !isOtelSpanId(spanIdRaw)) {
    sink
      .forItem(typeof spanIdRaw === 'string' ? { spanId: spanIdRaw } : {})
      .add('INVALID_ID', 'span skipped: trace id or span id missing or invalid');
    return undefined;
  }
  const spanId = spanIdRaw.toLowerCase();
  // Stamped with the id the observation gets, so issues and events can be matched.
  const issues = sink.forItem({ spanId });

  const parentRaw = span.parentSpanContext?.spanId ?? span.parentSpanId;
  let parentSpanId: string | undefined;
  if (parentRaw !== undefined && parentRaw !== null && parentRaw !== '') {
    if (isOtelSpanId(parentRaw)) parentSpanId = parentRaw.toLowerCase();
    else issues.add('INVALID_ID', 'invalid parent span id dropped; span treated as a root', 'parentSpanId');
  }

  const startOk = isSetHrTime(span.startTime);
  const endOk = isSetHrTime(span.endTime);
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
  const startIso = cache.isoTimes ? cache.iso(start) : '';

  const scope = readScope(span);
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
    kind: readKind(span),
    start,
    startIso,
    end,
    endIso: !cache.isoTimes ? '' : end[0] === start[0] ? hrTimeToIsoInSecondOf(startIso, end[1]) : cache.iso(end),
    incomplete,
    status: readStatus(span),
    traceState,
    traceFlags: readTraceFlags(ctx),
    attrs: new AttributeBag(span.attributes, issues, maxAttributeBytes),
    // Most spans have neither: the readings are apart (see apart.ts), not inlined here.
    events: Array.isArray(span.events) && span.events.length > 0 ? apart(readEvents, span.events, issues) : NONE,
    links: Array.isArray(span.links) && span.links.length > 0 ? apart(readLinks, span.links, issues) : NONE,
    resource: readResource(span, issues, cache),
    scope,
    // Mostly 0: no call then (count(0) is 0).
    droppedAttributesCount: span.droppedAttributesCount === 0 ? 0 : count(span.droppedAttributesCount),
    droppedEventsCount: span.droppedEventsCount === 0 ? 0 : count(span.droppedEventsCount),
    droppedLinksCount: span.droppedLinksCount === 0 ? 0 : count(span.droppedLinksCount),
    issues,
  };
}
