/**
 * Hostile input: spansToIngestion never throws, reports every repair as an issue stamped with the
 * span id, and the good spans of the same call still map. Odd spans are built by hand as plain
 * objects cast to ReadableSpan where the span-dump format cannot express them. Every emitted event
 * must pass the server's rules (parseIngestionEvent). At the end, fast-check properties over
 * arbitrary span-like objects: no throw, issues stamped with their span id, valid events, and
 * output that is deterministic and independent of the input order.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { MappingIssue } from '../../../src/mapping/result.js';
import { parseIngestionEvent } from '../../../src/mapping/schema.js';
import type { ToIngestionOptions } from '../../../src/mapping/to-ingestion/index.js';
import { spansToIngestion } from '../../../src/mapping/to-ingestion/index.js';
import type { Body, Mapped } from './build.js';
import { END, END_ISO, SPAN_ID, START, START_ISO, TRACE_ID, leftovers, mapSpans, span } from './build.js';
import { ODD_ID, SPAN_SPEC, toSpan } from '../../helpers/span-arbitraries.js';
import type { SpanSpec } from '../../helpers/span-arbitraries.js';

const MARKER = '...[truncated by otel-langfuse-bridge, original length ';

/** A span as a plain object: anything can be overridden, including with nonsense. */
function rawSpan(overrides: Record<string, unknown> = {}, ids: { traceId?: unknown; spanId?: unknown } = {}): ReadableSpan {
  const context = { traceId: TRACE_ID, spanId: ODD_ID, traceFlags: 1, ...ids };
  return {
    name: 'odd',
    kind: 0,
    spanContext: () => context,
    parentSpanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 },
    startTime: START,
    endTime: END,
    ended: true,
    status: { code: 0 },
    attributes: {},
    events: [],
    links: [],
    resource: { attributes: {} },
    instrumentationScope: { name: 'odd-scope' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  } as unknown as ReadableSpan;
}

/**
 * Maps the good root span (SPAN_ID) together with `odd`, checks that the call did not throw, that
 * the good span mapped and that every event is valid; returns the odd span's observation (if any).
 */
function withGood(odd: ReadableSpan, options?: ToIngestionOptions): Mapped & { odd?: Body } {
  const mapped = mapSpans([span({ name: 'good' }), odd], options);
  expect(mapped.observations.find((o) => o.body.id === SPAN_ID)?.body.name).toBe('good');
  for (const event of mapped.events) expect(parseIngestionEvent(event)).toMatchObject({ ok: true });
  const found = mapped.observations.find((o) => o.body.id === ODD_ID)?.body;
  return found ? { ...mapped, odd: found } : mapped;
}

function where(issues: readonly MappingIssue[]): Array<{ code: string; path?: string; spanId?: string }> {
  return issues.map(({ code, path, spanId }) => ({ code, ...(path === undefined ? {} : { path }), ...(spanId === undefined ? {} : { spanId }) }));
}

function byPath(issues: readonly MappingIssue[]): Array<{ code: string; path?: string; spanId?: string }> {
  return where(issues).sort((a, b) => String(a.path).localeCompare(String(b.path)));
}

describe('ids', () => {
  test.for<{ name: string; ids: { traceId?: unknown; spanId?: unknown }; noContext?: boolean; issues: Array<{ code: string; spanId?: string }> }>([
    { name: 'invalid span id: skipped, the issue names it', ids: { spanId: 'xyz' }, issues: [{ code: 'INVALID_ID', spanId: 'xyz' }] },
    { name: 'all-zero span id', ids: { spanId: '0000000000000000' }, issues: [{ code: 'INVALID_ID', spanId: '0000000000000000' }] },
    { name: 'missing trace id', ids: { traceId: undefined }, issues: [{ code: 'INVALID_ID', spanId: ODD_ID }] },
    { name: 'short trace id', ids: { traceId: 'abc' }, issues: [{ code: 'INVALID_ID', spanId: ODD_ID }] },
    { name: 'span id not a string: no span id to name', ids: { spanId: 5 }, issues: [{ code: 'INVALID_ID' }] },
  ])('$name', ({ ids, issues }) => {
    const result = withGood(rawSpan({}, ids));
    expect(result.observations).toHaveLength(1);
    expect(where(result.issues)).toEqual(issues);
  });

  test('no spanContext function, or one that throws: skipped with INVALID_ID', () => {
    const throwing = rawSpan({
      spanContext: () => {
        throw new Error('no context');
      },
    });
    for (const odd of [rawSpan({ spanContext: undefined }), throwing]) {
      const result = withGood(odd);
      expect(result.observations).toHaveLength(1);
      expect(where(result.issues)).toEqual([{ code: 'INVALID_ID' }]);
    }
  });

  test('upper-case ids are lower-cased; issues carry the observation id', () => {
    const result = withGood(rawSpan({ attributes: { 'langfuse.observation.level': 'loud' } }, { spanId: 'DDDDDDDDDDDDDDDD' }));
    expect(result.odd?.id).toBe(ODD_ID);
    expect(where(result.issues)).toEqual([{ code: 'INVALID_VALUE', path: 'langfuse.observation.level', spanId: ODD_ID }]);
  });

  test('an invalid parent id is dropped with an issue; the span becomes a root', () => {
    const result = withGood(rawSpan({ parentSpanContext: { spanId: 'zz' } }));
    expect(result.odd).not.toHaveProperty('parentObservationId');
    expect(where(result.issues)).toEqual([{ code: 'INVALID_ID', path: 'parentSpanId', spanId: ODD_ID }]);
  });
});

