/**
 * Table and property tests for src/mapping/ids.ts (design.md section 3).
 * Hashed ids are literals computed independently with python3 hashlib, e.g.
 *   hashlib.sha256(('langfuse.trace:' + id).encode()).hexdigest()[:32]
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  envelopeId,
  isOtelSpanId,
  isOtelTraceId,
  syntheticRootSpanId,
  toLangfuseObservationId,
  toLangfuseTraceId,
  toOtelSpanId,
  toOtelTraceId,
} from '../../src/mapping/ids.js';

const HEX32_LOWER = /^[0-9a-f]{32}$/;
const HEX16_LOWER = /^[0-9a-f]{16}$/;
const ENVELOPE = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('toOtelTraceId', () => {
  test.for([
    { name: '32 lower-case hex passes through', id: '0af7651916cd43dd8448eb211c80319c', out: '0af7651916cd43dd8448eb211c80319c' },
    { name: '32 upper-case hex is lower-cased', id: '0AF7651916CD43DD8448EB211C80319C', out: '0af7651916cd43dd8448eb211c80319c' },
    { name: 'mixed-case hex is lower-cased', id: '0aF7651916cD43dd8448Eb211c80319C', out: '0af7651916cd43dd8448eb211c80319c' },
    { name: 'dashed UUID loses its dashes', id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', out: '0190a1b2c3d47e5f8a9b0c1d2e3f4a5b' },
    { name: 'upper-case dashed UUID is lower-cased', id: 'D4C5B6A7-1234-4ABC-9DEF-0123456789AB', out: 'd4c5b6a712344abc9def0123456789ab' },
    // sha256('langfuse.trace:litellm-trace-1')[:16 bytes]
    { name: "litellm's litellm-trace-1 is hashed", id: 'litellm-trace-1', out: 'ff89cfb03c3ea1e81de86106c9c7065c' },
    { name: 'text with a space is hashed', id: 'my trace', out: 'd268ed3f7eacc99fc8a5327c97cf78bf' },
    { name: 'non-ASCII is hashed as UTF-8', id: 'ümlaut-trace', out: '890eafe9d03e7e9ae7ff27f344fe627d' },
    { name: 'empty string is hashed', id: '', out: '274084c88eb13d51fcbcbbea43789a86' },
    { name: '31 hex digits are hashed', id: '0af7651916cd43dd8448eb211c80319', out: 'ba04fc05b6293902c34768e0e5b4be8a' },
    { name: 'all-zero hex is hashed', id: '00000000000000000000000000000000', out: '3e3dcaef57cf7c12baa7641431683068' },
    { name: 'all-zero UUID is hashed (with its dashes)', id: '00000000-0000-0000-0000-000000000000', out: '7644465269bc4d13cae2c7e5f0d1f54f' },
  ])('$name', ({ id, out }) => {
    expect(toOtelTraceId(id)).toBe(out);
  });
});

describe('toOtelSpanId', () => {
  test.for([
    { name: '16 lower-case hex passes through', id: 'b7ad6b7169203331', out: 'b7ad6b7169203331' },
    // Design says "16 lower-case hex passes through"; upper-case hex is lower-cased, like trace ids.
    { name: '16 upper-case hex is lower-cased', id: 'B7AD6B7169203331', out: 'b7ad6b7169203331' },
    // sha256('langfuse.observation:' + id)[:8 bytes]
    { name: 'UUID is hashed, not truncated', id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', out: '24cfaae059c41046' },
    { name: 'arbitrary text is hashed', id: 'obs-1', out: 'dc5bbea3dfcf69ea' },
    { name: '17 characters are hashed', id: 'b7ad6b7169203331X', out: 'e0c106c7a03fcaa8' },
    { name: 'all-zero hex is hashed', id: '0000000000000000', out: 'f4fbbba82868e2cd' },
  ])('$name', ({ id, out }) => {
    expect(toOtelSpanId(id)).toBe(out);
  });
});

describe('syntheticRootSpanId', () => {
  test.for([
    // sha256('langfuse.trace-root:' + traceId)[:8 bytes]
    { name: 'hex trace id', id: '0af7651916cd43dd8448eb211c80319c', out: '6ea33550875238d8' },
    { name: 'arbitrary trace id', id: 'litellm-trace-1', out: '8ece8cce553da5e4' },
  ])('$name', ({ id, out }) => {
    expect(syntheticRootSpanId(id)).toBe(out);
  });

  test('differs from the observation hash of the same text', () => {
    expect(syntheticRootSpanId('obs-1')).not.toBe(toOtelSpanId('obs-1'));
  });
});

describe('toLangfuseTraceId / toLangfuseObservationId', () => {
  test.for([
    { name: 'trace id lower-cased', f: toLangfuseTraceId, id: '0AF7651916CD43DD8448EB211C80319C', out: '0af7651916cd43dd8448eb211c80319c' },
    { name: 'trace id unchanged', f: toLangfuseTraceId, id: '0af7651916cd43dd8448eb211c80319c', out: '0af7651916cd43dd8448eb211c80319c' },
    { name: 'span id lower-cased', f: toLangfuseObservationId, id: 'B7AD6B7169203331', out: 'b7ad6b7169203331' },
    { name: 'span id unchanged', f: toLangfuseObservationId, id: 'b7ad6b7169203331', out: 'b7ad6b7169203331' },
  ])('$name', ({ f, id, out }) => {
    expect(f(id)).toBe(out);
  });
});

describe('isOtelTraceId / isOtelSpanId', () => {
  test.for([
    { name: 'lower hex', id: '0af7651916cd43dd8448eb211c80319c', ok: true },
    { name: 'upper hex', id: '0AF7651916CD43DD8448EB211C80319C', ok: true },
    { name: 'all zero', id: '00000000000000000000000000000000', ok: false },
    { name: '31 digits', id: '0af7651916cd43dd8448eb211c80319', ok: false },
    { name: '33 digits', id: '0af7651916cd43dd8448eb211c80319cc', ok: false },
    { name: 'non-hex g', id: '0af7651916cd43dd8448eb211c80319g', ok: false },
    { name: 'dashed UUID', id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', ok: false },
    { name: 'trailing newline', id: '0af7651916cd43dd8448eb211c80319c\n', ok: false },
    { name: 'span-id length', id: 'b7ad6b7169203331', ok: false },
    { name: 'number', id: 123, ok: false },
    { name: 'undefined', id: undefined, ok: false },
  ])('trace: $name', ({ id, ok }) => {
    expect(isOtelTraceId(id)).toBe(ok);
  });

  test.for([
    { name: 'lower hex', id: 'b7ad6b7169203331', ok: true },
    { name: 'upper hex', id: 'B7AD6B7169203331', ok: true },
    { name: 'all zero', id: '0000000000000000', ok: false },
    { name: '15 digits', id: 'b7ad6b716920333', ok: false },
    { name: '17 digits', id: 'b7ad6b71692033311', ok: false },
    { name: 'non-hex', id: 'b7ad6b716920333z', ok: false },
    { name: 'trailing newline', id: 'b7ad6b7169203331\n', ok: false },
    { name: 'trace-id length', id: '0af7651916cd43dd8448eb211c80319c', ok: false },
    { name: 'null', id: null, ok: false },
  ])('span: $name', ({ id, ok }) => {
    expect(isOtelSpanId(id)).toBe(ok);
  });
});

describe('envelopeId', () => {
  test.for([
    // python: h = sha256((type + '\0' + bodyId + '\0' + body).encode()).hexdigest(), then
    // version nibble (index 12) := 8, variant nibble (index 16) := (h[16] & 3) | 8.
    // h = e553307ccf455ae538cd896fe33d4c73...: h[16] = '3' -> 'b'
    { name: 'trace-create', type: 'trace-create', bodyId: 't1', body: '{"id":"t1"}', out: 'e553307c-cf45-8ae5-b8cd-896fe33d4c73' },
    // h = aee422b55a94098e6ccc68d39bf87341...: h[16] = '6' -> 'a'
    { name: 'span-create', type: 'span-create', bodyId: 's1', body: '{}', out: 'aee422b5-5a94-898e-accc-68d39bf87341' },
    // h = 96a296d224f285c67bee93c30f8a3091...: h[16] = '7' -> 'b'
    { name: 'all empty', type: '', bodyId: '', body: '', out: '96a296d2-24f2-85c6-bbee-93c30f8a3091' },
  ])('$name', ({ type, bodyId, body, out }) => {
    expect(envelopeId(type, bodyId, body)).toBe(out);
    expect(out).toMatch(ENVELOPE);
  });

  test.for([
    { name: 'type differs', a: ['trace-create', 't1', '{}'], b: ['span-create', 't1', '{}'] },
    { name: 'body id differs', a: ['trace-create', 't1', '{}'], b: ['trace-create', 't2', '{}'] },
    { name: 'body differs', a: ['trace-create', 't1', '{}'], b: ['trace-create', 't1', '{"a":1}'] },
    { name: 'text moved across the type/bodyId boundary', a: ['ab', 'c', '{}'], b: ['a', 'bc', '{}'] },
    { name: 'text moved across the bodyId/body boundary', a: ['t', 'ab', 'c'], b: ['t', 'a', 'bc'] },
  ])('$name -> different ids', ({ a, b }) => {
    const [ta, ia, ba] = a as [string, string, string];
    const [tb, ib, bb] = b as [string, string, string];
    expect(envelopeId(ta, ia, ba)).not.toBe(envelopeId(tb, ib, bb));
  });
});

describe('properties', () => {
  // Strings that exercise every branch: hex of the right lengths (incl. zero), UUIDs, free text.
  const hexString = (len: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), minLength: len, maxLength: len });
  const idArb = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    hexString(32),
    hexString(16),
    fc.uuid().map((u) => (u.length % 2 === 0 ? u.toUpperCase() : u)),
    fc.constantFrom('0'.repeat(32), '0'.repeat(16), '00000000-0000-0000-0000-000000000000'),
  );

  test('trace ids: 32 lower-case hex, never all zero, deterministic, valid OTel', () => {
    fc.assert(
      fc.property(idArb, (id) => {
        const out = toOtelTraceId(id);
        expect(out).toMatch(HEX32_LOWER);
        expect(out).not.toBe('0'.repeat(32));
        expect(isOtelTraceId(out)).toBe(true);
        expect(toOtelTraceId(id)).toBe(out);
        // Idempotent: an OTel trace id maps to itself.
        expect(toOtelTraceId(out)).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });

  test('span ids: 16 lower-case hex, never all zero, deterministic, valid OTel', () => {
    fc.assert(
      fc.property(idArb, (id) => {
        for (const f of [toOtelSpanId, syntheticRootSpanId]) {
          const out = f(id);
          expect(out).toMatch(HEX16_LOWER);
          expect(out).not.toBe('0'.repeat(16));
          expect(isOtelSpanId(out)).toBe(true);
          expect(f(id)).toBe(out);
        }
        expect(toOtelSpanId(toOtelSpanId(id))).toBe(toOtelSpanId(id));
      }),
      { numRuns: 2000 },
    );
  });

  test('valid OTel ids survive OTel -> Langfuse -> OTel', () => {
    fc.assert(
      fc.property(hexString(32), hexString(16), (t, s) => {
        fc.pre(isOtelTraceId(t) && isOtelSpanId(s));
        expect(toOtelTraceId(toLangfuseTraceId(t))).toBe(t.toLowerCase());
        expect(toOtelSpanId(toLangfuseObservationId(s))).toBe(s.toLowerCase());
      }),
    );
  });

  test('envelope ids: UUID v8 shape, variant 8-b, deterministic, change with any one field', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), fc.nat({ max: 2 }), (t, i, b, other, which) => {
        const out = envelopeId(t, i, b);
        expect(out).toMatch(ENVELOPE);
        expect(envelopeId(t, i, b)).toBe(out);
        const args: [string, string, string] = [t, i, b];
        fc.pre(args[which] !== other);
        args[which] = other;
        expect(envelopeId(...args)).not.toBe(out);
      }),
      { numRuns: 2000 },
    );
  });
});
