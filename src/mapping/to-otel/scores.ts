/**
 * Scores (`score-create`) have no place in OTLP: they become span events named `langfuse.score`
 * on the span they target (design.md 6.6), or a zero-length span of their own when the target is
 * in no input.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import { isPlainObject } from '../json.js';
import { SCORE } from '../keys.js';
import { isoToHrTime } from '../time.js';
import type { MergedScore } from './types.js';
import { jsonText } from './attributes.js';

export const SCORE_EVENT = SCORE.event;

/** Where a score points: an observation, else a trace, else a session (or nothing). */
export interface ScoreTarget {
  readonly traceId?: string;
  readonly observationId?: string;
  readonly sessionId?: string;
}

export function scoreTarget(score: MergedScore): ScoreTarget {
  const b = score.body;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const target: { traceId?: string; observationId?: string; sessionId?: string } = {};
  const traceId = str(b.traceId);
  const observationId = str(b.observationId);
  const sessionId = str(b.sessionId);
  if (traceId) target.traceId = traceId;
  if (observationId) target.observationId = observationId;
  if (sessionId) target.sessionId = sessionId;
  return target;
}

/** The time of a score: its own `timestamp`, else the envelope's. */
export function scoreTime(score: MergedScore): HrTime | undefined {
  const own = typeof score.body.timestamp === 'string' ? isoToHrTime(score.body.timestamp) : undefined;
  return own ?? isoToHrTime(score.timestamp);
}

export function scoreEvent(score: MergedScore, time: HrTime): TimedEvent {
  const attributes: Attributes = {};
  for (const [field, key] of SCORE.fields) {
    const v = score.body[field];
    if (typeof v === 'string' && v !== '') attributes[key] = v;
  }
  const value = score.body.value;
  if (typeof value === 'number' || typeof value === 'string') attributes[SCORE.value] = value;
  if (isPlainObject(score.body.metadata)) attributes[SCORE.metadata] = jsonText(score.body.metadata);
  return { name: SCORE_EVENT, time, attributes };
}
