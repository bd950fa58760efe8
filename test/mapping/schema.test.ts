/**
 * Tests for src/mapping/schema.ts against the Langfuse server's validation rules
 * (langfuse-ingestion.md §2). Accepted events are compared whole with their input: the schemas
 * neither strip nor transform. Rejection messages are the literal per-event summaries.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  INGESTION_EVENT_TYPES,
  OBSERVATION_TYPES,
  idSchema,
  ingestionBatchSchema,
  ingestionEventSchema,
  isoDateTimeSchema,
  parseIngestionEvent,
} from '../../src/mapping/schema.js';
import type {
  GenerationBody,
  IngestionEvent,
  IngestionEventType,
  Level,
  ModelParameters,
  ObservationType,
  SpanBody,
} from '../../src/mapping/schema.js';

const T = '2026-11-24T20:09:40.250Z';
const TRACE = '98cca54f-6f30-4dc2-8959-bf8159fed639';
const DATETIME_MESSAGE = 'Invalid ISO datetime: expected YYYY-MM-DDTHH:MM[:SS[.fraction]] with Z or ±HH:MM';
const PROMPT_MESSAGE = 'promptName and promptVersion must be set together or not at all';
const SCORE_TARGET_MESSAGE =
  'body: Provide exactly one of the following: traceId (with optional observationId), sessionId or datasetRunId. ObservationId requires traceId.';

function ev(type: string, body: unknown, envelope: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'evt-1', type, timestamp: T, body, ...envelope };
}

type RecordedBatch = { batch: unknown[]; metadata?: unknown };
function loadBatches(file: string): RecordedBatch[] {
  const parsed = JSON.parse(readFileSync(new URL(`../fixtures/batches/${file}`, import.meta.url), 'utf8')) as
    | RecordedBatch
    | RecordedBatch[];
  return Array.isArray(parsed) ? parsed : [parsed];
}
const FIXTURE_FILES = ['batches-langfuse-v3.json', 'batches-langfuse-vercel.json', 'litellm-batch.json'];
const recordedBatches = FIXTURE_FILES.flatMap((file) => loadBatches(file).map((batch) => ({ file, batch })));
const recordedEvents = recordedBatches.flatMap(({ file, batch }) =>
  batch.batch.map((event, i) => ({ name: `${file} #${i} ${(event as { type: string }).type}`, event })),
);

describe('recorded peer batches', () => {
  test('cover the event types the peers send', () => {
    const types = new Set(recordedEvents.map(({ event }) => (event as { type: string }).type));
    expect([...types].sort()).toStrictEqual([
      'event-create',
      'generation-create',
      'generation-update',
      'score-create',
      'span-create',
      'span-update',
      'trace-create',
    ]);
  });

  test.for(recordedEvents)('$name parses unchanged', ({ event }) => {
    expect(parseIngestionEvent(event)).toStrictEqual({ ok: true, event });
  });

  test.for(recordedBatches.map(({ file, batch }) => ({ name: file, batch })))('$name wrapper parses', ({ batch }) => {
    expect(ingestionBatchSchema.safeParse(batch)).toStrictEqual({ success: true, data: batch });
  });
});

describe('accepted events', () => {
  const generationLike = (name: string): Record<string, unknown> => ({
    id: `obs-${name}`,
    traceId: TRACE,
    parentObservationId: 'obs-root',
    name,
    startTime: '2026-11-24T20:09:40.246Z',
    endTime: '2026-11-24T20:09:40.247123Z',
    input: { query: 'password reset' },
    output: [{ doc: 'kb-17' }],
    metadata: { step: 2, tags: ['a', null] },
    environment: 'staging',
  });
  test.for([
    { name: 'agent-create', event: ev('agent-create', { ...generationLike('support-agent'), model: 'gpt-4o-mini' }) },
    { name: 'tool-create', event: ev('tool-create', generationLike('search_docs')) },
    { name: 'chain-create', event: ev('chain-create', generationLike('rag-chain')) },
    { name: 'retriever-create', event: ev('retriever-create', generationLike('vector-search')) },
    {
      name: 'evaluator-create',
      event: ev('evaluator-create', { ...generationLike('judge'), promptName: 'judge-prompt', promptVersion: 3 }),
    },
    {
      name: 'embedding-create',
      event: ev('embedding-create', {
        ...generationLike('embed'),
        model: 'text-embedding-3-small',
        usageDetails: { input: 8 },
        costDetails: { total: 0.00000016 },
      }),
    },
    {
      name: 'guardrail-create',
      event: ev('guardrail-create', { ...generationLike('pii-check'), level: 'WARNING', statusMessage: 'pii found' }),
    },
    {
      name: 'generation-update with every kind of model parameter',
      event: ev('generation-update', {
        id: 'gen-1',
        modelParameters: { temperature: 0.3, model: 'x', stream: false, stop: ['\n'], headers: { a: 'b' }, seed: null },
        promptName: 'support',
        promptVersion: 2,
        usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
      }),
    },
    { name: 'trace-create without body.id (acknowledged, never processed)', event: ev('trace-create', {}) },
    { name: 'sdk-log', event: ev('sdk-log', { log: { message: 'flush failed', attempts: 3 } }) },
    { name: 'sdk-log with a string log', event: ev('sdk-log', { log: 'flush failed', id: null }) },
    {
      name: 'observation-create (legacy)',
      event: ev('observation-create', {
        id: 'obs-1',
        traceId: TRACE,
        type: 'GENERATION',
        name: 'chat',
        startTime: '2025-02-06T16:23:27.220129-08:00',
        model: 'gpt-3.5-turbo',
        modelParameters: { temperature: 0.2, stream: true, user: null },
        input: { messages: [{ role: 'user', content: 'Hello!' }] },
        usage: { input: 10, output: 5, unit: 'TOKENS', totalCost: 0.00002 },
      }),
    },
    { name: 'observation-update (legacy)', event: ev('observation-update', { id: 'obs-1', type: 'SPAN', output: 'done' }) },
    { name: 'score NUMERIC', event: ev('score-create', { name: 'accuracy', value: 0.75, dataType: 'NUMERIC', traceId: TRACE }) },
    {
      name: 'score CATEGORICAL on a session',
      event: ev('score-create', { name: 'mood', value: 'happy', dataType: 'CATEGORICAL', sessionId: 'sess-7' }),
    },
    {
      name: 'score BOOLEAN on a dataset run',
      event: ev('score-create', { name: 'passed', value: 1, dataType: 'BOOLEAN', datasetRunId: 'run-1', source: 'EVAL' }),
    },
    {
      name: 'score CORRECTION with a null configId',
      event: ev('score-create', { name: 'fix', value: 'Use SSO', dataType: 'CORRECTION', traceId: TRACE, configId: null }),
    },
    {
      name: 'score TEXT of 500 chars on an observation',
      event: ev('score-create', { name: 'note', value: 'x'.repeat(500), dataType: 'TEXT', traceId: TRACE, observationId: 'o' }),
    },
    { name: 'score without dataType, string value', event: ev('score-create', { name: 'label', value: 'good', traceId: TRACE }) },
    { name: 'envelope metadata null', event: ev('span-create', { id: 's' }, { metadata: null }) },
    { name: 'trace metadata null', event: ev('trace-create', { id: 't', metadata: null }) },
    { name: 'usageDetails with values the server drops', event: ev('generation-create', { id: 'g', usageDetails: { input: 1.5, x: 'a', y: -1 } }) },
    { name: 'costDetails with values the server drops', event: ev('generation-create', { id: 'g', costDetails: { input: '0.1', total: null } }) },
    { name: 'environment of any type (normalised by the server)', event: ev('trace-create', { id: 't', environment: 42 }) },
    { name: 'body id of 800 chars', event: ev('span-create', { id: 'x'.repeat(800) }) },
    { name: 'id with a line feed (only CR is banned)', event: ev('span-create', { id: 's' }, { id: 'a\nb' }) },
  ])('$name', ({ event }) => {
    expect(parseIngestionEvent(event)).toStrictEqual({ ok: true, event });
  });
});

describe('unknown keys are kept', () => {
  test.for([
    {
      name: 'span body and envelope',
      event: ev('span-create', { id: 's', bridge: { kind: 'CLIENT', links: [] } }, { sdkExtra: true }),
    },
    {
      name: 'generation body, usage and model fields on a span-like type',
      event: ev('tool-create', { id: 't', usage: { input: 1, vendorCount: 7 }, 'otel.status_code': 'ERROR' }),
    },
    { name: 'usage on a span (the server would strip it)', event: ev('span-create', { id: 's', usage: { input: 1.5 } }) },
    { name: 'trace body', event: ev('trace-create', { id: 't', bookmarked: true, nested: { a: [1, { b: 2 }] } }) },
    { name: 'score body', event: ev('score-create', { name: 'n', value: 1, traceId: 't', annotator: 'ann-1' }) },
    { name: 'legacy observation environment', event: ev('observation-create', { type: 'SPAN', environment: 'prod' }) },
  ])('$name', ({ event }) => {
    expect(parseIngestionEvent(event)).toStrictEqual({ ok: true, event });
  });

  test('a __proto__ key is skipped by zod and pollutes nothing', () => {
    const raw: unknown = JSON.parse(
      `{"id":"e","type":"span-create","timestamp":"${T}","body":{"id":"s","__proto__":{"polluted":true},"keep":1}}`,
    );
    expect(parseIngestionEvent(raw)).toStrictEqual({
      ok: true,
      event: { id: 'e', type: 'span-create', timestamp: T, body: { id: 's', keep: 1 } },
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('rejected events', () => {
  test.for([
    { name: 'float count in legacy usage', raw: ev('generation-create', { id: 'g', usage: { input: 1.5 } }), message: 'body.usage.input: Invalid input: expected int, received number' },
    { name: 'float promptTokens', raw: ev('generation-create', { id: 'g', usage: { promptTokens: 1.5 } }), message: 'body.usage.promptTokens: Invalid input: expected int, received number' },
    { name: 'unknown usage unit', raw: ev('generation-create', { id: 'g', usage: { unit: 'WORDS' } }), message: 'body.usage.unit: Invalid option: expected one of "CHARACTERS"|"TOKENS"|"SECONDS"|"MILLISECONDS"|"IMAGES"|"REQUESTS"' },
    { name: 'usageDetails not a record', raw: ev('generation-create', { id: 'g', usageDetails: [1] }), message: 'body.usageDetails: Invalid input: expected record, received array' },
    { name: 'modelParameters nested object of numbers', raw: ev('generation-create', { id: 'g', modelParameters: { response_format: { a: 1 } } }), message: 'body.modelParameters.response_format: Invalid input' },
    { name: 'modelParameters array of objects', raw: ev('embedding-create', { id: 'g', modelParameters: { tools: [{}] } }), message: 'body.modelParameters.tools: Invalid input' },
    { name: 'legacy modelParameters string array', raw: ev('observation-create', { type: 'GENERATION', modelParameters: { stop: ['x'] } }), message: 'body.modelParameters.stop: Invalid input' },
    { name: 'legacy observation without type', raw: ev('observation-update', { id: 'o' }), message: 'body.type: Invalid option: expected one of "GENERATION"|"SPAN"|"EVENT"' },
    { name: 'promptName without promptVersion', raw: ev('generation-create', { id: 'g', promptName: 'p' }), message: `body.promptVersion: ${PROMPT_MESSAGE}` },
    { name: 'promptVersion without promptName', raw: ev('generation-update', { id: 'g', promptVersion: 3 }), message: `body.promptVersion: ${PROMPT_MESSAGE}` },
    { name: 'promptVersion 0 counts as absent', raw: ev('agent-create', { id: 'g', promptName: 'p', promptVersion: 0 }), message: `body.promptVersion: ${PROMPT_MESSAGE}` },
    { name: 'float promptVersion', raw: ev('generation-create', { id: 'g', promptName: 'p', promptVersion: 1.5 }), message: 'body.promptVersion: Invalid input: expected int, received number' },
    { name: 'timestamp without offset', raw: ev('span-create', { id: 's' }, { timestamp: '2025-01-01T00:00:00' }), message: `timestamp: ${DATETIME_MESSAGE}` },
    { name: 'startTime with a space', raw: ev('span-create', { id: 's', startTime: '2025-01-01 00:00:00Z' }), message: `body.startTime: ${DATETIME_MESSAGE}` },
    { name: 'endTime with +0200', raw: ev('span-update', { id: 's', endTime: '2025-01-01T00:00:00+0200' }), message: `body.endTime: ${DATETIME_MESSAGE}` },
    { name: 'envelope id with CR', raw: ev('span-create', { id: 's' }, { id: 'a\rb' }), id: 'a\rb', message: 'id: ID cannot contain carriage return characters' },
    { name: 'envelope id of 801 chars', raw: ev('span-create', { id: 's' }, { id: 'x'.repeat(801) }), id: 'x'.repeat(801), message: 'id: Too big: expected string to have <=800 characters' },
    { name: 'body id of 801 chars', raw: ev('span-create', { id: 'x'.repeat(801) }), message: 'body.id: Too big: expected string to have <=800 characters' },
    { name: 'empty body id', raw: ev('event-create', { id: '' }), message: 'body.id: Too small: expected string to have >=1 characters' },
    { name: 'span-create without body.id', raw: ev('span-create', { name: 'n' }), message: 'body.id: Invalid input: expected string, received undefined' },
    { name: 'event-create without body.id', raw: ev('event-create', { name: 'n' }), message: 'body.id: Invalid input: expected string, received undefined' },
    { name: 'bad level', raw: ev('span-update', { id: 's', level: 'INFO' }), message: 'body.level: Invalid option: expected one of "DEBUG"|"DEFAULT"|"WARNING"|"ERROR"' },
    { name: 'missing body', raw: { id: 'evt-1', type: 'trace-create', timestamp: T }, message: 'body: Invalid input: expected object, received undefined' },
    { name: 'missing timestamp', raw: { id: 'evt-1', type: 'trace-create', body: {} }, message: 'timestamp: Invalid input: expected string, received undefined' },
    { name: 'missing envelope id', raw: { type: 'trace-create', timestamp: T, body: {} }, id: 'unknown', message: 'id: Invalid input: expected string, received undefined' },
    { name: 'trace name over 1000 chars', raw: ev('trace-create', { id: 't', name: 'n'.repeat(1001) }), message: 'body.name: Too big: expected string to have <=1000 characters' },
    { name: 'trace tag not a string', raw: ev('trace-create', { id: 't', tags: ['a', 1] }), message: 'body.tags.1: Invalid input: expected string, received number' },
    { name: 'trace metadata not JSON', raw: ev('trace-create', { id: 't', metadata: { n: 1n } }), message: 'body.metadata: Invalid input' },
    { name: 'trace public not boolean', raw: ev('trace-create', { id: 't', public: 'yes' }), message: 'body.public: Invalid input: expected boolean, received string' },
    { name: 'score with empty name', raw: ev('score-create', { name: '', value: 1, traceId: 't' }), message: 'body.name: Too small: expected string to have >=1 characters' },
    { name: 'score on trace and session', raw: ev('score-create', { name: 'n', value: 1, traceId: 't', sessionId: 's' }), message: SCORE_TARGET_MESSAGE },
    { name: 'score on observation without trace', raw: ev('score-create', { name: 'n', value: 1, sessionId: 's', observationId: 'o' }), message: SCORE_TARGET_MESSAGE },
    { name: 'score without a target', raw: ev('score-create', { name: 'n', value: 1 }), message: SCORE_TARGET_MESSAGE },
    { name: 'NUMERIC score with a string', raw: ev('score-create', { name: 'n', value: 'x', dataType: 'NUMERIC', traceId: 't' }), message: 'body.value: Invalid input: expected number, received string' },
    { name: 'BOOLEAN score of 0.5', raw: ev('score-create', { name: 'n', value: 0.5, dataType: 'BOOLEAN', traceId: 't' }), message: 'body.value: Value must be a number equal to either 0 or 1 for data type BOOLEAN' },
    { name: 'CORRECTION score with configId', raw: ev('score-create', { name: 'n', value: 'fix', dataType: 'CORRECTION', configId: 'c', traceId: 't' }), message: 'body.configId: Invalid input: expected undefined, received string' },
    { name: 'TEXT score of 501 chars', raw: ev('score-create', { name: 'n', value: 'x'.repeat(501), dataType: 'TEXT', traceId: 't' }), message: 'body.value: Too big: expected string to have <=500 characters' },
    { name: 'empty TEXT score', raw: ev('score-create', { name: 'n', value: '', dataType: 'TEXT', traceId: 't' }), message: 'body.value: Too small: expected string to have >=1 characters' },
    { name: 'score with a boolean value', raw: ev('score-create', { name: 'n', value: true, traceId: 't' }), message: 'body.value: Invalid input' },
    { name: 'unknown score dataType', raw: ev('score-create', { name: 'n', value: 1, dataType: 'FLOAT', traceId: 't' }), message: "body.dataType: Invalid discriminator value. Expected 'NUMERIC' | 'CATEGORICAL' | 'BOOLEAN' | 'CORRECTION' | 'TEXT' | 'undefined'" },
    { name: 'null score source', raw: ev('score-create', { name: 'n', value: 1, source: null, traceId: 't' }), message: 'body.source: Invalid option: expected one of "API"|"EVAL"|"ANNOTATION"' },
    { name: 'sdk-log with a null log', raw: ev('sdk-log', { log: null }), message: 'body.log: Invalid input' },
    { name: 'dataset-run-item-create (internal only)', raw: ev('dataset-run-item-create', { traceId: 't', datasetId: 'd', runId: 'r', datasetItemId: 'i' }), message: '(root): Dataset run item creation is only allowed for internal usage' },
    { name: 'unknown event type', raw: ev('trace-update', {}), message: `type: Invalid discriminator value. Expected ${INGESTION_EVENT_TYPES.map((t) => `'${t}'`).join(' | ')}` },
    { name: 'several issues joined', raw: ev('generation-create', { id: 'g', usage: { input: 1.5 }, level: 'INFO' }, { timestamp: '2025-01-01' }), message: `timestamp: ${DATETIME_MESSAGE}; body.level: Invalid option: expected one of "DEBUG"|"DEFAULT"|"WARNING"|"ERROR"; body.usage.input: Invalid input: expected int, received number` },
  ])('$name', ({ raw, id, message }) => {
    expect(parseIngestionEvent(raw)).toStrictEqual({ ok: false, id: id ?? 'evt-1', message });
  });

  test('non-objects get id "unknown"', () => {
    expect(parseIngestionEvent('span-create')).toStrictEqual({ ok: false, id: 'unknown', message: '(root): Invalid input: expected object, received string' });
    expect(parseIngestionEvent(null)).toStrictEqual({ ok: false, id: 'unknown', message: '(root): Invalid input: expected object, received null' });
  });

  test('a long summary is cut to 500 chars', () => {
    const body = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, { a: 1 }]));
    const result = parseIngestionEvent(ev('generation-create', { id: 'g', modelParameters: body }));
    expect(result).toStrictEqual({
      ok: false,
      id: 'evt-1',
      message: `${Array.from({ length: 40 }, (_, i) => `body.modelParameters.k${i}: Invalid input`).join('; ').slice(0, 499)}…`,
    });
  });
});

describe('isoDateTimeSchema', () => {
  test.for([
    '2025-01-01T00:00:00Z',
    '2025-01-01T00:00:00.123456789Z',
    '2025-01-01T00:00:00+02:00',
    '2025-02-06T16:23:27.644253-08:00',
    '2025-01-01T00:00Z',
    '2025-01-01T00:00+05:30',
    '2024-02-29T23:59:59.9Z',
  ])('accepts %s', (s) => {
    expect(isoDateTimeSchema.safeParse(s)).toStrictEqual({ success: true, data: s });
  });

  test.for([
    '2025-01-01T00:00:00',
    '2025-01-01 00:00:00Z',
    '2025-01-01T00:00:00+0200',
    '2025-01-01',
    '2025-02-29T00:00:00Z',
    '2025-01-01T24:00:00Z',
    '2025-01-01T00:00:00.Z',
    '2025-01-01t00:00:00z',
    '2025-01-01T00:00:00Z ',
  ])('rejects %s', (s) => {
    expect(isoDateTimeSchema.safeParse(s).error?.issues.map((i) => i.message)).toStrictEqual([DATETIME_MESSAGE]);
  });

  test('accepts every Date#toISOString of years 0000-9999', () => {
    const dates = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(fc.property(dates, (d) => isoDateTimeSchema.safeParse(d.toISOString()).success));
  });
});

describe('idSchema', () => {
  test.for([
    { name: '1 char', id: 'a', ok: true },
    { name: '800 chars', id: 'x'.repeat(800), ok: true },
    { name: '801 chars', id: 'x'.repeat(801), ok: false },
    { name: 'empty', id: '', ok: false },
    { name: 'CR', id: 'a\rb', ok: false },
  ])('$name', ({ id, ok }) => {
    expect(idSchema.safeParse(id).success).toBe(ok);
  });
});

describe('exported constants and types', () => {
  test('INGESTION_EVENT_TYPES lists the union members in order', () => {
    expect(ingestionEventSchema.options.map((o) => o.shape.type.value)).toStrictEqual([...INGESTION_EVENT_TYPES]);
    expect(INGESTION_EVENT_TYPES).toStrictEqual([
      'trace-create', 'score-create', 'event-create', 'span-create', 'span-update', 'generation-create',
      'generation-update', 'agent-create', 'tool-create', 'chain-create', 'retriever-create', 'evaluator-create',
      'embedding-create', 'guardrail-create', 'sdk-log', 'dataset-run-item-create', 'observation-create',
      'observation-update',
    ]);
  });

  test('OBSERVATION_TYPES', () => {
    expect(OBSERVATION_TYPES).toStrictEqual([
      'SPAN', 'GENERATION', 'EVENT', 'AGENT', 'TOOL', 'CHAIN', 'RETRIEVER', 'EVALUATOR', 'EMBEDDING', 'GUARDRAIL',
    ]);
  });

  test('inferred types narrow on type', () => {
    expectTypeOf<IngestionEvent['type']>().toEqualTypeOf<IngestionEventType>();
    expectTypeOf<ObservationType>().toEqualTypeOf<(typeof OBSERVATION_TYPES)[number]>();
    expectTypeOf<Level>().toEqualTypeOf<'DEBUG' | 'DEFAULT' | 'WARNING' | 'ERROR'>();
    expectTypeOf<GenerationBody['promptVersion']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<SpanBody['id']>().toEqualTypeOf<string>();
    expectTypeOf<ModelParameters[string]>().toEqualTypeOf<
      string | number | boolean | string[] | Record<string, string> | null | undefined
    >();
    const result = parseIngestionEvent(ev('guardrail-create', { id: 'g', model: 'm' }));
    const model = result.ok && result.event.type === 'guardrail-create' ? result.event.body.model : undefined;
    expect(model).toBe('m');
  });
});

describe('ingestionBatchSchema', () => {
  test.for([
    { name: 'elements of any kind', raw: { batch: [1, null, 'x'] }, ok: true },
    { name: 'batch not an array', raw: { batch: 'x' }, ok: false },
    { name: 'no batch', raw: {}, ok: false },
    { name: 'null metadata', raw: { batch: [], metadata: null }, ok: true },
  ])('$name', ({ raw, ok }) => {
    expect(ingestionBatchSchema.safeParse(raw)).toStrictEqual(ok ? { success: true, data: raw } : expect.objectContaining({ success: false }));
  });
});

describe('parseIngestionEvent never throws', () => {
  test('on fc.anything()', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    fc.assert(
      fc.property(anything, (raw) => {
        const result = parseIngestionEvent(raw);
        const rawId: unknown = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
        if (typeof raw !== 'object' || raw === null) {
          expect(result).toStrictEqual({ ok: false, id: 'unknown', message: expect.stringMatching(/^\(root\): Invalid input: expected object, received -?\w+$/) });
        } else if (!result.ok) {
          expect(result.id).toBe(typeof rawId === 'string' ? rawId : 'unknown');
          expect(result.message.length).toBeLessThanOrEqual(500);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('on envelopes with arbitrary bodies', () => {
    const envelope = fc.record(
      {
        id: fc.oneof(fc.string(), fc.anything()),
        type: fc.constantFrom(...INGESTION_EVENT_TYPES),
        timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
        metadata: fc.anything(),
        body: fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom('id', 'traceId', 'name', 'usage', 'level', 'value', '__proto__'), fc.anything())),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(envelope, (raw) => {
        const result = parseIngestionEvent(raw);
        if (result.ok) expect(INGESTION_EVENT_TYPES).toContain(result.event.type);
        else expect(result.id).toBe(typeof raw.id === 'string' ? raw.id : 'unknown');
      }),
      { numRuns: 500 },
    );
  });

  test('on cyclic input and metadata', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const withInput = ev('span-create', { id: 's', input: cyclic });
    expect(parseIngestionEvent(withInput)).toStrictEqual({ ok: true, event: withInput });
    expect(() => parseIngestionEvent(ev('span-create', { id: 's', metadata: cyclic }))).not.toThrow();
  });

  test('on metadata nested deeper than the stack', () => {
    const deep: unknown[] = [];
    let cursor = deep;
    for (let i = 0; i < 100_000; i++) {
      const next: unknown[] = [];
      cursor.push(next);
      cursor = next;
    }
    expect(parseIngestionEvent(ev('trace-create', { id: 't', metadata: deep }))).toStrictEqual({
      ok: false,
      id: 'evt-1',
      message: 'validation aborted: input is cyclic or nested too deeply',
    });
  });

  test('on a 5 MB id', () => {
    const id = 'x'.repeat(5_000_000);
    expect(parseIngestionEvent(ev('span-create', { id: 's' }, { id }))).toStrictEqual({
      ok: false,
      id,
      message: 'id: Too big: expected string to have <=800 characters',
    });
  });
});
