import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeBag, SCANNED_PREFIXES } from '../../src/mapping/attribute-bag.js';
import { isNonEmpty } from '../../src/mapping/json.js';
import { IssueSink } from '../../src/mapping/result.js';

/** The bag's contract, kept in the plainest form: an insertion-ordered list of entries. */
class Model {
  entries: Array<[string, unknown]>;
  constructor(attributes: Record<string, unknown>) {
    this.entries = Object.entries(attributes);
  }
  withPrefix(prefix: string): Array<[string, unknown]> {
    return this.entries.filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]);
  }
  takePrefix(prefix: string): Array<[string, unknown]> {
    const out = this.withPrefix(prefix);
    this.entries = this.entries.filter(([k]) => !k.startsWith(prefix));
    return out;
  }
  take(key: string): unknown {
    const found = this.entries.find(([k]) => k === key);
    this.entries = this.entries.filter(([k]) => k !== key);
    return found?.[1];
  }
  leftovers(): Record<string, unknown> {
    return Object.fromEntries([...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

// Few characters, so that keys share prefixes and prefixes of prefixes, as dotted attribute names do;
// also keys under the prefixes the bag indexes (SCANNED_PREFIXES) and under their own prefixes.
const segment = fc.string({ unit: fc.constantFrom('a', 'b', '.', '_', 'é', 'Z'), minLength: 0, maxLength: 4 });
const prefix = fc.oneof(
  segment,
  fc.constantFrom(...SCANNED_PREFIXES),
  fc.constantFrom(...SCANNED_PREFIXES).map((p) => p.slice(0, -3)),
  fc.constantFrom('l', 'ai', 'gen_ai.', 'llm.', 'langfuse.observation.', ''),
);
const key = fc.oneof(segment, fc.tuple(prefix, segment).map(([p, s]) => p + s)).filter((k) => k.length > 0);
const operation = fc.oneof(
  fc.record({ op: fc.constant('withPrefix' as const), arg: prefix }),
  fc.record({ op: fc.constant('takePrefix' as const), arg: prefix }),
  fc.record({ op: fc.constant('hasPrefix' as const), arg: prefix }),
  fc.record({ op: fc.constant('take' as const), arg: key }),
  fc.record({ op: fc.constant('peek' as const), arg: key }),
  fc.record({ op: fc.constant('has' as const), arg: key }),
  fc.record({ op: fc.constant('delete' as const), arg: key }),
  fc.record({ op: fc.constant('leftovers' as const), arg: fc.constant('') }),
  fc.record({ op: fc.constant('present' as const), arg: fc.array(key, { maxLength: 5 }) }),
  fc.record({ op: fc.constant('firstNonEmpty' as const), arg: fc.array(key, { maxLength: 5 }) }),
);

/**
 * Key lists are kept per record shape by identity, as the readers' constants are: one object per
 * distinct content, so a list asked for again is found, not built again.
 */
const constants = new Map<string, unknown>();
function constant<T>(value: T): T {
  const id = JSON.stringify(value);
  if (!constants.has(id)) constants.set(id, value);
  return constants.get(id) as T;
}


type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

/** Runs `ops` on a bag of `attributes` and on the model, asserting they agree throughout. */
function agree(attributes: Record<string, unknown>, ops: readonly Operation[]): void {
  const bag = new AttributeBag(attributes, new IssueSink());
  const model = new Model(attributes);
  // The shape's keys: every key of the record, taken or not (hostile ones never get this far here).
  const shapeKeys = Object.keys(attributes);
  for (const { op, arg } of ops) {
    if (op === 'present') {
      // Every key of the list that can hold a value, and only keys of the record.
      const list = constant(arg);
      const present = bag.present(list);
      expect(present).toEqual(list.filter((k) => shapeKeys.includes(k)));
      expect(bag.present(list)).toBe(present);
      continue;
    }
    if (op === 'firstNonEmpty') {
      expect(bag.firstNonEmpty(constant(arg))).toBe(arg.find((k) => isNonEmpty(model.entries.find(([e]) => e === k)?.[1])));
      continue;
    }
    const found = model.entries.find(([k]) => k === arg);
    if (op === 'peek') expect(bag.peek(arg)).toBe(found?.[1]);
    else if (op === 'has') expect(bag.has(arg)).toBe(found !== undefined);
    else if (op === 'delete') {
      bag.delete(arg);
      model.take(arg);
    } else if (op === 'hasPrefix') expect(bag.hasPrefix(arg)).toBe(model.withPrefix(arg).length > 0);
    else if (op === 'leftovers') expect(Object.entries(bag.leftovers())).toEqual(Object.entries(model.leftovers()));
    else expect(bag[op](arg)).toEqual(model[op](arg));
  }
  expect(bag.size).toBe(model.entries.length);
  expect(Object.entries(bag.leftovers())).toEqual(Object.entries(model.leftovers()));
}

describe('AttributeBag', () => {
  it('answers lookups, prefix queries, takes, leftovers, present keys as a plain list of entries would, in any order of calls', () => {
    fc.assert(
      fc.property(fc.dictionary(key, fc.integer(), { maxKeys: 24 }), fc.array(operation, { maxLength: 12 }), agree),
      { numRuns: 500 },
    );
  });

  it('answers the same for bags of the same keys one after another (their key index is shared), each with its own values', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { maxLength: 16 }),
        fc.array(fc.tuple(fc.array(fc.integer(), { minLength: 16, maxLength: 16 }), fc.array(operation, { maxLength: 10 })), { minLength: 2, maxLength: 4 }),
        (keys, runs) => {
          for (const [values, ops] of runs) agree(Object.fromEntries(keys.map((k, i) => [k, values[i]])), ops);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers the same past the bound of its shared key indexes: a thousand key sets of one length', () => {
    for (let n = 0; n < 1000; n++) {
      const keys = [`k${n}`, `${SCANNED_PREFIXES[n % SCANNED_PREFIXES.length] as string}x`, 'z'];
      agree(Object.fromEntries(keys.map((k, i) => [k, n + i])), [
        { op: 'hasPrefix', arg: SCANNED_PREFIXES[n % SCANNED_PREFIXES.length] as string },
        { op: 'take', arg: 'z' },
        { op: 'present', arg: ['z', `k${n}`, 'y'] },
        { op: 'firstNonEmpty', arg: ['y', 'z', `k${n}`] },
      ]);
    }
  });

  it('answers prefix queries the same past the bound of the prefixes one shape keeps: a hundred prefixes of bags of one shape', () => {
    const keys = Array.from({ length: 12 }, (_, i) => `p${i % 4}.q${i}.r`);
    const prefixes = Array.from({ length: 100 }, (_, n) => (n % 3 === 0 ? `p${n % 5}.` : n % 3 === 1 ? `p${n % 4}.q${n % 12}.` : `x${n}.`));
    for (let round = 0; round < 3; round++) {
      for (const p of prefixes) {
        agree(Object.fromEntries(keys.map((k, i) => [k, round * 100 + i])), [
          { op: 'withPrefix', arg: p },
          { op: 'hasPrefix', arg: p },
          { op: 'takePrefix', arg: p },
          { op: 'withPrefix', arg: p },
          { op: 'leftovers', arg: '' },
        ]);
      }
    }
  });

  it('returns entries under a prefix in insertion order, not sorted', () => {
    const bag = new AttributeBag({ 'ai.usage.z': 1, 'ai.model': 'm', 'ai.usage.a': 2, 'ai.usage.m': 3 }, new IssueSink());
    expect(bag.withPrefix('ai.usage.')).toEqual([
      ['z', 1],
      ['a', 2],
      ['m', 3],
    ]);
    expect(bag.takePrefix('ai.usage.')).toEqual([
      ['z', 1],
      ['a', 2],
      ['m', 3],
    ]);
    expect(bag.hasPrefix('ai.usage.')).toBe(false);
    expect(bag.leftovers()).toEqual({ 'ai.model': 'm' });
  });
});
