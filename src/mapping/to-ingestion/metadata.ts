/**
 * Observation metadata: explicit metadata from every dialect, the attributes no mapper took, the
 * resource and scope (the layout of Langfuse's own OTLP mapping), and reserved `bridge.*` keys for
 * the OTel facts Langfuse has no field for, so the reverse mapping can restore them.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import { apart } from '../apart.js';
import { isPlainObject } from '../json.js';
import { AI, LF, META, OI } from '../keys.js';
import type { IssueSink } from '../result.js';
import type { ObservationType } from '../schema.js';
import { hrTimeToIso, hrTimeToNanosText, isValidHrTime } from '../time.js';
import { decodeJsonMetadata } from '../values.js';
import type { SpanView } from './span-view.js';

/** AI SDK telemetry metadata keys that are trace fields or prompt links, not metadata. */
const AI_RESERVED = new Set(['userId', 'sessionId', 'tags', 'langfusePrompt']);
/** Keys holding a whole metadata object, in the order they are merged. */
const WHOLE_KEYS = [OI.metadata, LF.legacyMetadata, LF.metadata];
/** Prefixes of one metadata key each, in the order they are merged. */
const KEY_PREFIXES = [LF.legacyMetadataPrefix, LF.metadataPrefix];

/** Explicit metadata: Langfuse's keys, the AI SDK's telemetry metadata, OpenInference `metadata`. */
export function takeExplicitMetadata(view: SpanView, issues: IssueSink): Record<string, unknown> {
  const { attrs } = view;
  const out: Record<string, unknown> = {};
  // Only where the record's shape has one of the whole-object keys (few records do).
  const wholes = attrs.present(WHOLE_KEYS).length === 0 ? 0 : WHOLE_KEYS.length;
  for (let i = 0; i < wholes; i++) {
    const key = WHOLE_KEYS[i] as string;
    if (!attrs.has(key)) continue;
    const whole = decodeJsonMetadata(attrs.take(key), issues, key);
    if (isPlainObject(whole)) Object.assign(out, whole);
    else out.metadata = whole;
  }
  for (let p = 0; p < KEY_PREFIXES.length; p++) {
    const prefix = KEY_PREFIXES[p] as string;
    const entries = attrs.takePrefix(prefix);
    for (let i = 0; i < entries.length; i++) {
      const k = (entries[i] as [string, unknown])[0];
      out[k] = decodeJsonMetadata((entries[i] as [string, unknown])[1], issues, prefix + k);
    }
  }
  const fromAiSdk = attrs.withPrefix(AI.metadataPrefix);
  for (let i = 0; i < fromAiSdk.length; i++) {
    const k = (fromAiSdk[i] as [string, unknown])[0];
    if (AI_RESERVED.has(k)) continue;
    out[k] = (fromAiSdk[i] as [string, unknown])[1];
    attrs.delete(AI.metadataPrefix + k);
  }
  return out;
}

const KIND_NAMES = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
const STATUS_NAMES = ['UNSET', 'OK', 'ERROR'] as const;

/** The span kind the reverse mapping derives from the observation type (design.md 6.4). */
function derivedKind(type: ObservationType): SpanKind {
  return type === 'GENERATION' || type === 'EMBEDDING' ? SpanKind.CLIENT : SpanKind.INTERNAL;
}

function eventRecord(e: TimedEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { name: typeof e.name === 'string' ? e.name : '' };
  if (isValidHrTime(e.time)) out.time = apart(hrTimeToIso, e.time);
  if (e.attributes && Object.keys(e.attributes).length > 0) out.attributes = { ...e.attributes };
  if (e.droppedAttributesCount) out.droppedAttributesCount = e.droppedAttributesCount;
  return out;
}

export interface OtelFacts {
  type: ObservationType;
  /** The level the observation ends up with (ERROR is written back as status ERROR). */
  level: string | undefined;
  /** The status message the observation ends up with. */
  statusMessage: string | undefined;
  /** The observation name, when it differs from the span name. */
  name: string;
  consumedEvents: ReadonlySet<number>;
  /**
   * Whether the exact times and the incomplete marker are written; false for spans of our own
   * reverse mapping, whose times are the observation's own.
   */
  withTimes: boolean;
}

/**
 * Reserved `bridge.*` keys, written into `out` (no object of their own to copy over): only facts
 * the reverse mapping could not derive by itself.
 */
/** What writeOtelFacts reads of a span. */
export type OtelFactsView = Pick<SpanView, 'kind' | 'name' | 'status' | 'start' | 'end' | 'incomplete' | 'traceState' | 'links' | 'events' | 'droppedAttributesCount'>;

export function writeOtelFacts(view: OtelFactsView, facts: OtelFacts, out: Record<string, unknown>): void {
  if (view.kind !== derivedKind(facts.type)) out[META.spanKind] = KIND_NAMES[view.kind];
  if (facts.name !== view.name) out[META.spanName] = view.name;
  const derivedStatus = facts.level === 'ERROR' ? SpanStatusCode.ERROR : SpanStatusCode.UNSET;
  if (view.status.code !== derivedStatus) out[META.statusCode] = STATUS_NAMES[view.status.code];
  if (view.status.message !== undefined && view.status.message !== facts.statusMessage) {
    out[META.statusMessage] = view.status.message;
  }
  if (facts.withTimes) {
    if (view.start[1] % 1_000_000 !== 0) out[META.startTimeUnixNano] = apart(hrTimeToNanosText, view.start);
    if (view.end[1] % 1_000_000 !== 0) out[META.endTimeUnixNano] = apart(hrTimeToNanosText, view.end);
    if (view.incomplete) out[META.incomplete] = true;
  }
  if (view.traceState !== undefined) out[META.traceState] = view.traceState;
  // Ids only when given: an undefined value is not JSON and fails the event's metadata schema.
  if (view.links.length > 0) {
    out[META.links] = view.links.map((l) => ({
      ...(l.context?.traceId === undefined ? {} : { traceId: l.context.traceId }),
      ...(l.context?.spanId === undefined ? {} : { spanId: l.context.spanId }),
      ...(l.attributes && Object.keys(l.attributes).length > 0 ? { attributes: { ...l.attributes } } : {}),
    }));
  }
  if (view.events.length > 0) {
    const events: Array<Record<string, unknown>> = [];
    for (let i = 0; i < view.events.length; i++) if (!facts.consumedEvents.has(i)) events.push(eventRecord(view.events[i] as TimedEvent));
    if (events.length > 0) out[META.events] = events;
  }
  if (view.droppedAttributesCount > 0) out[META.droppedAttributes] = view.droppedAttributesCount;
}
