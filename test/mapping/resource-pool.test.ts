/**
 * ResourcePool (src/mapping/readable-span.ts) remembers the attribute object asked for last: the
 * resources it hands out are still one per distinct attribute text, the first object's, as
 * without that memory, whatever the order of the requests.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { ResourcePool } from '../../src/mapping/readable-span.js';

const attributesArb: fc.Arbitrary<Attributes> = fc.dictionary(fc.constantFrom('service.name', 'a', 'b'), fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), {
  maxKeys: 3,
});

test('one resource per distinct attribute text, the first object asked with, in any order of requests', () => {
  fc.assert(
    fc.property(fc.array(attributesArb, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 40 }), (objects, requests) => {
      const pool = new ResourcePool();
      const first = new Map<string, Attributes>();
      const seen = new Map<string, Resource>();
      for (const [pick, copy] of requests) {
        const original = objects[pick % objects.length] as Attributes;
        const asked = copy ? { ...original } : original;
        const key = JSON.stringify(asked);
        if (!first.has(key)) first.set(key, asked);
        const resource = pool.get(asked);
        expect(resource.attributes).toBe(first.get(key));
        if (seen.has(key)) expect(resource).toBe(seen.get(key));
        seen.set(key, resource);
      }
    }),
    { numRuns: 300 },
  );
});