describe('times', () => {
  test.for<{ name: string; startTime: unknown; endTime?: unknown; ended?: boolean; start: string; end: string; issues: Array<{ code: string; path: string }> }>([
    { name: 'NaN start: the end is used', startTime: [Number.NaN, 0], start: END_ISO, end: END_ISO, issues: [{ code: 'INVALID_TIME', path: 'startTime' }] },
    { name: 'negative start', startTime: [-1, 0], start: END_ISO, end: END_ISO, issues: [{ code: 'INVALID_TIME', path: 'startTime' }] },
    { name: '[0, 0] start means unset', startTime: [0, 0], start: END_ISO, end: END_ISO, issues: [{ code: 'INVALID_TIME', path: 'startTime' }] },
    { name: 'nanoseconds past one second', startTime: [START[0], 1_000_000_000], start: END_ISO, end: END_ISO, issues: [{ code: 'INVALID_TIME', path: 'startTime' }] },
    { name: 'start not an array', startTime: 'yesterday', start: END_ISO, end: END_ISO, issues: [{ code: 'INVALID_TIME', path: 'startTime' }] },
    {
      name: 'end before start: end = start',
      startTime: START,
      endTime: [START[0], 100_000_000],
      start: START_ISO,
      end: START_ISO,
      issues: [{ code: 'INVALID_TIME', path: 'endTime' }],
    },
    { name: 'NaN end: incomplete', startTime: START, endTime: [Number.NaN, 0], start: START_ISO, end: START_ISO, issues: [{ code: 'MISSING_END_TIME', path: 'endTime' }] },
    { name: 'not ended: incomplete', startTime: START, ended: false, start: START_ISO, end: START_ISO, issues: [{ code: 'MISSING_END_TIME', path: 'endTime' }] },
  ])('$name', ({ startTime, endTime, ended, start, end, issues }) => {
    const result = withGood(rawSpan({ startTime, ...(endTime === undefined ? {} : { endTime }), ...(ended === undefined ? {} : { ended }) }));
    expect(result.odd).toMatchObject({ startTime: start, endTime: end });
    expect(where(result.issues)).toEqual(issues.map((i) => ({ ...i, spanId: ODD_ID })));
  });

  test.for([
    { name: 'both NaN', startTime: [Number.NaN, 0], endTime: [Number.NaN, 0] },
    { name: 'both [0, 0]', startTime: [0, 0], endTime: [0, 0] },
    { name: 'both missing', startTime: undefined, endTime: undefined },
  ])('no usable time at all ($name): skipped with INVALID_TIME', ({ startTime, endTime }) => {
    const result = withGood(rawSpan({ startTime, endTime }));
    expect(result.odd).toBeUndefined();
    expect(where(result.issues)).toEqual([{ code: 'INVALID_TIME', path: 'startTime', spanId: ODD_ID }]);
  });
});

