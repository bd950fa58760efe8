/**
 * Spans made by our own reverse mapping (ingestion -> OTel) carry markers that let this forward
 * mapping give back exactly the Langfuse entities they came from (design.md 7): the original ids,
 * the synthetic trace root, the GenAI twin keys derived from `langfuse.*` keys, and scores as
 * `langfuse.score` span events.
 */
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import { isValidHrTime, hrTimeToIso } from '../time.js';
import { BRIDGE_SCOPE_NAME, LF, SCORE } from '../keys.js';
import type { IssueSink } from '../result.js';
import { decodeJsonMetadata, toText } from '../values.js';
import type { SpanView } from './span-view.js';

/** The first segment of every key of Langfuse's own, our markers included. */
const LANGFUSE_PREFIX = 'langfuse.';

export interface BridgeMarkers {
  /** The span was made by our reverse mapping (its scope is ours). */
  readonly fromBridge: boolean;
  readonly langfuseId?: string;
  readonly langfuseTraceId?: string;
  readonly parentId?: string;
  /** The span stands for a trace, not an observation. */
  readonly syntheticRoot: boolean;
  /** The span carries trace fields that arrived after the trace's root was sent: its own trace-create. */
  readonly traceUpdate: boolean;
  readonly traceTimestamp?: string;
  /** The observation had no end time. */
  readonly incomplete: boolean;
}

function takeText(view: SpanView, key: string): string | undefined {
  const v = toText(view.attrs.peek(key));
  if (v !== undefined) view.attrs.delete(key);
  return v;
}

/** Markers of a span with no `langfuse.*` key, by whether its scope is ours (most spans: no object of their own). */
const NO_MARKERS: BridgeMarkers = Object.freeze({ fromBridge: false, syntheticRoot: false, traceUpdate: false, incomplete: false });
const BRIDGE_SCOPE_ONLY: BridgeMarkers = Object.freeze({ fromBridge: true, syntheticRoot: false, traceUpdate: false, incomplete: false });

export function takeBridgeMarkers(view: SpanView): BridgeMarkers {
  const { attrs } = view;
  // Every marker key starts with `langfuse.`: a span without one has none.
  if (!attrs.hasPrefix(LANGFUSE_PREFIX)) return view.scope.name === BRIDGE_SCOPE_NAME ? BRIDGE_SCOPE_ONLY : NO_MARKERS;
  return readMarkers(view);
}

function readMarkers(view: SpanView): BridgeMarkers {
  const { attrs } = view;
  const twins = attrs.peek(LF.bridgeGenaiTwins);
  if (Array.isArray(twins)) {
    for (let i = 0; i < twins.length; i++) if (typeof twins[i] === 'string') attrs.delete(twins[i] as string);
    attrs.delete(LF.bridgeGenaiTwins);
  }
  const syntheticRoot = attrs.has(LF.bridgeSyntheticRoot);
  attrs.delete(LF.bridgeSyntheticRoot);
  const traceUpdate = attrs.peek(LF.bridgeTraceUpdate) === true;
  if (traceUpdate) attrs.delete(LF.bridgeTraceUpdate);
  const incomplete = attrs.peek(LF.bridgeIncomplete) === true;
  if (incomplete) attrs.delete(LF.bridgeIncomplete);
  const markers: {
    fromBridge: boolean;
    syntheticRoot: boolean;
    traceUpdate: boolean;
    incomplete: boolean;
    langfuseId?: string;
    langfuseTraceId?: string;
    parentId?: string;
    traceTimestamp?: string;
  } = { fromBridge: view.scope.name === BRIDGE_SCOPE_NAME, syntheticRoot, traceUpdate, incomplete };
  const langfuseId = takeText(view, LF.observationId);
  const langfuseTraceId = takeText(view, LF.traceId);
  const parentId = takeText(view, LF.bridgeParentId);
  const traceTimestamp = takeText(view, LF.bridgeTraceTimestamp);
  if (langfuseId !== undefined) markers.langfuseId = langfuseId;
  if (langfuseTraceId !== undefined) markers.langfuseTraceId = langfuseTraceId;
  if (parentId !== undefined) markers.parentId = parentId;
  if (traceTimestamp !== undefined) markers.traceTimestamp = traceTimestamp;
  return markers;
}

/** A score-create body and its envelope timestamp, from one `langfuse.score` span event. */
export interface ScoreRecord {
  readonly body: Record<string, unknown>;
  readonly timestamp: string;
}

const NO_SCORES: readonly ScoreRecord[] = Object.freeze([]);

/** The `langfuse.score` events of a span, turned back into score-create bodies (and marked consumed). */
export function takeScores(events: readonly TimedEvent[], consumed: Set<number>, issues: IssueSink): readonly ScoreRecord[] {
  // Most spans have no events: no list of their own to keep until the batch is emitted.
  if (events.length === 0) return NO_SCORES;
  let out: ScoreRecord[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as TimedEvent;
    if (e.name !== SCORE.event || !isValidHrTime(e.time)) continue;
    const a = e.attributes ?? {};
    const body: Record<string, unknown> = {};
    for (let f = 0; f < SCORE.fields.length; f++) {
      const field = SCORE.fields[f] as (typeof SCORE.fields)[number];
      const v = toText(a[field[1]]);
      if (v !== undefined) body[field[0]] = v;
    }
    const value = a[SCORE.value];
    if (typeof value === 'number' || typeof value === 'string') body.value = value;
    if (a[SCORE.metadata] !== undefined) body.metadata = decodeJsonMetadata(a[SCORE.metadata], issues, `events[${i}].${SCORE.metadata}`);
    if (typeof body.id !== 'string' || typeof body.name !== 'string') continue;
    consumed.add(i);
    (out ??= []).push({ body, timestamp: hrTimeToIso(e.time) as string });
  }
  return out ?? NO_SCORES;
}
