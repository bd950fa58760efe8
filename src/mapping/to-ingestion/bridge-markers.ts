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

export function takeBridgeMarkers(view: SpanView): BridgeMarkers {
  const { attrs } = view;
  const twins = attrs.peek(LF.bridgeGenaiTwins);
  if (Array.isArray(twins)) {
    for (const key of twins) if (typeof key === 'string') attrs.delete(key);
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
  const out: ScoreRecord[] = [];
  events.forEach((e, i) => {
    if (e.name !== SCORE.event || !isValidHrTime(e.time)) return;
    const a = e.attributes ?? {};
    const body: Record<string, unknown> = {};
    for (const [field, key] of SCORE.fields) {
      const v = toText(a[key]);
      if (v !== undefined) body[field] = v;
    }
    const value = a[SCORE.value];
    if (typeof value === 'number' || typeof value === 'string') body.value = value;
    if (a[SCORE.metadata] !== undefined) body.metadata = decodeJsonMetadata(a[SCORE.metadata], issues, `events[${i}].${SCORE.metadata}`);
    if (typeof body.id !== 'string' || typeof body.name !== 'string') return;
    consumed.add(i);
    out.push({ body, timestamp: hrTimeToIso(e.time) as string });
  });
  return out;
}
