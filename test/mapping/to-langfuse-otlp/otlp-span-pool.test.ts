/**
 * OtlpSpanPool (src/mapping/to-langfuse-otlp/otlp-span.ts) remembers the resource and the scope
 * asked for last: what it hands out is still one Resource per attribute object (by identity) and
 * one scope per name, version and schema URL, the first one asked with, whatever the order.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { OtlpSpanPool } from '../../../src/mapping/to-langfuse-otlp/otlp-span.js';

type Scope = { name: string; version?: string; schemaUrl?: string };

const scopeArb: fc.Arbitrary<Scope> = fc.record(
  { name: fc.constantFrom('ai', 'a', ''), version: fc.constantFrom('1', '2', ''), schemaUrl: fc.constantFrom('u', '') },
  { requiredKeys: ['name'] },
);

const scopeKey = (s: Scope): string => JSON.stringify([s.name, s.version ?? '', s.schemaUrl ?? '']);

test('one scope per name, version and schema URL, a copy of the first asked with, in any order of requests', () => {
  fc.assert(
    fc.property(fc.array(scopeArb, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 40 }), (scopes, requests) => {
      const pool = new OtlpSpanPool();
      const first = new Map<string, Scope>();
      const seen = new Map<string, object>();
      for (const [pick, copy] of requests) {
        const original = scopes[pick % scopes.length] as Scope;
        const asked = copy ? { ...original } : original;
        const key = scopeKey(asked);
        if (!first.has(key)) first.set(key, asked);
        const pooled = pool.scope(asked);
        expect(pooled).toEqual(first.get(key));
        expect(pooled).not.toBe(asked);
        if (seen.has(key)) expect(pooled).toBe(seen.get(key));
        seen.set(key, pooled);
      }
    }),
    { numRuns: 300 },
  );
});

test('one Resource per attribute object, by identity, in any order of requests', () => {
  fc.assert(
    fc.property(fc.array(fc.dictionary(fc.constantFrom('service.name', 'a'), fc.string({ maxLength: 2 }), { maxKeys: 2 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 30 }), (objects, picks) => {
      const pool = new OtlpSpanPool();
      const seen = new Map<object, object>();
      for (const pick of picks) {
        const attributes = objects[pick % objects.length] as Record<string, string>;
        const resource = pool.resource(attributes);
        expect(resource.attributes).toEqual(attributes);
        if (seen.has(attributes)) expect(resource).toBe(seen.get(attributes));
        for (const [other, r] of seen) if (other !== attributes) expect(resource).not.toBe(r);
        seen.set(attributes, resource);
      }
    }),
    { numRuns: 200 },
  );
});
