import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeBag } from '../../src/mapping/attribute-bag.js';
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

// Few characters, so that keys share prefixes and prefixes of prefixes, as dotted attribute names do.
const segment = fc.string({ unit: fc.constantFrom('a', 'b', '.', '_', 'é', 'Z'), minLength: 0, maxLength: 4 });
const key = segment.filter((k) => k.length > 0);
const operation = fc.oneof(
  fc.record({ op: fc.constant('withPrefix' as const), arg: segment }),
  fc.record({ op: fc.constant('takePrefix' as const), arg: segment }),
  fc.record({ op: fc.constant('hasPrefix' as const), arg: segment }),
  fc.record({ op: fc.constant('take' as const), arg: key }),
  fc.record({ op: fc.constant('peek' as const), arg: key }),
  fc.record({ op: fc.constant('has' as const), arg: key }),
  fc.record({ op: fc.constant('delete' as const), arg: key }),
  fc.record({ op: fc.constant('leftovers' as const), arg: fc.constant('') }),
);

describe('AttributeBag', () => {
  it('answers lookups, prefix queries, takes and leftovers as a plain list of entries would, in any order of calls', () => {
    fc.assert(
      fc.property(fc.dictionary(key, fc.integer(), { maxKeys: 24 }), fc.array(operation, { maxLength: 12 }), (attributes, ops) => {
        const bag = new AttributeBag(attributes, new IssueSink());
        const model = new Model(attributes);
        for (const { op, arg } of ops) {
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
      }),
      { numRuns: 500 },
    );
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