describe('size', () => {
  test('a 10 MB attribute string is cut to the cap with a marker and a TRUNCATED issue', () => {
    const result = withGood(rawSpan({ attributes: { big: 'x'.repeat(10_000_000) } }));
    const cut = leftovers(result.odd as Body).big as string;
    const marker = `${MARKER}10000000 bytes]`;
    expect(cut.length).toBe(1_000_000 + marker.length);
    expect(cut.endsWith(marker)).toBe(true);
    expect(/^x+$/.test(cut.slice(0, 1_000_000))).toBe(true);
    expect(where(result.issues)).toEqual([{ code: 'TRUNCATED', path: 'big', spanId: ODD_ID }]);
  });

  test.for([
    { name: 'two-byte characters', text: 'é'.repeat(600_000), keptUnits: 500_000, bytes: 1_200_000 },
    { name: 'surrogate pairs are not split', text: '😀'.repeat(300_000), keptUnits: 500_000, bytes: 1_200_000 },
  ])('the cap counts UTF-8 bytes: $name', ({ text, keptUnits, bytes }) => {
    const result = withGood(rawSpan({ attributes: { big: text } }));
    expect(leftovers(result.odd as Body).big).toBe(`${text.slice(0, keptUnits)}${MARKER}${bytes} bytes]`);
  });

  test('maxAttributeBytes sets the cap; 0 turns it off', () => {
    const attributes = { small: 'abcdefghijklmnop' };
    expect(leftovers(withGood(rawSpan({ attributes }), { maxAttributeBytes: 10 }).odd as Body).small).toBe(
      `abcdefghij${MARKER}16 bytes]`,
    );
    expect(leftovers(withGood(rawSpan({ attributes }), { maxAttributeBytes: 0 }).odd as Body).small).toBe('abcdefghijklmnop');
  });

  test('a trace name past 1,000 characters is cut (Langfuse rejects longer ones)', () => {
    const result = mapSpans([span({ name: 'n'.repeat(1500) })]);
    expect(result.traces[0]?.name).toBe('n'.repeat(1000));
    expect(result.observations[0]?.body.name).toBe('n'.repeat(1500));
    expect(where(result.issues)).toEqual([{ code: 'TRUNCATED', path: 'body.name', spanId: SPAN_ID }]);
    for (const event of result.events) expect(parseIngestionEvent(event)).toMatchObject({ ok: true });
  });
});

