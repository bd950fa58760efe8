/**
 * mergeEvents: validation per event, grouping by entity, exact ordering, Langfuse's field rules
 * (langfuse-ingestion.md §4.4), observation types, scores, the three real client batches, and
 * hostile input. Every expected value is written out by hand from the rules; none is computed by
 * the code under test. Last: fast-check properties (no throw, shuffling the input changes nothing).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { MappingIssue } from '../../../src/mapping/result.js';
import { IssueSink } from '../../../src/mapping/result.js';
import { mergeEvents } from '../../../src/mapping/to-otel/merge.js';
import type { MergedObservation, MergeResult } from '../../../src/mapping/to-otel/types.js';

type Raw = Record<string, unknown>;

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:00:01Z';
const T2 = '2026-01-01T00:00:02Z';
const T3 = '2026-01-01T00:00:03Z';
const T4 = '2026-01-01T00:00:04Z';
const START = '2026-01-01T00:00:00.250Z';
const LATER_START = '2026-01-01T00:00:09Z';

function ev(id: string, type: string, timestamp: string, body: Raw, extra: Raw = {}): Raw {
  return { id, type, timestamp, body, ...extra };
}

function run(events: readonly unknown[]): { result: MergeResult; issues: MappingIssue[] } {
  const sink = new IssueSink();
  const result = mergeEvents(events, sink);
  return { result, issues: sink.issues };
}

/** The single observation of a run (fails when there is not exactly one). */
function onlyObservation(events: readonly unknown[]): { obs: MergedObservation; issues: MappingIssue[] } {
  const { result, issues } = run(events);
  expect(result.observations.size).toBe(1);
  return { obs: [...result.observations.values()][0] as MergedObservation, issues };
}

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../fixtures/batches/${name}`, import.meta.url), 'utf8'));
}

describe('step 1: each event validated on its own', () => {
  interface Row {
    name: string;
    raw: unknown;
    issue: { code: string; eventId: string; path?: string; message: string | RegExp };
  }
  test.for<Row>([
    { name: 'not an object', raw: 42, issue: { code: 'SCHEMA_VIOLATION', eventId: 'unknown', message: /^\(root\)/ } },
    {
      name: 'missing envelope timestamp',
      raw: { id: 'e1', type: 'span-create', body: { id: 'o1' } },
      issue: { code: 'SCHEMA_VIOLATION', eventId: 'e1', message: /^timestamp: / },
    },
    {
      name: 'envelope id not a string: reported as unknown',
      raw: { id: 7, type: 'span-create', timestamp: T1, body: { id: 'o1' } },
      issue: { code: 'SCHEMA_VIOLATION', eventId: 'unknown', message: /^id: / },
    },
    {
      name: 'timestamp without an offset',
      raw: ev('e1', 'span-create', '2026-01-01T00:00:01', { id: 'o1' }),
      issue: { code: 'SCHEMA_VIOLATION', eventId: 'e1', message: /^timestamp: Invalid ISO datetime/ },
    },
    {
      name: 'span-create without body.id',
      raw: ev('e1', 'span-create', T1, { name: 'x' }),
      issue: { code: 'SCHEMA_VIOLATION', eventId: 'e1', message: /^body\.id: / },
    },
    {
      name: 'a float usage count fails the whole event',
      raw: ev('e1', 'generation-create', T1, { id: 'o1', usage: { input: 1.5 } }),
      issue: { code: 'SCHEMA_VIOLATION', eventId: 'e1', message: /^body\.usage\.input: / },
    },
    {
      name: 'type not a string',
      raw: { id: 'e1', type: 5, timestamp: T1, body: {} },
      issue: { code: 'SCHEMA_VIOLATION', eventId: 'e1', message: /^type: / },
    },
    {
      name: 'a throwing getter on type',
      raw: {
        id: 'e1',
        get type(): string {
          throw new Error('boom');
        },
      },
      issue: { code: 'SCHEMA_VIOLATION', eventId: 'e1', message: 'validation aborted: unexpected input' },
    },
    {
      name: 'dataset-run-item-create is unsupported, not a schema violation',
      raw: ev('e1', 'dataset-run-item-create', T1, { traceId: 't', datasetId: 'd', runId: 'r', datasetItemId: 'i' }),
      issue: {
        code: 'UNSUPPORTED_EVENT',
        eventId: 'e1',
        path: 'type',
        message: 'dataset-run-item-create is internal to Langfuse (its public API refuses it); not carried over',
      },
    },
    {
      name: 'an unknown type (there is no trace-update)',
      raw: ev('e1', 'trace-update', T1, { id: 't1' }),
      issue: { code: 'UNSUPPORTED_EVENT', eventId: 'e1', path: 'type', message: 'unknown event type "trace-update"; not carried over' },
    },
    {
      name: 'trace-create without body.id: acknowledged by Langfuse, never processed',
      raw: ev('e1', 'trace-create', T1, { name: 'n' }),
      issue: {
        code: 'INVALID_ID',
        eventId: 'e1',
        path: 'body.id',
        message: 'trace-create without body.id: Langfuse acknowledges it but never processes it; dropped',
      },
    },
    {
      name: 'score-create without body.id: same',
      raw: ev('e1', 'score-create', T1, { name: 's', value: 1, traceId: 't1' }),
      issue: {
        code: 'INVALID_ID',
        eventId: 'e1',
        path: 'body.id',
        message: 'score-create without body.id: Langfuse acknowledges it but never processes it; dropped',
      },
    },
    {
      name: 'legacy observation-create without body.id: same',
      raw: ev('e1', 'observation-create', T1, { type: 'SPAN', traceId: 't1' }),
      issue: {
        code: 'INVALID_ID',
        eventId: 'e1',
        path: 'body.id',
        message: 'observation-create without body.id: Langfuse acknowledges it but never processes it; dropped',
      },
    },
  ])('$name', ({ raw, issue }) => {
    const good = ev('g1', 'span-create', T1, { id: 'good', traceId: 't1', startTime: START });
    const { result, issues } = run([raw, good]);
    expect(issues).toEqual([{ ...issue, message: typeof issue.message === 'string' ? issue.message : expect.stringMatching(issue.message) }]);
    expect([...result.observations.keys()]).toEqual(['good']);
    expect(result.traces.size).toBe(0);
    expect(result.scores).toEqual([]);
  });

  test('sdk-log is counted and dropped without an issue; an invalid one is a schema violation', () => {
    const { result, issues } = run([
      ev('l1', 'sdk-log', T1, { log: { msg: 'hi' } }),
      ev('l2', 'sdk-log', T2, { log: 'text' }),
      ev('l3', 'sdk-log', T3, {}),
    ]);
    expect(result.sdkLogs).toBe(2);
    expect(issues).toEqual([{ code: 'SCHEMA_VIOLATION', eventId: 'l3', message: expect.stringMatching(/^body\.log: /) }]);
    expect(result.observations.size + result.traces.size + result.scores.length).toBe(0);
  });

  test('an envelope timestamp before 1970 passes validation: INVALID_TIME, ordered by its milliseconds', () => {
    const { obs, issues } = onlyObservation([
      ev('e2', 'span-update', '1970-01-01T00:00:00Z', { id: 'o1', name: 'new' }),
      ev('e1', 'span-create', '1969-12-31T23:59:59Z', { id: 'o1', traceId: 't1', name: 'old' }),
    ]);
    expect(obs).toEqual({
      id: 'o1',
      type: 'SPAN',
      hasCreate: true,
      body: { id: 'o1', traceId: 't1', name: 'new', startTime: '1969-12-31T23:59:59Z' },
      eventIds: ['e1', 'e2'],
    });
    expect(issues).toEqual([
      {
        code: 'INVALID_TIME',
        eventId: 'e1',
        path: 'timestamp',
        message: 'envelope timestamp "1969-12-31T23:59:59Z" is outside the OTLP range; ordered by its milliseconds',
      },
    ]);
  });
});

describe('step 2: grouping by entity', () => {
  test('every observation event type shares one family keyed by body.id', () => {
    const { obs, issues } = onlyObservation([
      ev('e1', 'agent-create', T1, { id: 'o1', traceId: 't1', startTime: START, name: 'a' }),
      ev('e2', 'generation-update', T2, { id: 'o1', model: 'm' }),
      ev('e3', 'span-update', T3, { id: 'o1', endTime: T4 }),
      ev('e4', 'observation-update', T4, { id: 'o1', type: 'SPAN', level: 'WARNING' }),
    ]);
    expect(obs.eventIds).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(obs.body).toEqual({ id: 'o1', traceId: 't1', startTime: START, name: 'a', model: 'm', endTime: T4, type: 'SPAN', level: 'WARNING' });
    expect(issues.map((i) => [i.code, i.eventId])).toEqual([
      ['INVALID_VALUE', 'e2'],
      ['INVALID_VALUE', 'e3'],
      ['INVALID_VALUE', 'e4'],
    ]);
  });

  test('a trace, an observation and a score with the same body.id are three entities', () => {
    const { result, issues } = run([
      ev('e1', 'trace-create', T1, { id: 'x', name: 'trace' }),
      ev('e2', 'span-create', T1, { id: 'x', traceId: 'x', startTime: START, name: 'span' }),
      ev('e3', 'score-create', T1, { id: 'x', name: 'score', value: 1, traceId: 'x' }),
    ]);
    expect(issues).toEqual([]);
    // A trace body without a timestamp takes its first envelope's (as Langfuse does).
    expect(result.traces.get('x')).toEqual({ id: 'x', body: { id: 'x', name: 'trace' }, eventIds: ['e1'], envelopeTimestamp: T1 });
    expect(result.observations.get('x')?.body).toEqual({ id: 'x', traceId: 'x', startTime: START, name: 'span' });
    expect(result.scores).toEqual([{ eventId: 'e3', timestamp: T1, body: { id: 'x', name: 'score', value: 1, traceId: 'x' } }]);
  });

  test('output maps and scores are in order of first appearance in the input', () => {
    const { result } = run([
      ev('e1', 'span-update', T3, { id: 'B' }),
      ev('e2', 'span-create', T1, { id: 'A', traceId: 't' }),
      ev('e3', 'span-create', T2, { id: 'B', traceId: 't' }),
      ev('e4', 'trace-create', T3, { id: 't2' }),
      ev('e5', 'trace-create', T1, { id: 't1' }),
      ev('e6', 'score-create', T3, { id: 's2', name: 'n', value: 1, traceId: 't' }),
      ev('e7', 'score-create', T1, { id: 's1', name: 'n', value: 1, traceId: 't' }),
    ]);
    expect([...result.observations.keys()]).toEqual(['B', 'A']);
    expect([...result.traces.keys()]).toEqual(['t2', 't1']);
    expect(result.scores.map((s) => s.eventId)).toEqual(['e6', 'e7']);
  });
});

describe('step 3: order within an entity', () => {
  interface Row {
    name: string;
    events: Raw[];
    finalName: string;
    eventIds: string[];
  }
  const create = (id: string, ts: string, name: string): Raw => ev(id, 'span-create', ts, { id: 'o1', traceId: 't1', name });
  const update = (id: string, ts: string, name: string): Raw => ev(id, 'span-update', ts, { id: 'o1', name });
  test.for<Row>([
    {
      name: 'the later envelope time wins whatever the array order',
      events: [update('e2', T2, 'late'), create('e1', T1, 'early')],
      finalName: 'late',
      eventIds: ['e1', 'e2'],
    },
    {
      name: 'offsets are compared as instants (01:00:00.400+01:00 is before 00:00:00.500Z)',
      events: [create('e1', '2026-01-01T00:00:00.500Z', 'utc'), update('e2', '2026-01-01T01:00:00.400+01:00', 'offset')],
      finalName: 'utc',
      eventIds: ['e2', 'e1'],
    },
    {
      name: 'precisions are compared exactly (.50001 is after .5)',
      events: [create('e1', '2026-01-01T00:00:00.50001Z', 'micro'), update('e2', '2026-01-01T00:00:00.5Z', 'milli')],
      finalName: 'micro',
      eventIds: ['e2', 'e1'],
    },
    {
      name: 'sub-millisecond order is kept (Python clients send microseconds)',
      events: [create('e1', T0, 'c'), update('e2', '2026-01-01T00:00:01.000200Z', 'second'), update('e3', '2026-01-01T00:00:01.000100Z', 'first')],
      finalName: 'second',
      eventIds: ['e1', 'e3', 'e2'],
    },
    {
      name: 'equal instants spelled differently: the create goes first',
      events: [update('e1', T1, 'update'), create('e2', '2026-01-01T01:00:01.000+01:00', 'create')],
      finalName: 'update',
      eventIds: ['e2', 'e1'],
    },
    {
      name: 'same instant and kind: envelope id order (b after a)',
      events: [create('c0', T0, 'c'), update('e-b', T1, 'b'), update('e-a', T1, 'a')],
      finalName: 'b',
      eventIds: ['c0', 'e-a', 'e-b'],
    },
    {
      name: 'same instant and kind, the other array order: same result',
      events: [update('e-a', T1, 'a'), create('c0', T0, 'c'), update('e-b', T1, 'b')],
      finalName: 'b',
      eventIds: ['c0', 'e-a', 'e-b'],
    },
  ])('$name', ({ events, finalName, eventIds }) => {
    const { obs, issues } = onlyObservation(events);
    expect(issues).toEqual([]);
    expect(obs.body.name).toBe(finalName);
    expect(obs.eventIds).toEqual(eventIds);
  });
});

describe('step 4: field rules on observations (overwriteObject, langfuse-ingestion.md 4.4)', () => {
  interface Row {
    name: string;
    events: Raw[];
    body: Raw;
  }
  const base = { id: 'o1', traceId: 't1', startTime: START };
  const c = (body: Raw, ts = T1, type = 'span-create'): Raw => ev('e1', type, ts, { ...base, ...body });
  const u = (n: number, body: Raw, type = 'span-update'): Raw => ev(`e${n}`, type, `2026-01-01T00:00:0${n}Z`, { id: 'o1', ...body });
  test.for<Row>([
    { name: 'a later value wins', events: [c({ name: 'first' }), u(2, { name: 'second' })], body: { ...base, name: 'second' } },
    { name: 'an absent value does not overwrite', events: [c({ name: 'first' }), u(2, { level: 'DEBUG' })], body: { ...base, name: 'first', level: 'DEBUG' } },
    { name: 'an explicit undefined does not overwrite', events: [c({ name: 'first' }), u(2, { name: undefined })], body: { ...base, name: 'first' } },
    { name: 'explicit null on name overwrites', events: [c({ name: 'first' }), u(2, { name: null })], body: { ...base, name: null } },
    { name: 'explicit null on level overwrites', events: [c({ level: 'ERROR' }), u(2, { level: null })], body: { ...base, level: null } },
    { name: 'null on statusMessage is ignored', events: [c({ statusMessage: 'boom' }), u(2, { statusMessage: null })], body: { ...base, statusMessage: 'boom' } },
    {
      name: 'null on parentObservationId is ignored (also as the only value)',
      events: [c({ parentObservationId: null }), u(2, { parentObservationId: 'p1' }), u(3, { parentObservationId: null })],
      body: { ...base, parentObservationId: 'p1' },
    },
    { name: 'null on version is ignored', events: [c({ version: 'v1' }), u(2, { version: null })], body: { ...base, version: 'v1' } },
    { name: 'null on endTime is ignored (the worker copies it only when truthy)', events: [c({ endTime: T3 }), u(2, { endTime: null })], body: { ...base, endTime: T3 } },
    {
      name: 'null on usageDetails is ignored (the worker turns it into {})',
      events: [c({ usageDetails: { input: 3 } }, T1, 'generation-create'), u(2, { usageDetails: null }, 'generation-update')],
      body: { ...base, usageDetails: { input: 3 } },
    },
    {
      name: 'an empty object does not overwrite',
      events: [c({ costDetails: { total: 1 } }, T1, 'generation-create'), u(2, { costDetails: {} }, 'generation-update')],
      body: { ...base, costDetails: { total: 1 } },
    },
    { name: 'an empty array does not overwrite (Object.keys([]) is empty)', events: [c({ labels: ['x'] }), u(2, { labels: [] })], body: { ...base, labels: ['x'] } },
    { name: 'an empty object fills a missing key', events: [c({}), u(2, { extra: {} })], body: { ...base, extra: {} } },
    { name: 'an empty object does not replace an explicit null', events: [c({ extra: null }), u(2, { extra: {} })], body: { ...base, extra: null } },
    { name: 'unknown keys are kept, the later wins', events: [c({ extra: 'a', other: 1 }), u(2, { extra: 'b' })], body: { ...base, extra: 'b', other: 1 } },
    { name: 'an explicit null on an unknown key overwrites', events: [c({ extra: 'a' }), u(2, { extra: null })], body: { ...base, extra: null } },
    { name: 'objects other than metadata are replaced, not merged', events: [c({ modelParameters: { a: 1, b: 2 } }, T1, 'generation-create'), u(2, { modelParameters: { b: 3 } }, 'generation-update')], body: { ...base, modelParameters: { b: 3 } } },
    { name: 'startTime is immutable: a later update sending another is ignored', events: [c({}), u(2, { startTime: LATER_START })], body: base },
    {
      name: 'traceId and environment are immutable',
      events: [c({ environment: 'prod' }), u(2, { traceId: 't2', environment: 'dev' })],
      body: { ...base, environment: 'prod' },
    },
    {
      name: 'a null startTime is not a first write',
      events: [ev('e1', 'span-create', T1, { id: 'o1', traceId: 't1', startTime: null }), u(2, { startTime: LATER_START })],
      body: { ...base, startTime: LATER_START },
    },
    {
      name: 'startTime from the first event that has one, even an update',
      events: [ev('e1', 'span-update', T1, { id: 'o1', startTime: LATER_START }), ev('e2', 'span-create', T2, { id: 'o1', traceId: 't1', startTime: START })],
      body: { ...base, startTime: LATER_START },
    },
    {
      name: 'no startTime anywhere: the envelope timestamp of the first event in merge order',
      events: [u(3, { name: 'n' }), ev('e1', 'span-create', T2, { id: 'o1', traceId: 't1' })],
      body: { id: 'o1', traceId: 't1', name: 'n', startTime: T2 },
    },
    {
      name: 'metadata is deep-merged across three events',
      events: [
        c({ metadata: { a: 1, nested: { x: 1, y: 1 }, keep: 'k' } }),
        u(2, { metadata: { b: 2, nested: { y: 2 } } }),
        u(3, { metadata: { nested: { z: 3 }, a: null } }),
      ],
      body: { ...base, metadata: { a: null, b: 2, keep: 'k', nested: { x: 1, y: 2, z: 3 } } },
    },
    {
      name: 'metadata: a non-object replaces; a later {} or null changes nothing',
      events: [c({ metadata: { a: 1 } }), u(2, { metadata: 'text' }), u(3, { metadata: {} }), u(4, { metadata: null })],
      body: { ...base, metadata: 'text' },
    },
    { name: 'metadata: an object replaces an earlier non-object', events: [c({ metadata: [1, 2] }), u(2, { metadata: { a: 1 } })], body: { ...base, metadata: { a: 1 } } },
    {
      name: 'metadata: arrays inside are leaves, replaced whole',
      events: [c({ metadata: { list: [1, 2, 3], o: { deep: [1] } } }), u(2, { metadata: { list: [9], o: { deep: [] } } })],
      body: { ...base, metadata: { list: [9], o: { deep: [] } } },
    },
    { name: 'metadata: {} alone is kept', events: [c({ metadata: {} })], body: { ...base, metadata: {} } },
    {
      name: 'input and output: the last truthy value ("" and 0, false and null cannot replace)',
      events: [c({ input: 'question', output: 'answer' }), u(2, { input: '', output: false }), u(3, { input: 0, output: null })],
      body: { ...base, input: 'question', output: 'answer' },
    },
    {
      name: 'input: a later truthy value replaces, {} and [] included (they are truthy)',
      events: [c({ input: 'question', output: 'answer' }), u(2, { input: {} }), u(3, { output: [] })],
      body: { ...base, input: {}, output: [] },
    },
    {
      name: 'input: with only falsy values the last one is kept',
      events: [c({ input: '' }), u(2, { input: 0 }), u(3, { output: false })],
      body: { ...base, input: 0, output: false },
    },
    {
      name: 'the envelope metadata is ignored',
      events: [ev('e1', 'span-create', T1, { ...base }, { metadata: { sdk: 'x' } })],
      body: base,
    },
  ])('$name', ({ events, body }) => {
    const { obs } = onlyObservation(events);
    expect(obs.body).toEqual(body);
  });
});

describe('step 4: field rules on traces', () => {
  interface Row {
    name: string;
    events: Raw[];
    body: Raw;
  }
  const t = (n: number, body: Raw): Raw => ev(`e${n}`, 'trace-create', `2026-01-01T00:00:0${n}Z`, { id: 't1', ...body });
  test.for<Row>([
    {
      name: 'tags: sorted union without duplicates; null changes nothing',
      events: [t(1, { tags: ['b', 'a'] }), t(2, { tags: ['c', 'a'] }), t(3, { tags: null })],
      body: { id: 't1', tags: ['a', 'b', 'c'] },
    },
    { name: 'tags: an empty list alone is kept', events: [t(1, { tags: [] })], body: { id: 't1', tags: [] } },
    {
      name: 'timestamp and environment are immutable',
      events: [t(1, { timestamp: T0, environment: 'prod' }), t(2, { timestamp: T3, environment: 'dev', name: 'n' })],
      body: { id: 't1', timestamp: T0, environment: 'prod', name: 'n' },
    },
    { name: 'explicit null overwrites trace fields (userId)', events: [t(1, { userId: 'u1' }), t(2, { userId: null })], body: { id: 't1', userId: null } },
    {
      name: 'metadata deep-merged, input last truthy',
      events: [t(1, { metadata: { a: { x: 1 } }, input: 'q' }), t(2, { metadata: { a: { y: 2 } }, input: '' })],
      body: { id: 't1', metadata: { a: { x: 1, y: 2 } }, input: 'q' },
    },
    { name: 'no timestamp is filled in for a trace', events: [t(1, { name: 'n' })], body: { id: 't1', name: 'n' } },
  ])('$name', ({ events, body }) => {
    const { result, issues } = run(events);
    expect(issues).toEqual([]);
    expect(result.traces.get('t1')?.body).toEqual(body);
  });
});

describe('step 4: observation type', () => {
  interface Row {
    name: string;
    events: Raw[];
    type: string;
    hasCreate: boolean;
    issues: MappingIssue[];
  }
  const body = { id: 'o1', traceId: 't1' };
  const one = (type: string, extra: Raw = {}): Raw[] => [ev('e1', type, T1, { ...body, ...extra })];
  test.for<Row>([
    { name: 'span-create', events: one('span-create'), type: 'SPAN', hasCreate: true, issues: [] },
    { name: 'generation-create', events: one('generation-create'), type: 'GENERATION', hasCreate: true, issues: [] },
    { name: 'event-create', events: one('event-create'), type: 'EVENT', hasCreate: true, issues: [] },
    { name: 'agent-create', events: one('agent-create'), type: 'AGENT', hasCreate: true, issues: [] },
    { name: 'tool-create', events: one('tool-create'), type: 'TOOL', hasCreate: true, issues: [] },
    { name: 'chain-create', events: one('chain-create'), type: 'CHAIN', hasCreate: true, issues: [] },
    { name: 'retriever-create', events: one('retriever-create'), type: 'RETRIEVER', hasCreate: true, issues: [] },
    { name: 'evaluator-create', events: one('evaluator-create'), type: 'EVALUATOR', hasCreate: true, issues: [] },
    { name: 'embedding-create', events: one('embedding-create'), type: 'EMBEDDING', hasCreate: true, issues: [] },
    { name: 'guardrail-create', events: one('guardrail-create'), type: 'GUARDRAIL', hasCreate: true, issues: [] },
    { name: 'observation-create takes body.type', events: one('observation-create', { type: 'GENERATION' }), type: 'GENERATION', hasCreate: true, issues: [] },
    {
      name: 'only a span-update: SPAN, no create, an issue',
      events: one('span-update'),
      type: 'SPAN',
      hasCreate: false,
      issues: [{ code: 'INVALID_VALUE', eventId: 'e1', message: 'update without a create: merged on its own' }],
    },
    {
      name: 'only a generation-update: GENERATION',
      events: one('generation-update'),
      type: 'GENERATION',
      hasCreate: false,
      issues: [{ code: 'INVALID_VALUE', eventId: 'e1', message: 'update without a create: merged on its own' }],
    },
    {
      name: 'only an observation-update: body.type',
      events: one('observation-update', { type: 'EVENT' }),
      type: 'EVENT',
      hasCreate: false,
      issues: [{ code: 'INVALID_VALUE', eventId: 'e1', message: 'update without a create: merged on its own' }],
    },
    {
      name: 'the create decides even when the update is earlier in time and in the array',
      events: [ev('u1', 'generation-update', T1, { id: 'o1' }), ev('c1', 'generation-create', T2, body)],
      type: 'GENERATION',
      hasCreate: true,
      issues: [],
    },
    {
      name: 'span-create then generation-update: SPAN kept, an issue names both',
      events: [ev('c1', 'span-create', T1, body), ev('u1', 'generation-update', T2, { id: 'o1' })],
      type: 'SPAN',
      hasCreate: true,
      issues: [
        { code: 'INVALID_VALUE', eventId: 'u1', path: 'type', message: 'generation-update implies GENERATION, but span-create made observation "o1" a SPAN; kept SPAN' },
      ],
    },
    {
      name: 'tool-create then generation-update: TOOL kept, an issue',
      events: [ev('u1', 'generation-update', T1, { id: 'o1' }), ev('c1', 'tool-create', T2, body)],
      type: 'TOOL',
      hasCreate: true,
      issues: [
        { code: 'INVALID_VALUE', eventId: 'u1', path: 'type', message: 'generation-update implies GENERATION, but tool-create made observation "o1" a TOOL; kept TOOL' },
      ],
    },
    {
      name: 'two updates that disagree and no create: the first decides',
      events: [ev('u2', 'generation-update', T2, { id: 'o1' }), ev('u1', 'span-update', T1, body)],
      type: 'SPAN',
      hasCreate: false,
      issues: [
        { code: 'INVALID_VALUE', eventId: 'u1', message: 'update without a create: merged on its own' },
        { code: 'INVALID_VALUE', eventId: 'u2', path: 'type', message: 'generation-update implies GENERATION, but span-update made observation "o1" a SPAN; kept SPAN' },
      ],
    },
  ])('$name', ({ events, type, hasCreate, issues: expected }) => {
    const { obs, issues } = onlyObservation(events);
    expect(obs.type).toBe(type);
    expect(obs.hasCreate).toBe(hasCreate);
    expect(issues).toEqual(expected);
  });
});

describe('scores', () => {
  const score = (id: string, ts: string, value: number, scoreId = 's1'): Raw => ev(id, 'score-create', ts, { id: scoreId, name: 'q', value, traceId: 't1' });
  test.for<{ name: string; events: Raw[]; scores: Array<{ eventId: string; timestamp: string; value: number }> }>([
    { name: 'the later by envelope time wins, whatever the array order', events: [score('new', T2, 2), score('old', T1, 1)], scores: [{ eventId: 'new', timestamp: T2, value: 2 }] },
    { name: 'equal times: the later envelope id wins', events: [score('e-b', T1, 2), score('e-a', T1, 1)], scores: [{ eventId: 'e-b', timestamp: T1, value: 2 }] },
    {
      name: 'different body ids are all kept, in order of first appearance',
      events: [score('e1', T2, 1, 's2'), score('e2', T1, 2, 's1'), score('e3', T3, 3, 's2')],
      scores: [
        { eventId: 'e3', timestamp: T3, value: 3 },
        { eventId: 'e2', timestamp: T1, value: 2 },
      ],
    },
  ])('$name', ({ events, scores }) => {
    const { result, issues } = run(events);
    expect(issues).toEqual([]);
    expect(result.scores.map((s) => ({ eventId: s.eventId, timestamp: s.timestamp, value: s.body.value }))).toEqual(scores);
  });

  test('the score body is kept whole', () => {
    const body = { id: 's1', name: 'q', value: 'good', dataType: 'CATEGORICAL', traceId: 't1', observationId: 'o1', comment: null, extra: { k: 1 } };
    expect(run([ev('e1', 'score-create', T1, body)]).result.scores).toEqual([{ eventId: 'e1', timestamp: T1, body }]);
  });
});

describe('duplicates', () => {
  test('the same envelope twice merges like once, and is listed twice', () => {
    const create = ev('e1', 'generation-create', T1, { id: 'o1', traceId: 't1', startTime: START, input: 'q', metadata: { a: { b: 1 } } });
    const update = ev('e2', 'generation-update', T2, { id: 'o1', output: 'a' });
    const trace = ev('e3', 'trace-create', T1, { id: 't1', tags: ['x'] });
    const { result, issues } = run([create, update, trace, update, create, trace]);
    expect(issues).toEqual([]);
    expect(result.observations.get('o1')).toEqual({
      id: 'o1',
      type: 'GENERATION',
      hasCreate: true,
      body: { id: 'o1', traceId: 't1', startTime: START, input: 'q', output: 'a', metadata: { a: { b: 1 } } },
      eventIds: ['e1', 'e1', 'e2', 'e2'],
    });
    expect(result.traces.get('t1')).toEqual({ id: 't1', body: { id: 't1', tags: ['x'] }, eventIds: ['e3', 'e3'], envelopeTimestamp: T1 });
  });

  test('the same score-create twice gives one score', () => {
    const score = ev('e1', 'score-create', T1, { id: 's1', name: 'q', value: 1, traceId: 't1' });
    expect(run([score, score]).result.scores).toEqual([{ eventId: 'e1', timestamp: T1, body: { id: 's1', name: 'q', value: 1, traceId: 't1' } }]);
  });
});

describe('real client batches', () => {
  test('langfuse-js v3: updates before creates in the array, merged onto the creates', () => {
    const [{ batch }] = fixture('batches-langfuse-v3.json') as [{ batch: unknown[] }];
    const { result, issues } = run(batch);
    expect(issues).toEqual([]);
    expect(result.sdkLogs).toBe(0);
    expect([...result.observations.keys()]).toEqual([
      'ac19879d-30b6-4f52-abbb-9d20619e7c85',
      '73ff2b7f-19d3-4e39-885b-582def02b3d8',
      'd55b7ab4-7ec1-482c-bccb-1f5775ef7f1a',
      'e0495682-5a3e-424e-aa63-3ba9b27d93a9',
    ]);
    // The first update (.248) precedes the create (.250); the second update ties with the create
    // at .250 and goes after it.
    expect(result.observations.get('ac19879d-30b6-4f52-abbb-9d20619e7c85')).toEqual({
      id: 'ac19879d-30b6-4f52-abbb-9d20619e7c85',
      type: 'GENERATION',
      hasCreate: true,
      body: {
        id: 'ac19879d-30b6-4f52-abbb-9d20619e7c85',
        traceId: '98cca54f-6f30-4dc2-8959-bf8159fed639',
        completionStartTime: '2026-11-24T20:09:40.251Z',
        startTime: '2026-11-24T20:09:40.246Z',
        environment: 'staging',
        name: 'answer',
        model: 'gpt-4o-mini',
        modelParameters: { temperature: 0.3, maxTokens: 200 },
        input: [
          { role: 'system', content: 'Be helpful' },
          { role: 'user', content: 'Reset my password' },
        ],
        endTime: '2026-11-24T20:09:40.247Z',
        output: { role: 'assistant', content: 'Click "Forgot password".' },
        usage: { input: 120, output: 18, unit: 'TOKENS' },
        usageDetails: { input: 120, output: 18, cache_read_input_tokens: 40 },
        costDetails: { input: 0.00012, output: 0.00004 },
      },
      eventIds: ['a7a4845f-d8f6-4886-b3c5-1b511090e309', '6fe12344-eff8-405c-95e7-1439a5c8685c', '080fc152-cfe3-476f-8d1e-be87881a279c'],
    });
    // parentObservationId: null on the create is ignored; the update's level and status stay.
    expect(result.observations.get('73ff2b7f-19d3-4e39-885b-582def02b3d8')?.body).toEqual({
      id: '73ff2b7f-19d3-4e39-885b-582def02b3d8',
      traceId: '98cca54f-6f30-4dc2-8959-bf8159fed639',
      level: 'ERROR',
      statusMessage: 'rate limited by provider',
      endTime: '2026-11-24T20:09:40.247Z',
      startTime: '2026-11-24T20:09:40.247Z',
      environment: 'staging',
      name: 'fallback',
      model: 'claude-3-5-haiku',
      input: 'retry',
    });
    expect(result.observations.get('d55b7ab4-7ec1-482c-bccb-1f5775ef7f1a')).toEqual({
      id: 'd55b7ab4-7ec1-482c-bccb-1f5775ef7f1a',
      type: 'SPAN',
      hasCreate: true,
      body: {
        id: 'd55b7ab4-7ec1-482c-bccb-1f5775ef7f1a',
        startTime: '2026-11-24T20:09:40.246Z',
        environment: 'staging',
        name: 'retrieve-docs',
        input: { query: 'password reset' },
        traceId: '98cca54f-6f30-4dc2-8959-bf8159fed639',
        output: { docs: 3 },
        endTime: '2026-11-24T20:09:40.246Z',
      },
      eventIds: ['461fbffd-6240-48af-8b7d-fd1a5daae3da', '9fb5d45d-9979-4ca6-a438-1fcf59d09d58'],
    });
    expect(result.observations.get('e0495682-5a3e-424e-aa63-3ba9b27d93a9')?.type).toBe('EVENT');
    expect(result.observations.get('e0495682-5a3e-424e-aa63-3ba9b27d93a9')?.body.parentObservationId).toBe('d55b7ab4-7ec1-482c-bccb-1f5775ef7f1a');
    // Two trace-creates at the same millisecond: envelope id order (2e0d… before a2da…).
    expect(result.traces.get('98cca54f-6f30-4dc2-8959-bf8159fed639')).toEqual({
      id: '98cca54f-6f30-4dc2-8959-bf8159fed639',
      body: {
        id: '98cca54f-6f30-4dc2-8959-bf8159fed639',
        release: 'v1.2.3',
        timestamp: '2026-11-24T20:09:40.246Z',
        environment: 'staging',
        name: 'support-chat',
        userId: 'user-42',
        sessionId: 'sess-7',
        tags: ['peer'],
        metadata: { tier: 'gold' },
        input: { question: 'Reset my password' },
        output: { answer: 'Click "Forgot password".' },
      },
      eventIds: ['2e0dee0b-66a6-431b-a9bf-a808faac9450', 'a2dafa3e-03a7-4b4e-a058-54ee7dcb2245'],
    });
    expect(result.scores).toEqual([
      {
        eventId: 'aecd55e2-480e-4423-805b-07ea79b615d9',
        timestamp: '2026-11-24T20:09:40.248Z',
        body: {
          id: '4dc21a50-7d2a-4dbe-868a-86ecbff5b0fc',
          environment: 'staging',
          name: 'helpfulness',
          value: 0.9,
          comment: 'good',
          traceId: '98cca54f-6f30-4dc2-8959-bf8159fed639',
          observationId: null,
        },
      },
    ]);
  });

  test('Vercel AI SDK via langfuse-js: the trace timestamp is immutable, input the last truthy', () => {
    const [{ batch }] = fixture('batches-langfuse-vercel.json') as [{ batch: unknown[] }];
    const { result, issues } = run(batch);
    expect(issues).toEqual([]);
    expect(result.traces.get('ff0055af2e29a0f31650b18edc4d8fc8')).toEqual({
      id: 'ff0055af2e29a0f31650b18edc4d8fc8',
      body: {
        id: 'ff0055af2e29a0f31650b18edc4d8fc8',
        timestamp: '2026-11-24T20:09:40.430Z',
        userId: 'user-42',
        sessionId: 'sess-7',
        name: 'capital',
        input: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] },
        ],
        output: 'Paris is the capital of France.',
        metadata: {},
      },
      eventIds: ['3bc8db00-25e4-46d7-bbdf-9e39c6a0923a', 'aca34e44-c5c3-499e-9c89-2b12a69542db'],
    });
    expect([...result.observations.keys()]).toEqual(['801b37f0a8c3377f', '0d7edb8eb4cc52cb']);
    expect(result.observations.get('0d7edb8eb4cc52cb')?.body.modelParameters).toEqual({
      toolChoice: null,
      maxTokens: null,
      finishReason: 'stop',
      system: 'openai.chat',
      maxRetries: '2',
      mode: null,
      temperature: null,
    });
  });

  test('litellm (Python): microsecond times with offsets are kept as sent', () => {
    const { batch } = fixture('litellm-batch.json') as { batch: unknown[] };
    const { result, issues } = run(batch);
    expect(issues).toEqual([]);
    expect(result.traces.get('litellm-test-dbadfdfc-f4e7-4f05-8992-984c37359166')?.body).toEqual({
      id: 'litellm-test-dbadfdfc-f4e7-4f05-8992-984c37359166',
      timestamp: '2025-02-07T00:23:27.669634Z',
      name: 'litellm-acompletion',
      input: { messages: [{ role: 'user', content: 'Hello!' }] },
      tags: [],
    });
    const gen = result.observations.get('time-16-23-27-220129_chatcmpl-565360d7-965f-4533-9c09-db789af77a7d');
    expect(gen?.type).toBe('GENERATION');
    expect(gen?.eventIds).toEqual(['fbe610b6-f500-4c7d-8e34-d40a0e8c487b']);
    expect(gen?.body.startTime).toBe('2025-02-06T16:23:27.220129-08:00');
    expect(gen?.body.endTime).toBe('2025-02-06T16:23:27.644253-08:00');
    expect(gen?.body.metadata).toEqual({
      hidden_params: {
        model_id: null,
        cache_key: null,
        api_base: 'https://api.openai.com',
        response_cost: 3.5e-5,
        additional_headers: {},
        litellm_overhead_time_ms: null,
        batch_models: null,
        litellm_model_name: 'gpt-3.5-turbo',
        usage_object: null,
      },
      litellm_response_cost: 3.5e-5,
      cache_hit: false,
      requester_metadata: {},
    });
    expect(gen?.body.usageDetails).toEqual({ input: 10, output: 10, total: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });
});

describe('hostile input', () => {
  test('values are shared with the input, never copied: a 50 MB string passes through', () => {
    const big = 'x'.repeat(50 * 1024 * 1024);
    const input = { text: big };
    const { obs } = onlyObservation([
      ev('e1', 'span-create', T1, { id: 'o1', traceId: 't1', startTime: START, input, extra: big }),
      ev('e2', 'span-update', T2, { id: 'o1', output: big }),
    ]);
    // Same object as in the raw event: no JSON round trip or clone happened on the way.
    expect(obs.body.input).toBe(input);
    expect((obs.body.extra as string).length).toBe(50 * 1024 * 1024);
    expect((obs.body.output as string).length).toBe(50 * 1024 * 1024);
  });

  test('proxies, cycles and getters in unknown keys or input do not make it throw', () => {
    const cyclic: Raw = { a: 1 };
    cyclic.self = cyclic;
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys');
        },
      },
    );
    const { obs, issues } = onlyObservation([
      ev('e1', 'span-create', T1, { id: 'o1', traceId: 't1', startTime: START, input: cyclic, extra: 'v' }),
      ev('e2', 'span-update', T2, { id: 'o1', extra: proxy, output: proxy }),
    ]);
    expect(issues).toEqual([]);
    expect(obs.body.input).toBe(cyclic);
    expect(obs.body.extra).toBe(proxy);
    expect(obs.body.output).toBe(proxy);
  });

  test('metadata nested too deeply for validation is a schema violation', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    const { result, issues } = run([ev('e1', 'span-create', T1, { id: 'o1', metadata: deep })]);
    expect(result.observations.size).toBe(0);
    expect(issues).toEqual([{ code: 'SCHEMA_VIOLATION', eventId: 'e1', message: 'validation aborted: input is cyclic or nested too deeply' }]);
  });

  test('1e5 events in one call: counts are right', { timeout: 120_000 }, () => {
    const events: Raw[] = [];
    const ts = (i: number): string => `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`;
    for (let i = 0; i < 25_000; i++) {
      events.push(ev(`u${i}`, 'generation-update', ts(i + 1), { id: `o${i}`, output: `out${i}` }));
      events.push(ev(`c${i}`, 'generation-create', ts(i), { id: `o${i}`, traceId: `t${i % 1000}`, input: `in${i}` }));
    }
    for (let i = 0; i < 25_000; i++) events.push(ev(`t${i}`, 'trace-create', ts(i), { id: `t${i % 1000}`, tags: [`k${i % 3}`] }));
    for (let i = 0; i < 24_000; i++) events.push(ev(`s${i}`, 'score-create', ts(i), { id: `s${i % 12_000}`, name: 'q', value: i, traceId: 't0' }));
    for (let i = 0; i < 1000; i++) events.push(ev(`l${i}`, 'sdk-log', ts(i), { log: i }));
    expect(events.length).toBe(100_000);
    const { result, issues } = run(events);
    expect(issues).toEqual([]);
    expect(result.observations.size).toBe(25_000);
    expect(result.traces.size).toBe(1000);
    expect(result.scores.length).toBe(12_000);
    expect(result.sdkLogs).toBe(1000);
    expect(result.observations.get('o7')?.body).toEqual({ id: 'o7', traceId: 't7', input: 'in7', output: 'out7', startTime: '2026-01-01T00:00:07.007Z' });
    expect(result.traces.get('t5')?.body).toEqual({ id: 't5', tags: ['k0', 'k1', 'k2'] });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const TIMES = [
  '2026-01-01T00:00:00Z',
  '2026-01-01T00:00:00.000Z', // the same instant as the first
  '2026-01-01T00:00:00.0005Z',
  '2026-01-01T01:00:00.000500+01:00', // the same instant as the third
  '2025-12-31T23:59:59.999999999Z',
];
const OBS_TYPES = [
  'span-create',
  'span-update',
  'generation-create',
  'generation-update',
  'event-create',
  'agent-create',
  'observation-create',
  'observation-update',
];
const pick = (...values: unknown[]): fc.Arbitrary<unknown> => fc.constantFrom(...values);

const observationArb = fc.record({
  type: fc.constantFrom(...OBS_TYPES),
  timestamp: fc.constantFrom(...TIMES),
  body: fc.record(
    {
      id: pick('o1', 'o2', 'o3'),
      traceId: pick('t1', 't2', null),
      type: pick('SPAN', 'GENERATION', 'EVENT'),
      name: pick('n1', 'n2', null),
      startTime: pick(...TIMES, null),
      statusMessage: pick('s1', null),
      level: pick('DEBUG', 'ERROR', null),
      input: pick('', 0, false, null, 'x', { q: 1 }, {}, [1]),
      output: pick('', 'y', { a: 1 }),
      metadata: pick({ a: 1 }, { a: { b: 1 } }, { a: { c: 2 }, d: null }, 'str', {}, [1, 2], null),
      environment: pick('prod', 'dev'),
      extra: pick({}, { x: 1 }, 'v', null, []),
    },
    { requiredKeys: ['id'] },
  ),
});
const traceArb = fc.record({
  type: fc.constant('trace-create'),
  timestamp: fc.constantFrom(...TIMES),
  body: fc.record(
    {
      id: pick('t1', 't2'),
      name: pick('a', 'b', null),
      timestamp: pick(...TIMES, null),
      tags: pick(['b', 'a'], ['a', 'c'], [], null),
      metadata: pick({ a: 1 }, { a: { b: 1 } }, 'str', {}),
      input: pick('', 'q', { q: 1 }, null),
    },
    { requiredKeys: ['id'] },
  ),
});
const scoreArb = fc.record({
  type: fc.constant('score-create'),
  timestamp: fc.constantFrom(...TIMES),
  body: fc.record({ id: pick('s1', 's2'), name: fc.constant('q'), value: pick(1, 2, 3), traceId: fc.constant('t1') }),
});
const otherArb = fc.oneof(
  fc.record({ type: fc.constant('sdk-log'), timestamp: fc.constantFrom(...TIMES), body: fc.record({ log: pick('a', 1) }) }),
  fc.record({ type: pick('dataset-run-item-create', 'nope'), timestamp: fc.constantFrom(...TIMES), body: fc.constant({ id: 'x' }) }),
);

/** Events with unique envelope ids, plus exact duplicates of some of them. */
const batchArb = fc
  .tuple(
    fc.array(fc.oneof({ weight: 6, arbitrary: observationArb }, { weight: 2, arbitrary: traceArb }, { weight: 2, arbitrary: scoreArb }, { weight: 1, arbitrary: otherArb }), { maxLength: 30 }),
    fc.array(fc.nat(), { maxLength: 5 }),
  )
  .map(([events, dups]) => {
    const withIds: Raw[] = events.map((e, i) => ({ id: `e${String(i).padStart(2, '0')}`, ...e }));
    for (const d of dups) if (withIds.length > 0) withIds.push(withIds[d % withIds.length] as Raw);
    return withIds;
  });

/** The result with order-free parts made comparable: scores by event id, issues as a sorted list. */
function comparable(events: readonly unknown[]): unknown {
  const { result, issues } = run(events);
  return {
    ...result,
    scores: [...result.scores].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)),
    issues: issues.map((i) => JSON.stringify(i)).sort(),
  };
}

describe('properties', () => {
  test('shuffling the input never changes the merged entities or the issues', () => {
    fc.assert(
      fc.property(
        batchArb.chain((events) => fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }))),
        ([events, shuffled]) => {
          // toEqual compares Maps regardless of insertion order.
          expect(comparable(shuffled)).toEqual(comparable(events));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('the real v3 batch shuffled gives the same result', () => {
    const [{ batch }] = fixture('batches-langfuse-v3.json') as [{ batch: unknown[] }];
    const expected = comparable(batch);
    fc.assert(
      fc.property(fc.shuffledSubarray(batch, { minLength: batch.length, maxLength: batch.length }), (shuffled) => {
        expect(comparable(shuffled)).toEqual(expected);
      }),
    );
  });

  test('arbitrary values never make it throw, and every element is accounted for', () => {
    const envelopeLike = fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer()),
        type: fc.constantFrom('trace-create', 'span-create', 'generation-update', 'score-create', 'sdk-log', 'observation-update', 'x'),
        timestamp: fc.oneof(fc.constantFrom(...TIMES, '1969-01-01T00:00:00Z', 'bad'), fc.string()),
        body: fc.oneof(fc.anything(), fc.record({ id: fc.string(), metadata: fc.anything(), input: fc.anything(), tags: fc.anything() })),
        metadata: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const anything = fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withSparseArray: true, withTypedArray: true, withBoxedValues: true });
    fc.assert(
      fc.property(fc.array(fc.oneof(anything, envelopeLike, observationArb.map((e) => ({ id: 'v', ...e }))), { maxLength: 20 }), (raw) => {
        const { result, issues } = run(raw);
        const merged = [...result.traces.values(), ...result.observations.values()].reduce((n, e) => n + e.eventIds.length, 0);
        const rejected = issues.filter((i) => ['SCHEMA_VIOLATION', 'UNSUPPORTED_EVENT', 'INVALID_ID'].includes(i.code)).length;
        // Scores replaced by a later one with the same body.id are the only silent drops.
        expect(merged + rejected + result.sdkLogs + result.scores.length).toBeLessThanOrEqual(raw.length);
        if (raw.every((r) => (r as { type?: unknown } | null)?.type !== 'score-create')) {
          expect(merged + rejected + result.sdkLogs).toBe(raw.length);
        }
      }),
      { numRuns: 500 },
    );
  });
});
