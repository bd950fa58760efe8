/**
 * parseIso reads the common form of an ISO time (`YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)`) without a
 * regular expression and leaves every other form to parseIsoByPattern: on any string, the two give
 * the same answer (valid times of every year, month end, fraction length and offset; near misses
 * made by changing, dropping or adding one character; any text).
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { diffNanos, diffNanosNumber, parseIso, parseIsoByPattern } from '../../src/mapping/time.js';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

const isoArb = fc
  .record({
    year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1969, 1970, 2000, 2024, 2100, 2554, 2555)),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,15}$/), { nil: undefined }),
    zone: fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(([s, h, m]) => `${s}${pad(h, 2)}:${pad(m, 2)}`)),
  })
  .map((t) => `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction === undefined ? '' : `.${t.fraction}`}${t.zone}`);

/** One character changed, dropped or added. */
const nearMissArb = fc.tuple(isoArb, fc.nat(), fc.constantFrom('drop', 'change', 'add'), fc.constantFrom('0', '9', 'T', 't', 'Z', 'z', '.', ',', ':', '-', '+', ' ', 'x', '٣')).map(([text, at, how, c]) => {
  const i = at % (text.length + 1);
  if (how === 'drop') return text.slice(0, i) + text.slice(i + 1);
  if (how === 'change') return text.slice(0, i) + c + text.slice(i + 1);
  return text.slice(0, i) + c + text.slice(i);
});

test('parseIso equals parseIsoByPattern on ISO times, near misses and any text', () => {
  fc.assert(
    fc.property(fc.oneof(isoArb, nearMissArb, fc.string({ maxLength: 40 })), (text) => {
      expect(parseIso(text)).toEqual(parseIsoByPattern(text));
    }),
    { numRuns: 20_000 },
  );
});

test('the forms clients send, and the ones left to the pattern', () => {
  for (const text of [
    '2025-02-06T16:23:27.257129-08:00',
    '2025-02-07T00:23:27.706634Z',
    '2024-02-29T23:59:59.999999999999Z',
    '2023-02-29T00:00:00Z',
    '0099-01-01T00:00:00Z',
    '1969-12-31T23:59:59.999Z',
    '2026-11-24t20:08:40z',
    '2026-11-24T20:08Z',
    '2026-11-24T20:08:40,5+0200',
    '2554-07-21T23:34:33.709551615Z',
    '2554-07-21T23:34:33.709551616Z',
  ]) {
    expect(parseIso(text)).toEqual(parseIsoByPattern(text));
  }
  expect(parseIso('2025-02-06T16:23:27.257129-08:00')).toEqual({ time: [1738887807, 257_129_000], fractionDigits: 6 });
});

test('diffNanosNumber is Number(diffNanos) for any two valid times', () => {
  const time = fc.tuple(fc.integer({ min: 0, max: 18_446_744_072 }), fc.integer({ min: 0, max: 999_999_999 }));
  const near = fc.tuple(time, fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: 0, max: 999_999_999 })).map(([[s, n], d, m]) => [[s, n], [Math.max(0, s + d), m]] as const);
  fc.assert(
    fc.property(fc.oneof(fc.tuple(time, time), near), ([a, b]) => {
      expect(diffNanosNumber(a as [number, number], b as [number, number])).toBe(Number(diffNanos(a as [number, number], b as [number, number])));
    }),
    { numRuns: 20_000 },
  );
});
