/**
 * ingestion events -> spans -> ingestion events gives back the same merged entities, except the
 * named INGESTION_LOSSY_FIELDS. The normalisation below applies exactly those, nothing else.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isPlainObject } from '../../src/mapping/json.js';
import { INGESTION_LOSSY_FIELDS } from '../../src/mapping/lossy.js';
import { IssueSink } from '../../src/mapping/result.js';
import { hrTimeToIso, isoToHrTime } from '../../src/mapping/time.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { effectiveUsage } from '../../src/mapping/to-otel/attributes.js';
import { ingestionToSpans } from '../../src/mapping/to-otel/index.js';
import { mergeEvents } from '../../src/mapping/to-otel/merge.js';
import type { MergeResult } from '../../src/mapping/to-otel/types.js';
import { batchArbitrary } from './arbitraries.js';

const TIME_FIELDS = new Set(['timestamp', 'startTime', 'endTime', 'completionStartTime']);
const KNOWN = new Set([
  'id', 'traceId', 'name', 'timestamp', 'startTime', 'endTime', 'completionStartTime', 'input', 'output', 'metadata',
  'level', 'statusMessage', 'parentObservationId', 'version', 'environment', 'model', 'modelParameters',
  'usageDetails', 'costDetails', 'promptName', 'promptVersion', 'userId', 'sessionId', 'release', 'public', 'tags',
  'value', 'dataType', 'comment', 'source', 'configId', 'observationId',
]);

/** The JSON text a string holds, parsed, when it is an object or array (LOSSY: strings holding JSON). */
function parsedIfJson(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

function normaliseBody(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const withUsage = effectiveUsage(body); // LOSSY: usage
  for (const [k, v] of Object.entries(withUsage)) {
    if (k === 'usage' || !KNOWN.has(k)) continue; // LOSSY: usage, unknown body keys
    if (v === null || v === undefined) continue; // LOSSY: empty values
    if (Array.isArray(v) && v.length === 0 && k === 'tags') continue;
    if (isPlainObject(v) && Object.keys(v).length === 0 && k === 'metadata') continue;
    if (TIME_FIELDS.has(k) && typeof v === 'string') {
      const t = isoToHrTime(v);
      out[k] = t ? hrTimeToIso(t) : v; // LOSSY: times
    } else if (k === 'metadata' && isPlainObject(v)) {
      // LOSSY: metadata values (text) and strings holding JSON
      out[k] = Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([mk, x]) => [mk, typeof x === 'string' ? parsedIfJson(x) : isPlainObject(x) || Array.isArray(x) ? x : JSON.stringify(x)]),
      );
    } else if (k === 'input' || k === 'output') out[k] = parsedIfJson(v);
    else out[k] = v;
  }
  if (isPlainObject(out.costDetails) && out.costDetails.total === undefined) {
    const sum = Object.values(out.costDetails).reduce((s: number, x) => s + (typeof x === 'number' ? x : 0), 0);
    out.costDetails = { ...out.costDetails, total: Number(sum.toPrecision(12)) }; // LOSSY: costDetails.total
  }
  return out;
}

function entities(merged: MergeResult, traceIds: ReadonlySet<string>): unknown {
  return {
    traces: [...merged.traces.values()]
      .filter((t) => traceIds.has(t.id)) // LOSSY: implicit traces
      .map((t) => normaliseBody(t.body))
      .sort((a, b) => String(a.id).localeCompare(String(b.id))),
    observations: [...merged.observations.values()]
      .map((o) => ({ type: o.type, body: normaliseBody(o.body) }))
      .sort((a, b) => String(a.body.id).localeCompare(String(b.body.id))),
    scores: merged.scores
      .map((s) => normaliseBody(s.body))
      .map(({ timestamp: _t, ...rest }) => rest) // LOSSY: score timestamp
      .sort((a, b) => String(a.id).localeCompare(String(b.id))),
  };
}

function roundTrip(events: readonly unknown[]): { before: unknown; after: unknown; issues: unknown[] } {
  const original = mergeEvents(events, new IssueSink());
  const spans = ingestionToSpans(events);
  const back = spansToIngestion(spans.value);
  const again = mergeEvents(back.value, new IssueSink());
  const traceIds = new Set(original.traces.keys());
  return { before: entities(original, traceIds), after: entities(again, traceIds), issues: [...back.issues] };
}

describe('ingestion -> spans -> ingestion', () => {
  test('every lossy field named in the test is on the documented list', () => {
    expect(INGESTION_LOSSY_FIELDS.map((f) => f.field)).toEqual([
      'usage', 'costDetails.total', 'times', 'metadata values', 'strings holding JSON', 'empty values',
      'unknown body keys', 'score timestamp', 'implicit traces',
    ]);
  });

  test.for([
    { name: 'litellm', file: 'litellm-batch.json' },
    { name: 'langfuse v3 client', file: 'batches-langfuse-v3.json' },
    { name: 'langfuse-vercel', file: 'batches-langfuse-vercel.json' },
  ])('recorded batch: $name', ({ file }) => {
    const raw = JSON.parse(readFileSync(new URL(`../fixtures/batches/${file}`, import.meta.url), 'utf8')) as
      | { batch: unknown[] }
      | Array<{ batch: unknown[] }>;
    const events = (Array.isArray(raw) ? raw : [raw]).flatMap((b) => b.batch);
    const { before, after, issues } = roundTrip(events);
    expect(issues).toEqual([]);
    expect(after).toEqual(before);
  });

  test('parents come back the same whether a trace is mapped whole or span by span (root not in the call)', () => {
    const raw = JSON.parse(readFileSync(new URL('../fixtures/batches/batches-langfuse-v3.json', import.meta.url), 'utf8')) as
      | { batch: unknown[] }
      | Array<{ batch: unknown[] }>;
    const events = (Array.isArray(raw) ? raw : [raw]).flatMap((b) => b.batch);
    const spans = ingestionToSpans(events).value;
    const parents = (mapped: ReturnType<typeof spansToIngestion>['value']): Record<string, unknown> =>
      Object.fromEntries(
        mapped
          .filter((e) => e.type !== 'trace-create' && e.type !== 'score-create')
          .map((e) => [(e.body as { id: string }).id, (e.body as { parentObservationId?: unknown }).parentObservationId ?? null]),
      );
    const whole = parents(spansToIngestion(spans).value);
    const oneByOne = parents(spans.flatMap((span) => spansToIngestion([span]).value));
    expect(Object.values(whole)).toContain(null); // children of the trace itself are in the recording
    expect(Object.values(whole).some((p) => p !== null)).toBe(true);
    expect(oneByOne).toEqual(whole);
    const before = mergeEvents(events, new IssueSink());
    for (const [id, parent] of Object.entries(whole)) {
      const original = [...before.observations.values()].find((o) => o.body.id === id);
      expect(parent).toBe(original?.body.parentObservationId ?? null);
    }
  });

  test('property: generated batches over every dimension come back equal', () => {
    fc.assert(
      fc.property(batchArbitrary, (events) => {
        const { before, after } = roundTrip(events);
        expect(after).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});
