/**
 * AttrList (src/mapping/attr-list.ts) against the plain object it stands for: after any sequence
 * of assignments, with keys an object orders first (array indices), inherits (`toString`,
 * `__proto__`) or holds as plain names that look numeric, the same keys in the same order, the
 * same values, the same answers to `key in object`, and `toObject()` is that object.
 */
import type { Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { AttrList, isArrayIndex } from '../../src/mapping/attr-list.js';

const keyArb = fc.oneof(
  fc.constantFrom('0', '1', '10', '2', '01', '-1', '1.5', '4294967294', '4294967295', '99999999999', 'toString', '__proto__', 'constructor', 'valueOf', 'a', 'b', 'a.b'),
  fc.string({ maxLength: 4 }),
  fc.nat().map(String),
);
const valueArb = fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.boolean(), fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }));

/** The object's keys in `Object.keys` order with their values. */
function entriesOf(list: AttrList): Array<[string, unknown]> {
  const order = list.order() ?? list.keys.map((_, i) => i);
  return order.map((i) => [list.keys[i] as string, list.values[i]]);
}

test('isArrayIndex is what makes an object list a key first', () => {
  fc.assert(
    fc.property(keyArb, (key) => {
      const o: Record<string, number> = {};
      o.first = 1;
      o[key] = 2;
      expect(isArrayIndex(key)).toBe(key !== 'first' && key !== '__proto__' && Object.keys(o)[0] === key);
    }),
    { numRuns: 1000 },
  );
});

test('any sequence of set and append: the object the same assignments make', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(keyArb, valueArb, fc.boolean()), { maxLength: 30 }), fc.array(keyArb, { maxLength: 10 }), (ops, probes) => {
      const list = new AttrList();
      const object: Attributes = {};
      for (const [key, value, append] of ops) {
        if (key === '__proto__') continue; // assigning it to an object changes its prototype: the mapping never does
        if (append && !Object.hasOwn(object, key)) list.append(key, value);
        else list.set(key, value);
        object[key] = value;
      }
      expect(entriesOf(list)).toEqual(Object.entries(object));
      expect(list.size).toBe(Object.keys(object).length);
      const made = list.toObject();
      expect(Object.entries(made)).toEqual(Object.entries(object));
      expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
      for (const key of [...probes, ...ops.map(([k]) => k)]) {
        expect(list.has(key)).toBe(key in object);
        expect(list.get(key)).toEqual(Object.hasOwn(object, key) ? object[key] : undefined);
      }
    }),
    { numRuns: 1000 },
  );
});

test('AttrList.of an object: its keys and values in order, an own __proto__ key included', () => {
  fc.assert(
    fc.property(fc.dictionary(keyArb, valueArb, { maxKeys: 8 }), (object) => {
      const list = AttrList.of(object);
      expect(entriesOf(list)).toEqual(Object.entries(object));
      expect(Object.entries(list.toObject())).toEqual(Object.entries(object));
    }),
    { numRuns: 500 },
  );
  const own = JSON.parse('{"a":1,"__proto__":"x","3":2}') as Attributes;
  expect(Object.entries(AttrList.of(own).toObject())).toEqual(Object.entries(own));
});
