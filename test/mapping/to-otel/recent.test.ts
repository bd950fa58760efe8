/**
 * RecentMap and RecentSet (src/mapping/to-otel/recent.ts) against the `Map` pattern they replace in
 * TraceGroups and the time window: `delete(k); set(k, v)`, then `delete(keys().next().value)` past
 * the capacity. The same entries after every operation, on random operation sequences, long enough
 * for its kept iterator of the oldest keys to pass many deleted and moved entries and Map rebuilds.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RecentMap, RecentSet } from '../../../src/mapping/to-otel/recent.js';

type Op = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number };

/** The code RecentMap replaces. */
class ModelMap {
  readonly map = new Map<number, number>();
  private readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
  }
  set(key: number, value: number): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as number);
  }
}

const opArb = (keys: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.nat(keys - 1), value: fc.integer() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.nat(keys - 1) }) },
  );

/** The first step at which RecentMap and the model differ, or -1. */
function firstDifference(capacity: number, keys: number, ops: readonly Op[]): number {
  const ours = new RecentMap<number, number>(capacity);
  const set = new RecentSet<number>(capacity);
  const model = new ModelMap(capacity);
  for (const [step, op] of ops.entries()) {
    if (op.kind === 'set') {
      ours.set(op.key, op.value);
      set.add(op.key);
      model.set(op.key, op.value);
    } else {
      ours.delete(op.key);
      model.map.delete(op.key);
      // RecentSet has no delete: its model is rebuilt from the map's keys below only when in step.
    }
    if (ours.size !== model.map.size) return step;
    for (let k = 0; k < keys; k++) if (ours.has(k) !== model.map.has(k) || ours.get(k) !== model.map.get(k)) return step;
  }
  if (ops.every((op) => op.kind === 'set')) for (let k = 0; k < keys; k++) if (set.has(k) !== model.map.has(k)) return ops.length;
  return -1;
}

describe('RecentMap', () => {
  test('the same entries as Map with delete-then-set and eviction of its first key, on random operations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 12 }), fc.array(opArb(12), { maxLength: 200 }), (capacity, keys, ops) => {
        expect(firstDifference(capacity, keys, ops.map((op) => ({ ...op, key: op.key % keys })))).toBe(-1);
      }),
      { numRuns: 500 },
    );
  });

  test('long runs: many deleted and moved entries passed by the kept iterator, Map rebuilds (few keys set over and over, and many distinct keys)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(opArb(60), { minLength: 3000, maxLength: 5000 }), (capacity, ops) => {
        expect(firstDifference(capacity, 60, ops)).toBe(-1);
      }),
      { numRuns: 10 },
    );
    const sets: Op[] = Array.from({ length: 20_000 }, (_, i) => ({ kind: 'set', key: (i * 7919) % 5000, value: i }));
    const ours = new RecentMap<number, number>(3000);
    const model = new ModelMap(3000);
    for (const op of sets) {
      if (op.kind !== 'set') continue;
      ours.set(op.key, op.value);
      model.set(op.key, op.value);
    }
    expect([...Array(5000).keys()].filter((k) => ours.has(k))).toEqual([...model.map.keys()].sort((a, b) => a - b));
    for (const [k, v] of model.map) expect(ours.get(k)).toBe(v);
  });
});
