/**
 * spans -> ingestion -> spans gives back the same spans except the named SPANS_LOSSY_FIELDS:
 * ids, parents, names, kinds, times to the nanosecond, status, events, links, trace state,
 * resource, scope and every attribute no rule consumed.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { syntheticRootSpanId } from '../../src/mapping/ids.js';
import { SPANS_LOSSY_FIELDS } from '../../src/mapping/lossy.js';
import { spanDumpToReadableSpans } from '../../src/mapping/span-dump.js';
import type { SpanDump } from '../../src/mapping/span-dump.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { ingestionToSpans } from '../../src/mapping/to-otel/index.js';
import type { Dialect } from '../helpers/examples.js';
import { DIALECTS, loadExampleSpans } from '../helpers/examples.js';

/** What must survive exactly, whatever the dialect. */
function structure(s: ReadableSpan, parentIsRoot: boolean): unknown {
  return {
    name: s.name,
    kind: s.kind,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    traceState: s.spanContext().traceState?.serialize(),
    // LOSSY trace root: an original root hangs under the synthetic root.
    parent: parentIsRoot ? 'synthetic root' : s.parentSpanContext?.spanId,
    start: s.startTime,
    end: s.endTime,
    status: s.status,
    // LOSSY event attributes: {} and absent are the same.
    events: s.events.map((e) => ({ name: e.name, time: e.time, attributes: e.attributes ?? {} })),
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: l.attributes ?? {} })),
    resource: s.resource.attributes,
    scope: { name: s.instrumentationScope.name, version: s.instrumentationScope.version },
  };
}

function roundTrip(spans: readonly ReadableSpan[]): { back: Map<string, ReadableSpan>; leftovers: Map<string, Attributes> } {
  const events = spansToIngestion(spans).value;
  const back = ingestionToSpans(events).value;
  const leftovers = new Map<string, Attributes>();
  for (const e of events) {
    const md = (e.body as { metadata?: { attributes?: Attributes } }).metadata;
    if (e.type !== 'trace-create') leftovers.set(String((e.body as { id: unknown }).id), md?.attributes ?? {});
  }
  return { back: new Map(back.map((s) => [s.spanContext().spanId, s])), leftovers };
}

function expectSame(original: ReadableSpan, back: ReadableSpan | undefined, leftovers: Attributes | undefined): void {
  expect(back).toBeDefined();
  const isRoot = original.parentSpanContext === undefined;
  const rootId = syntheticRootSpanId(original.spanContext().traceId);
  expect(structure(back as ReadableSpan, back?.parentSpanContext?.spanId === rootId && isRoot)).toEqual(structure(original, isRoot));
  // Every attribute no rule consumed comes back as it was (LOSSY dialect keys: the others).
  for (const [k, v] of Object.entries(leftovers ?? {})) expect([k, back?.attributes[k]]).toEqual([k, v]);
}

describe('spans -> ingestion -> spans', () => {
  test('the lossy list', () => {
    expect(SPANS_LOSSY_FIELDS.map((f) => f.field)).toEqual(['dialect keys', 'trace root', 'added keys', 'missing end time', 'event attributes']);
  });

  test.for(DIALECTS.map((d) => ({ dialect: d })))('recorded spans: $dialect', ({ dialect }: { dialect: Dialect }) => {
    const spans = loadExampleSpans(dialect);
    const { back, leftovers } = roundTrip(spans);
    for (const s of spans) expectSame(s, back.get(s.spanContext().spanId), leftovers.get(s.spanContext().spanId));
  });

  const hex = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`)).filter((s) => !/^0+$/.test(s));
  const attrValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.array(fc.string(), { maxLength: 3 }));
  const attrs = fc.dictionary(fc.stringMatching(/^(app|http|db|custom)\.[a-z]{1,8}$/), attrValue, { maxKeys: 4 });
  const time = fc.tuple(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), fc.integer({ min: 0, max: 999_999_999 }));

  const spanPair = fc.record({
    traceId: hex(32),
    rootId: hex(16),
    childId: hex(16),
    start: time,
    durations: fc.tuple(fc.nat(5_000_000_000), fc.nat(5_000_000_000)),
    kind: fc.integer({ min: 0, max: 4 }),
    status: fc.oneof(fc.constant({ code: 0 }), fc.constant({ code: 1 }), fc.record({ code: fc.constant(2), message: fc.string({ minLength: 1 }) })),
    rootAttrs: attrs,
    childAttrs: attrs,
    model: fc.option(fc.constantFrom('gpt-4o', 'claude-3-5-haiku'), { nil: undefined }),
    events: fc.array(fc.record({ name: fc.stringMatching(/^[a-z.]{1,10}$/), attributes: attrs }), { maxLength: 2 }),
    link: fc.option(fc.record({ traceId: hex(32), spanId: hex(16) }), { nil: undefined }),
    traceState: fc.option(fc.constantFrom('vendor=a', 'a=1,b=2'), { nil: undefined }),
    resource: fc.dictionary(fc.constantFrom('service.name', 'host.name', 'deployment.environment.name'), fc.stringMatching(/^[a-z]{1,8}$/)),
    scope: fc.record({ name: fc.stringMatching(/^[a-z@/-]{1,12}$/), version: fc.option(fc.stringMatching(/^\d\.\d\.\d$/), { nil: undefined }) }),
  });

  type SpanPair = typeof spanPair extends fc.Arbitrary<infer T> ? T : never;

  function toDumps(p: SpanPair): SpanDump[] {
    const add = (t: HrTime, nanos: number): [number, number] => {
      const total = BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]) + BigInt(nanos);
      return [Number(total / 1_000_000_000n), Number(total % 1_000_000_000n)];
    };
    const start = p.start as [number, number];
    const childStart = add(start, 1000);
    const common = { resource: p.resource, scope: p.scope.version ? { name: p.scope.name, version: p.scope.version } : { name: p.scope.name } };
    return [
      { name: 'root', kind: 0, traceId: p.traceId, spanId: p.rootId, startTime: start, endTime: add(start, p.durations[0] + p.durations[1] + 2000), attributes: p.rootAttrs, ...common },
      {
        name: 'child',
        kind: p.kind,
        traceId: p.traceId,
        spanId: p.childId,
        parentSpanId: p.rootId,
        ...(p.traceState ? { traceState: p.traceState } : {}),
        startTime: childStart,
        endTime: add(childStart, p.durations[0]),
        attributes: { ...p.childAttrs, ...(p.model ? { 'gen_ai.request.model': p.model } : {}) },
        events: p.events.map((e, i) => ({ name: e.name, time: add(childStart, i), attributes: e.attributes })),
        links: p.link ? [{ context: p.link, attributes: {} }] : [],
        status: p.status,
        ...common,
      },
    ];
  }

  test('property: kinds, status, events, links, trace state, nanoseconds, resource, scope and leftovers survive', () => {
    fc.assert(
      fc.property(spanPair.filter((p) => p.rootId !== p.childId), (p) => {
        const spans = spanDumpToReadableSpans(toDumps(p)).value;
        const { back, leftovers } = roundTrip(spans);
        for (const s of spans) expectSame(s, back.get(s.spanContext().spanId), leftovers.get(s.spanContext().spanId));
      }),
      { numRuns: 200 },
    );
  });
});
