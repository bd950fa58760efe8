/**
 * The validation fast path (src/mapping/schema-fast.ts) against the zod schema it stands for:
 * whenever it vouches for an event, zod accepts that event and gives the same value, key order
 * included (its sharing form vouches for the same events and gives the input itself, equal to
 * zod's value but for key order); otherwise zod decides. Checked on recorded batches, generated batches and the same
 * events mutated at any depth (wrong types, nulls, bad times, removed, added and reordered keys,
 * `__proto__`, symbols, class instances, deep nesting, other event types).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fastCheckEvent, fastParseEvent } from '../../src/mapping/schema-fast.js';
import { ingestionEventSchema, parseIngestionEvent } from '../../src/mapping/schema.js';
import { batchArbitrary } from '../roundtrip/arbitraries.js';

type Json = Record<string, unknown>;

const recorded: unknown[] = ['batches-langfuse-v3.json', 'batches-langfuse-vercel.json', 'litellm-batch.json'].flatMap((file) => {
  const raw = JSON.parse(readFileSync(new URL(`../fixtures/batches/${file}`, import.meta.url), 'utf8')) as Json | Json[];
  return (Array.isArray(raw) ? raw : [raw]).flatMap((r) => r.batch as unknown[]);
});

/** Every key of every object, in order, with the type of each leaf: equal shapes give equal text. */
function shapeOf(v: unknown): unknown {
  // Array.from, not map: an array with an own `constructor` key breaks map's species lookup.
  if (Array.isArray(v)) return Array.from(v as unknown[], shapeOf);
  if (typeof v === 'object' && v !== null) {
    return { proto: Object.getPrototypeOf(v) === Object.prototype, entries: Reflect.ownKeys(v).map((k) => [String(k), shapeOf((v as Json)[k as string])]) };
  }
  return [typeof v, Number.isNaN(v) ? 'NaN' : v];
}

/**
 * Every own key of every object, sorted, with each leaf's type and value (NaN named): equal for
 * equal values whatever their key order. Not toStrictEqual: an own `constructor` key (NaN, or an
 * object) breaks its type check.
 */
function valuesOf(v: unknown): unknown {
  if (Array.isArray(v)) return Array.from(v as unknown[], valuesOf);
  if (typeof v === 'object' && v !== null) {
    return Reflect.ownKeys(v)
      .map((k) => String(k))
      .sort()
      .map((k) => [k, valuesOf((v as Json)[k])]);
  }
  return [typeof v, Number.isNaN(v) ? 'NaN' : v];
}

/** The fast path's promise: it vouches only for what zod accepts, with zod's value. */
function agreesWithZod(raw: unknown): 'fast' | 'zod' {
  const fast = fastParseEvent(raw);
  let reference: ReturnType<typeof ingestionEventSchema.safeParse> | 'threw';
  try {
    reference = ingestionEventSchema.safeParse(raw);
  } catch {
    reference = 'threw';
  }
  // The sharing check vouches for some of the same events (what JSON.parse makes), and for the input itself: the values zod gives, in the input's key order.
  const shared = fastCheckEvent(raw);
  if (shared !== undefined) {
    expect(fast).toBeDefined();
    expect(shared).toBe(raw);
    if (reference !== 'threw' && reference.success) expect(valuesOf(raw)).toStrictEqual(valuesOf(reference.data));
  }
  if (fast === undefined) return 'zod';
  expect(reference !== 'threw' && reference.success).toBe(true);
  if (reference !== 'threw' && reference.success) {
    // Keys in order, leaf types and values, prototypes: stricter than toStrictEqual, which an own `constructor` key (NaN, say) trips.
    expect(shapeOf(fast)).toStrictEqual(shapeOf(reference.data));
  }
  return 'fast';
}

const deep = (levels: number): unknown => (levels === 0 ? 'leaf' : { k: [deep(levels - 1)] });
const withSymbol = (): Json => ({ a: 1, [Symbol('s')]: 2 }) as Json;
const oddValues: unknown[] = [
  null, undefined, '', 'x', 'a\rb', 'x'.repeat(801), 'x'.repeat(1001), 0, -1, 1.5, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, true, false,
  [], {}, ['a'], [1, 'a'], [null], { a: null }, { a: { b: [1, { c: null }] } }, JSON.parse('{"__proto__":{"x":1},"a":1}'), JSON.parse('{"constructor":1}'),
  Object.create(null) as unknown, new Date(0), withSymbol(), deep(70), deep(20), [undefined],
  '2025-02-07T00:23:27.669634Z', '2025-02-06T16:23:27.220129-08:00', '2025-02-30T00:00:00Z', '2024-02-29T00:00Z', '2025-01-01 00:00:00Z',
  '2025-01-01T24:00:00Z', '2025-01-01T00:00:00+0200', '2025-01-01', 'DEFAULT', 'ERROR', 'TOKENS', 'span-create', 'score-create',
  'observation-create', 'sdk-log', 'dataset-run-item-create', 'no-such-type', 'trace-create', 'generation-update',
];