describe('bad JSON', () => {
  test('invalid usage_details: INVALID_JSON, raw string kept, gen_ai.usage.* used instead', () => {
    const result = withGood(
      rawSpan({ attributes: { 'gen_ai.operation.name': 'chat', 'langfuse.observation.usage_details': '{"input": 1', 'gen_ai.usage.input_tokens': 5 } }),
    );
    expect(result.odd?.usageDetails).toEqual({ input: 5, total: 5 });
    expect(leftovers(result.odd as Body)['langfuse.observation.usage_details']).toBe('{"input": 1');
    expect(where(result.issues)).toEqual([{ code: 'INVALID_JSON', path: 'langfuse.observation.usage_details', spanId: ODD_ID }]);
  });

  test('invalid JSON input: INVALID_JSON, the raw string is the input', () => {
    const result = withGood(rawSpan({ attributes: { 'langfuse.observation.input': '{"a": ' } }));
    expect(result.odd?.input).toBe('{"a": ');
    expect(where(result.issues)).toEqual([{ code: 'INVALID_JSON', path: 'langfuse.observation.input', spanId: ODD_ID }]);
  });

  test.for([
    { name: '100k balanced brackets', text: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
    { name: '100k open brackets', text: '['.repeat(100_000) },
    { name: '300 levels (over the 200 cap)', text: `${'{"a":'.repeat(300)}1${'}'.repeat(300)}` },
  ])('deeply nested JSON is kept as text: $name', ({ text }) => {
    const result = withGood(
      rawSpan({ parentSpanContext: undefined, attributes: { 'langfuse.observation.input': text, 'langfuse.observation.metadata.deep': text } }),
    );
    expect(result.odd?.input).toBe(text);
    expect(result.odd?.metadata?.deep).toBe(text);
    expect(byPath(result.issues)).toEqual([
      { code: 'INVALID_JSON', path: 'langfuse.observation.input', spanId: ODD_ID },
      { code: 'INVALID_JSON', path: 'langfuse.observation.metadata.deep', spanId: ODD_ID },
    ]);
  });

  test('JSON numbers that overflow a double (1e400) in metadata are kept as text', () => {
    const attributes = { 'langfuse.observation.metadata.k': '{"a":1e400}', 'langfuse.trace.metadata': '{"b":-1e999,"c":1}' };
    const result = withGood(rawSpan({ attributes }));
    expect(result.odd?.metadata?.k).toEqual({ a: 'Infinity' });
    expect(result.traces[0]?.metadata).toEqual({ b: '-Infinity', c: 1 });
    expect(byPath(result.issues)).toEqual([
      { code: 'INVALID_VALUE', path: 'langfuse.observation.metadata.k', spanId: ODD_ID },
      { code: 'INVALID_VALUE', path: 'langfuse.trace.metadata', spanId: ODD_ID },
    ]);
  });

  test('a prompt version 0 is no version (the server rejects it beside a name): both stay attributes', () => {
    const attributes = { 'gen_ai.operation.name': 'chat', 'langfuse.observation.prompt.name': 'p', 'langfuse.observation.prompt.version': 0 };
    const result = withGood(rawSpan({ attributes }));
    expect(result.odd).not.toHaveProperty('promptName');
    expect(leftovers(result.odd as Body)).toMatchObject({ 'langfuse.observation.prompt.name': 'p', 'langfuse.observation.prompt.version': 0 });
  });
});

describe('hostile keys', () => {
  test('__proto__ / constructor / prototype keys are dropped everywhere; Object.prototype stays clean', () => {
    const attributes = JSON.parse(
      '{"__proto__":{"polluted":"yes"},"constructor":"c","a.prototype.b":1,"ok":"fine",' +
        '"nested":{"x":{"__proto__":{"polluted":"yes"}}},' +
        '"langfuse.observation.input":"{\\"__proto__\\":{\\"polluted\\":\\"yes\\"},\\"a\\":1}",' +
        '"langfuse.observation.metadata":"{\\"constructor\\":{\\"prototype\\":{\\"polluted\\":\\"yes\\"}},\\"kept\\":1}",' +
        '"langfuse.trace.metadata":"{\\"__proto__\\":{\\"polluted\\":\\"yes\\"},\\"t\\":1}"}',
    ) as Record<string, unknown>;
    const events = [{ name: 'e', time: START, attributes: JSON.parse('{"__proto__":{"polluted":"yes"},"k":"v"}') as unknown }];
    const result = withGood(rawSpan({ attributes, events, parentSpanContext: undefined }));

    expect(result.odd?.input).toEqual({ a: 1 });
    expect(result.odd?.metadata?.kept).toBe(1);
    expect(leftovers(result.odd as Body)).toEqual({ ok: 'fine', nested: { x: {} } });
    expect(result.odd?.metadata?.['bridge.events']).toEqual([{ name: 'e', time: START_ISO, attributes: { k: 'v' } }]);
    expect(result.traces[0]?.metadata).toEqual({ t: 1 });
    expect(byPath(result.issues)).toEqual([
      { code: 'HOSTILE_KEY', path: '__proto__', spanId: ODD_ID },
      { code: 'HOSTILE_KEY', path: 'a.prototype.b', spanId: ODD_ID },
      { code: 'HOSTILE_KEY', path: 'constructor', spanId: ODD_ID },
      { code: 'HOSTILE_KEY', path: 'events[0].attributes.__proto__', spanId: ODD_ID },
      { code: 'HOSTILE_KEY', path: 'langfuse.observation.input', spanId: ODD_ID },
      { code: 'HOSTILE_KEY', path: 'langfuse.observation.metadata', spanId: ODD_ID },
      { code: 'HOSTILE_KEY', path: 'langfuse.trace.metadata', spanId: ODD_ID },
      { code: 'HOSTILE_KEY', path: 'nested', spanId: ODD_ID },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('hostile keys spelled with JSON escapes', () => {
  test('"\\u005f_proto__" and friends in JSON payloads are dropped like the plain keys', () => {
    const attributes = {
      'langfuse.observation.input': '{"\\u005f_proto__":{"polluted":"yes"},"a":1}',
      'langfuse.observation.metadata': '{"constructo\\u0072":{"prototype":{"polluted":"yes"}},"kept":"caf\\u00e9"}',
    };
    const result = withGood(rawSpan({ attributes, parentSpanContext: undefined }));
    expect(result.odd?.input).toEqual({ a: 1 });
    expect(Object.keys(result.odd?.input as object)).toEqual(['a']);
    expect(result.odd?.metadata?.kept).toBe('café');
    expect(result.odd?.metadata).not.toHaveProperty('constructor');
    expect(byPath(result.issues)).toEqual([
      { code: 'HOSTILE_KEY', path: 'langfuse.observation.input', spanId: ODD_ID },
      { code: 'HOSTILE_KEY', path: 'langfuse.observation.metadata', spanId: ODD_ID },
    ]);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('values JSON cannot hold', () => {
  test('cycles are cut with a marker, in attributes, event attributes and resource attributes', () => {
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    const arr: unknown[] = [1];
    arr.push(arr);
    const shared = { s: 1 };
    const result = withGood(
      rawSpan({
        attributes: { cyc, arr, dag: { a: shared, b: shared } },
        events: [{ name: 'e', time: START, attributes: { cyc } }],
        resource: { attributes: { cyc } },
      }),
    );
    const body = result.odd as Body;
    expect(leftovers(body)).toEqual({ arr: [1, '[Circular]'], cyc: { a: 1, self: '[Circular]' }, dag: { a: { s: 1 }, b: { s: 1 } } });
    expect(body.metadata?.['bridge.events']).toEqual([{ name: 'e', time: START_ISO, attributes: { cyc: { a: 1, self: '[Circular]' } } }]);
    expect(body.metadata?.resourceAttributes).toEqual({ cyc: { a: 1, self: '[Circular]' } });
    expect(byPath(result.issues)).toEqual([
      { code: 'INVALID_VALUE', path: 'arr', spanId: ODD_ID },
      { code: 'INVALID_VALUE', path: 'cyc', spanId: ODD_ID },
      { code: 'INVALID_VALUE', path: 'events[0].attributes.cyc', spanId: ODD_ID },
      { code: 'INVALID_VALUE', path: 'resource.cyc', spanId: ODD_ID },
    ]);
  });

  test('NaN, Infinity and bigints become text; functions and symbols are dropped; all with issues', () => {
    const attributes = {
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      big: 12345678901234567890n,
      fn: () => 1,
      sym: Symbol('s'),
      list: [1, Number.NaN],
      date: new Date(0),
    };
    const result = withGood(rawSpan({ attributes }));
    expect(leftovers(result.odd as Body)).toEqual({
      nan: 'NaN',
      inf: '-Infinity',
      big: '12345678901234567890',
      list: [1, 'NaN'],
      date: '1970-01-01T00:00:00.000Z',
    });
    expect(byPath(result.issues).map((i) => `${i.code} ${String(i.path)}`)).toEqual([
      'INVALID_VALUE big',
      'INVALID_VALUE fn',
      'INVALID_VALUE inf',
      'INVALID_VALUE list',
      'INVALID_VALUE nan',
      'INVALID_VALUE sym',
    ]);
  });

  test('an object nested past the depth cap is kept as JSON text; one too deep for JSON is dropped', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    let deeper: unknown = 1;
    for (let i = 0; i < 100_000; i++) deeper = [deeper];
    const result = withGood(rawSpan({ attributes: { deep, deeper } }));
    expect(leftovers(result.odd as Body)).toEqual({ deep: `${'['.repeat(300)}1${']'.repeat(300)}` });
    expect(byPath(result.issues)).toMatchObject([
      { code: 'INVALID_VALUE', path: 'deep' },
      { code: 'INVALID_VALUE', path: 'deeper' },
    ]);
  });
});

describe('malformed span shapes', () => {
  test('non-array events and links are no events and links', () => {
    const result = withGood(rawSpan({ events: 'oops', links: { a: 1 } }));
    expect(result.odd?.metadata).not.toHaveProperty('bridge.events');
    expect(result.odd?.metadata).not.toHaveProperty('bridge.links');
  });

  test('junk inside the events and links arrays is dropped with issues', () => {
    const result = withGood(
      rawSpan({
        events: [null, 5, { name: 7, time: START, attributes: 'str' }, { name: 'ok', time: 'bad' }],
        links: [null, { context: 5 }, { context: { traceId: 1, spanId: 'ab' } }],
      }),
    );
    expect(result.odd?.metadata?.['bridge.events']).toEqual([{ name: '', time: START_ISO }, { name: 'ok' }]);
    expect(result.odd?.metadata?.['bridge.links']).toEqual([{}, { spanId: 'ab' }]);
    expect(byPath(result.issues).map((i) => `${i.code} ${String(i.path)}`)).toEqual([
      'INVALID_VALUE events[0]',
      'INVALID_VALUE events[1]',
      'INVALID_VALUE events[2].name',
      'INVALID_VALUE links[0]',
    ]);
  });

  test('attributes that throw when read are dropped; the span still maps', () => {
    const attributes = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('nope');
        },
      },
    );
    const result = withGood(rawSpan({ attributes }));
    expect(result.odd?.name).toBe('odd');
    expect(where(result.issues)).toMatchObject([{ code: 'INVALID_VALUE', spanId: ODD_ID }]);
  });

  test('a span property that throws: the span is skipped with SKIPPED and its id', () => {
    const odd = rawSpan();
    Object.defineProperty(odd, 'startTime', {
      get() {
        throw new Error('boom');
      },
    });
    const result = withGood(odd);
    expect(result.odd).toBeUndefined();
    expect(where(result.issues)).toEqual([{ code: 'SKIPPED', spanId: ODD_ID }]);
  });

  test('status, scope, kind and name of the wrong types are ignored', () => {
    const result = withGood(rawSpan({ status: 'bad', instrumentationScope: null, kind: 99, name: 42 }));
    expect(result.odd).toMatchObject({ name: '', metadata: { scope: { name: '' } } });
    expect(result.odd).not.toHaveProperty('level');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const VALID_TRACE_ID = /^(?!0{32}$)[0-9a-fA-F]{32}$/;
const VALID_SPAN_ID = /^(?!0{16}$)[0-9a-fA-F]{16}$/;

/** The span id an issue about this span must carry: the observation id when valid, else as given. */
function expectedIssueSpanId(spec: SpanSpec): string | undefined {
  if (typeof spec.spanId !== 'string') return undefined;
  const valid = typeof spec.traceId === 'string' && VALID_TRACE_ID.test(spec.traceId) && VALID_SPAN_ID.test(spec.spanId);
  return valid ? spec.spanId.toLowerCase() : spec.spanId;
}

const RUNS = { numRuns: 300 };

describe('properties over arbitrary span-like objects', () => {
  test('(a) one span: never throws, every issue carries that span id when it had one', () => {
    fc.assert(
      fc.property(SPAN_SPEC, fc.boolean(), (spec, legacyTypes) => {
        const { issues } = spansToIngestion([toSpan(spec)], { legacyTypes });
        const expected = expectedIssueSpanId(spec);
        for (const issue of issues) expect(issue.spanId).toBe(expected);
      }),
      RUNS,
    );
  });

  test('(a) many spans: never throws; issues name input spans, and all do when all had ids', () => {
    fc.assert(
      fc.property(fc.array(SPAN_SPEC, { maxLength: 8 }), (specs) => {
        const { issues } = spansToIngestion(specs.map(toSpan));
        const ids = new Set(specs.map(expectedIssueSpanId));
        for (const issue of issues) expect(ids.has(issue.spanId)).toBe(true);
      }),
      RUNS,
    );
  });

  test('(b) every emitted event passes parseIngestionEvent (Langfuse server rules)', () => {
    fc.assert(
      fc.property(fc.array(SPAN_SPEC, { maxLength: 8 }), fc.boolean(), (specs, legacyTypes) => {
        for (const event of spansToIngestion(specs.map(toSpan), { legacyTypes }).value) {
          const parsed = parseIngestionEvent(event);
          if (!parsed.ok) expect.fail(`${event.type} rejected: ${parsed.message}\n${JSON.stringify(event).slice(0, 2000)}`);
        }
      }),
      RUNS,
    );
  });

  test('(c) deterministic, and independent of the input order', () => {
    const SPECS_AND_ORDER = fc
      .array(SPAN_SPEC, { maxLength: 8 })
      .chain((specs) => fc.tuple(fc.constant(specs), fc.shuffledSubarray(specs, { minLength: specs.length, maxLength: specs.length })));
    fc.assert(
      fc.property(SPECS_AND_ORDER, ([specs, shuffled]) => {
        const first = spansToIngestion(specs.map(toSpan));
        const again = spansToIngestion(specs.map(toSpan));
        const reordered = spansToIngestion(shuffled.map(toSpan));
        expect(JSON.stringify(again.value)).toBe(JSON.stringify(first.value));
        expect(JSON.stringify(again.issues)).toBe(JSON.stringify(first.issues));
        expect(JSON.stringify(reordered.value)).toBe(JSON.stringify(first.value));
        // Issues come in input order; as a multiset they are the same.
        const sorted = (issues: readonly MappingIssue[]): string[] => issues.map((i) => JSON.stringify(i)).sort();
        expect(sorted(reordered.issues)).toEqual(sorted(first.issues));
      }),
      RUNS,
    );
  });

  test('Object.prototype is still clean after all of the above', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
