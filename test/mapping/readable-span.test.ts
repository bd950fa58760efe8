/**
 * src/mapping/readable-span.ts builds spans with `@opentelemetry/api` alone (the package bundles
 * no SDK line for them): `fixedResource` stands in for `resourceFromAttributes` of
 * `@opentelemetry/resources` and the API's `createTraceState` for core's `TraceState`. These
 * properties hold them to the SDK's own behaviour (the 2.x devDependencies).
 */
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { createTraceState } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fixedResource } from '../../src/mapping/readable-span.js';

const attributeValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.array(fc.integer(), { maxLength: 3 }),
);
// Names of Object.prototype members are left out: the SDK's merge tests `attrs[key] === undefined`
// on a plain object and so drops a key such as `valueOf`, which ours keeps.
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in Object.prototype) && k !== '__proto__'),
  attributeValue,
  { maxKeys: 6 },
);
// Undefined, empty, and a small set so that equal and different URLs both come up.
const schemaUrl = fc.constantFrom(undefined, '', 'https://opentelemetry.io/schemas/1.30.0', 'https://opentelemetry.io/schemas/1.37.0');

function view(r: { attributes: Attributes; schemaUrl?: string | undefined; asyncAttributesPending?: boolean | undefined; getRawAttributes(): unknown }) {
  return { attributes: r.attributes, schemaUrl: r.schemaUrl || undefined, pending: r.asyncAttributesPending ?? false, raw: r.getRawAttributes() };
}

describe('fixedResource', () => {
  test('has the attributes, raw attributes and schema URL resourceFromAttributes gives', () => {
    fc.assert(
      fc.property(attributes, schemaUrl, (attrs, url) => {
        const sdk = resourceFromAttributes(attrs, url === undefined ? undefined : { schemaUrl: url });
        expect(view(fixedResource(attrs, url))).toEqual(view(sdk));
      }),
    );
  });

  test('merges as the SDK resource does: the other side wins, conflicting schema URLs are dropped', () => {
    fc.assert(
      fc.property(attributes, schemaUrl, attributes, schemaUrl, (a, urlA, b, urlB) => {
        const sdk = resourceFromAttributes(a, urlA === undefined ? undefined : { schemaUrl: urlA }).merge(
          resourceFromAttributes(b, urlB === undefined ? undefined : { schemaUrl: urlB }),
        );
        const ours = fixedResource(a, urlA).merge(fixedResource(b, urlB));
        expect({ attributes: ours.attributes, schemaUrl: ours.schemaUrl || undefined }).toEqual({
          attributes: sdk.attributes,
          schemaUrl: sdk.schemaUrl || undefined,
        });
      }),
    );
  });

  test('merging null gives the same resource; its attributes are settled', async () => {
    const r = fixedResource({ 'service.name': 'svc' });
    expect(r.merge(null)).toBe(r);
    expect(r.asyncAttributesPending).toBe(false);
    await expect(r.waitForAsyncAttributes?.()).resolves.toBeUndefined();
  });
});

describe("the API's createTraceState", () => {
  const member = fc.tuple(
    fc.stringMatching(/^[a-z][a-z0-9_\-*/]{0,8}(@[a-z][a-z0-9_\-*/]{0,5})?$/),
    fc.stringMatching(/^[!-+\--<>-~]{1,10}$/),
  );
  // Keys are unique, as W3C trace context requires: on a repeated key the two differ (the API
  // keeps the first member, core's TraceState the last), and the spans we read keep the API's.
  const unique = (text: string): boolean => {
    const keys = text.split(',').map((part) => part.split('=')[0]?.trim() ?? '');
    return new Set(keys).size === keys.length;
  };
  const header = fc
    .oneof(fc.array(member, { maxLength: 5 }).map((ms) => ms.map(([k, v]) => `${k}=${v}`).join(',')), fc.string({ maxLength: 40 }))
    .filter(unique);

  test('a repeated key keeps its first member', () => {
    expect(createTraceState('u=!,u=-').get('u')).toBe('!');
    expect(createTraceState('u=!,u=-').serialize()).toBe('u=!');
  });

  test("parses, reads and serializes a tracestate header as core's TraceState does", () => {
    fc.assert(
      fc.property(header, (text) => {
        const ours = createTraceState(text);
        const sdk = new TraceState(text);
        expect(ours.serialize()).toBe(sdk.serialize());
        for (const part of text.split(',')) {
          const key = part.split('=')[0]?.trim() ?? '';
          expect(ours.get(key)).toBe(sdk.get(key));
        }
      }),
    );
  });
});