type Mutation = { kind: 'set' | 'delete' | 'add' | 'shuffle'; path: number[]; value: number; key: string };

/** Applies a mutation to a deep copy of `event`, at the object or array `path` indexes into (by key position). */
function mutate(event: unknown, m: Mutation): unknown {
  const copy = structuredClone(event) as Json;
  let node: unknown = copy;
  for (const step of m.path) {
    if (typeof node !== 'object' || node === null) break;
    const keys = Object.keys(node);
    const child = (node as Json)[keys[step % Math.max(keys.length, 1)] ?? ''];
    if (typeof child !== 'object' || child === null) break;
    node = child;
  }
  if (typeof node !== 'object' || node === null) return copy;
  const target = node as Json;
  const keys = Object.keys(target);
  const key = keys[m.value % Math.max(keys.length, 1)];
  const value = oddValues[m.value % oddValues.length];
  if (m.kind === 'set' && key !== undefined) target[key] = value;
  else if (m.kind === 'delete' && key !== undefined) delete target[key];
  else if (m.kind === 'add') Object.defineProperty(target, m.key, { value, enumerable: true, writable: true, configurable: true });
  else if (m.kind === 'shuffle') {
    const entries = keys.map((k) => [k, target[k]] as const);
    for (const k of keys) delete target[k];
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[(i + m.value) % entries.length]!;
      target[k] = v;
    }
  }
  return copy;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'delete', 'add', 'shuffle'),
  path: fc.array(fc.nat(20), { maxLength: 4 }),
  value: fc.nat(1000),
  key: fc.constantFrom('__proto__', 'constructor', 'extra', 'id', 'type', 'body', 'metadata', 'usage', 'promptName', 'promptVersion', 'timestamp'),
});

const eventArb: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...recorded), batchArbitrary.chain((events) => fc.constantFrom(...events)));

describe('validation fast path', () => {
  test('takes every recorded event, with the value zod gives; the sharing check takes every one the copying one takes', () => {
    for (const event of recorded) {
      const type = (event as Json).type;
      expect(agreesWithZod(event)).toBe(type === 'score-create' || type === 'sdk-log' ? 'zod' : 'fast');
      expect(fastCheckEvent(event) === undefined).toBe(fastParseEvent(event) === undefined);
    }
  });

  test('generated batches: the same value as zod, and it takes nearly all of them', () => {
    let fast = 0;
    let all = 0;
    fc.assert(
      fc.property(batchArbitrary, (events) => {
        for (const event of events) {
          all++;
          if (agreesWithZod(event) === 'fast') fast++;
          // What JSON.parse makes: the sharing check takes exactly what the copying one takes.
          const parsed: unknown = JSON.parse(JSON.stringify(event));
          expect(fastCheckEvent(parsed) === undefined).toBe(fastParseEvent(parsed) === undefined);
        }
      }),
      { numRuns: 300 },
    );
    expect(fast / all).toBeGreaterThan(0.8);
  });

  test('mutated events, one to three mutations at any depth: never vouches for what zod refuses or changes', () => {
    const seen = { fast: 0, zod: 0 };
    fc.assert(
      fc.property(eventArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (event, mutations) => {
        let raw = event;
        for (const m of mutations) raw = mutate(raw, m);
        seen[agreesWithZod(raw)]++;
      }),
      { numRuns: 3000 },
    );
    // Both sides are exercised: mutated events the fast path takes and ones it leaves to zod.
    expect(seen.fast).toBeGreaterThan(300);
    expect(seen.zod).toBeGreaterThan(300);
  });

  test('parseIngestionEvent gives what zod alone gives, failures included', () => {
    fc.assert(
      fc.property(eventArb, fc.array(mutationArb, { maxLength: 2 }), (event, mutations) => {
        let raw = event;
        for (const m of mutations) raw = mutate(raw, m);
        const id = typeof (raw as Json).id === 'string' ? ((raw as Json).id as string) : 'unknown';
        const parsed = parseIngestionEvent(raw);
        const reference = ingestionEventSchema.safeParse(raw);
        // Equal values and key order (zod gives an input with a `__proto__` key a fresh prototype each run).
        if (reference.success) {
          expect(parsed).toEqual({ ok: true, event: reference.data });
          expect(shapeOf((parsed as { event: unknown }).event)).toStrictEqual(shapeOf(reference.data));
        } else expect(parsed).toMatchObject({ ok: false, id });
      }),
      { numRuns: 1000 },
    );
  });
});
