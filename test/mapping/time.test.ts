/**
 * Table and property tests for src/mapping/time.ts (design.md section 4).
 * Every expected value is a literal worked out independently (python3 datetime / integer
 * arithmetic), or, in the properties, computed by an independent BigInt calendar below.
 */
import type { HrTime } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  addNanos,
  compareHrTime,
  decimalToNanos,
  diffNanos,
  hrTimeToIso,
  hrTimeToIsoInSecondOf,
  isValidHrTime,
  isoToHrTime,
  parseIso,
} from '../../src/mapping/time.js';

/** Cast for deliberately malformed inputs. */
const bad = (v: unknown): HrTime => v as HrTime;

// OTLP times are unsigned 64-bit nanoseconds: 2^64 - 1 = 18446744073.709551615 s
// = 2554-07-21T23:34:33.709551615Z.
const MAX_S = 18_446_744_073;
const MAX_N = 709_551_615;

describe('hrTimeToIso', () => {
  test.for([
    { name: 'design example, sub-ms -> 9 digits', t: [1795550920, 613914663], iso: '2026-11-24T20:08:40.613914663Z' },
    { name: 'whole ms -> 3 digits', t: [1717245296, 560000000], iso: '2024-06-01T12:34:56.560Z' },
    { name: 'whole second -> .000', t: [1717245296, 0], iso: '2024-06-01T12:34:56.000Z' },
    { name: 'epoch 0', t: [0, 0], iso: '1970-01-01T00:00:00.000Z' },
    { name: 'one nanosecond', t: [0, 1], iso: '1970-01-01T00:00:00.000000001Z' },
    { name: 'microseconds -> 9 digits', t: [1, 123456000], iso: '1970-01-01T00:00:01.123456000Z' },
    { name: '999 ms', t: [86399, 999000000], iso: '1970-01-01T23:59:59.999Z' },
    { name: 'last ns of a day', t: [86399, 999999999], iso: '1970-01-01T23:59:59.999999999Z' },
    { name: 'leap day 2000', t: [951782400, 1000000], iso: '2000-02-29T00:00:00.001Z' },
    { name: 'leap day 2024', t: [1709251199, 500], iso: '2024-02-29T23:59:59.000000500Z' },
    { name: 'year 2100', t: [4102444800, 0], iso: '2100-01-01T00:00:00.000Z' },
    { name: 'top of the OTLP range', t: [MAX_S, MAX_N], iso: '2554-07-21T23:34:33.709551615Z' },
  ])('$name', ({ t, iso }) => {
    expect(hrTimeToIso(t as HrTime)).toBe(iso);
  });

  test.for([
    { name: 'NaN seconds', t: [Number.NaN, 0] },
    { name: 'NaN nanos', t: [0, Number.NaN] },
    { name: 'Infinity seconds', t: [Number.POSITIVE_INFINITY, 0] },
    { name: 'negative seconds', t: [-1, 0] },
    { name: 'negative nanos', t: [0, -1] },
    { name: 'nanos = 1e9', t: [0, 1_000_000_000] },
    { name: 'nanos > 1e9', t: [0, 1_500_000_000] },
    { name: 'fractional seconds', t: [1.5, 0] },
    { name: 'fractional nanos', t: [0, 0.5] },
    { name: 'seconds past 2^64 ns', t: [MAX_S + 1, 0] },
    { name: 'one ns past 2^64 - 1', t: [MAX_S, MAX_N + 1] },
    { name: 'last ns of the top second', t: [MAX_S, 999_999_999] },
    { name: 'huge seconds', t: [1e20, 0] },
    { name: 'string parts', t: ['0', '0'] },
    { name: 'bigint parts', t: [0n, 0n] },
    { name: 'too short', t: [0] },
    { name: 'too long', t: [0, 0, 0] },
    { name: 'not an array', t: { 0: 0, 1: 0, length: 2 } },
    { name: 'null', t: null },
  ])('invalid: $name -> undefined', ({ t }) => {
    expect(hrTimeToIso(bad(t))).toBeUndefined();
    expect(isValidHrTime(t)).toBe(false);
  });
});

describe('hrTimeToIsoInSecondOf', () => {
  test('property: the text hrTimeToIso makes of any time in the same second', () => {
    const nanos = fc.oneof(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 999 }).map((ms) => ms * 1_000_000));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_S - 1 }), nanos, nanos, (s, a, b) => {
        expect(hrTimeToIsoInSecondOf(hrTimeToIso([s, a]) as string, b)).toBe(hrTimeToIso([s, b]));
      }),
    );
  });

  test('the last second of the OTLP range, and whole milliseconds', () => {
    expect(hrTimeToIsoInSecondOf(hrTimeToIso([MAX_S, 0]) as string, MAX_N)).toBe('2554-07-21T23:34:33.709551615Z');
    expect(hrTimeToIsoInSecondOf('2026-11-24T20:08:40.613914663Z', 560_000_000)).toBe('2026-11-24T20:08:40.560Z');
  });
});

describe('parseIso / isoToHrTime', () => {
  test.for([
    { name: 'Z, no fraction', iso: '2024-06-01T12:34:56Z', time: [1717245296, 0], digits: 0 },
    { name: 'Z, 3 digits', iso: '2024-06-01T12:34:56.560Z', time: [1717245296, 560000000], digits: 3 },
    { name: '+02:00', iso: '2024-06-01T12:34:56.123+02:00', time: [1717238096, 123000000], digits: 3 },
    {
      name: 'Python microseconds with -08:00',
      iso: '2024-06-01T12:34:56.123456-08:00',
      time: [1717274096, 123456000],
      digits: 6,
    },
    { name: '9 digits', iso: '2024-06-01T12:34:56.123456789Z', time: [1717245296, 123456789], digits: 9 },
    { name: '13 digits are cut to 9', iso: '2024-06-01T12:34:56.1234567899999Z', time: [1717245296, 123456789], digits: 13 },
    { name: 'one digit', iso: '2024-06-01T12:34:56.5Z', time: [1717245296, 500000000], digits: 1 },
    { name: 'leading zero digits', iso: '2024-06-01T12:34:56.000000001Z', time: [1717245296, 1], digits: 9 },
    { name: 'all-zero fraction', iso: '2024-06-01T12:34:56.000Z', time: [1717245296, 0], digits: 3 },
    { name: 'YYYY-MM-DDTHH:MMZ', iso: '2024-06-01T12:34Z', time: [1717245240, 0], digits: 0 },
    { name: 'HH:MM with offset', iso: '2024-06-01T12:34+00:00', time: [1717245240, 0], digits: 0 },
    { name: 'comma fraction', iso: '2024-06-01T12:34:56,5Z', time: [1717245296, 500000000], digits: 1 },
    { name: '+0530 without colon', iso: '2024-06-01T12:34:56+0530', time: [1717225496, 0], digits: 0 },
    { name: '+05:30', iso: '2024-06-01T12:34:56.25+05:30', time: [1717225496, 250000000], digits: 2 },
    { name: 'lower-case t and z', iso: '2024-06-01t12:34:56.5z', time: [1717245296, 500000000], digits: 1 },
    { name: '+00:00 equals Z', iso: '2024-06-01T12:34:56+00:00', time: [1717245296, 0], digits: 0 },
    { name: '-00:00', iso: '2024-06-01T12:34:56-00:00', time: [1717245296, 0], digits: 0 },
    { name: '+23:59 crosses into the previous day', iso: '2024-06-01T00:00:00+23:59', time: [1717113660, 0], digits: 0 },
    { name: 'offset crosses the year', iso: '2024-01-01T00:30:00+01:00', time: [1704065400, 0], digits: 0 },
    { name: 'leap day', iso: '2024-02-29T23:59:59Z', time: [1709251199, 0], digits: 0 },
    { name: 'leap day 2000 (div by 400)', iso: '2000-02-29T00:00:00Z', time: [951782400, 0], digits: 0 },
    { name: 'epoch', iso: '1970-01-01T00:00:00Z', time: [0, 0], digits: 0 },
    { name: 'epoch written in 1969 with -08:00', iso: '1969-12-31T16:00:00-08:00', time: [0, 0], digits: 0 },
    { name: '1975', iso: '1975-01-01T00:00:00Z', time: [157766400, 0], digits: 0 },
    { name: 'top of the OTLP range', iso: '2554-07-21T23:34:33.709551615Z', time: [MAX_S, MAX_N], digits: 9 },
    {
      name: 'exactly 64 characters',
      iso: `2024-06-01T12:34:56.${'1'.repeat(43)}Z`,
      time: [1717245296, 111111111],
      digits: 43,
    },
  ])('$name', ({ iso, time, digits }) => {
    expect(parseIso(iso)).toEqual({ time, fractionDigits: digits });
    expect(isoToHrTime(iso)).toEqual(time);
  });

  test.for([
    { name: 'no offset', iso: '2024-06-01T12:34:56' },
    { name: 'no offset, fraction', iso: '2024-06-01T12:34:56.123' },
    { name: 'Feb 30', iso: '2024-02-30T00:00:00Z' },
    { name: 'Feb 29 in a non-leap year', iso: '2023-02-29T00:00:00Z' },
    { name: 'Feb 29 2100 (div by 100, not 400)', iso: '2100-02-29T00:00:00Z' },
    { name: 'Apr 31', iso: '2024-04-31T00:00:00Z' },
    { name: 'day 0', iso: '2024-06-00T00:00:00Z' },
    { name: 'day 32', iso: '2024-01-32T00:00:00Z' },
    { name: 'month 13', iso: '2024-13-01T00:00:00Z' },
    { name: 'month 0', iso: '2024-00-01T00:00:00Z' },
    { name: 'hour 24', iso: '2024-06-01T24:00:00Z' },
    { name: 'minute 60', iso: '2024-06-01T12:60:00Z' },
    { name: 'second 60', iso: '2024-06-01T12:34:60Z' },
    { name: 'offset hour 24', iso: '2024-06-01T12:34:56+24:00' },
    { name: 'offset minute 60', iso: '2024-06-01T12:34:56+05:60' },
    { name: 'offset hours only', iso: '2024-06-01T12:34:56+02' },
    { name: 'text garbage', iso: 'not a date' },
    { name: 'empty', iso: '' },
    { name: 'date only', iso: '2024-06-01' },
    { name: 'space separator', iso: '2024-06-01 12:34:56Z' },
    { name: 'dot without digits', iso: '2024-06-01T12:34:56.Z' },
    { name: 'fraction without seconds', iso: '2024-06-01T12:34.5Z' },
    { name: 'leading space', iso: ' 2024-06-01T12:34:56Z' },
    { name: 'trailing space', iso: '2024-06-01T12:34:56Z ' },
    { name: 'trailing newline', iso: '2024-06-01T12:34:56Z\n' },
    { name: 'two-digit year', iso: '24-06-01T12:34:56Z' },
    { name: 'five-digit year', iso: '02024-06-01T12:34:56Z' },
    { name: 'non-ASCII digits', iso: '٢٠٢٤-06-01T12:34:56Z' },
    { name: '65 characters', iso: `2024-06-01T12:34:56.${'1'.repeat(44)}Z` },
    { name: 'very long', iso: `2024-06-01T12:34:56.${'1'.repeat(10_000)}Z` },
    { name: 'before the epoch', iso: '1969-12-31T23:59:59.999999999Z' },
    { name: 'epoch pushed before itself by +00:01', iso: '1970-01-01T00:00:00+00:01' },
    { name: 'year 0075 (Date.UTC maps 0-99 to 1900-1999)', iso: '0075-01-01T00:00:00Z' },
    { name: 'year 0099', iso: '0099-12-31T23:59:59Z' },
    { name: 'year 0000', iso: '0000-01-01T00:00:00Z' },
    { name: 'one ns past 2^64 - 1', iso: '2554-07-21T23:34:33.709551616Z' },
    { name: 'second past the OTLP range', iso: '2554-07-21T23:34:34Z' },
    { name: 'year 9999', iso: '9999-12-31T23:59:59Z' },
  ])('invalid: $name -> undefined', ({ iso }) => {
    expect(parseIso(iso)).toBeUndefined();
    expect(isoToHrTime(iso)).toBeUndefined();
  });

  test.for([
    { name: 'number', v: 1717245296 },
    { name: 'null', v: null },
    { name: 'undefined', v: undefined },
    { name: 'Date', v: new Date(0) },
  ])('non-string $name -> undefined', ({ v }) => {
    expect(parseIso(v as unknown as string)).toBeUndefined();
  });
});

describe('compareHrTime', () => {
  test.for([
    { name: 'equal', a: [5, 10], b: [5, 10], sign: 0 },
    { name: 'earlier second', a: [4, 999999999], b: [5, 0], sign: -1 },
    { name: 'later second', a: [6, 0], b: [5, 999999999], sign: 1 },
    { name: 'same second, earlier nanos', a: [5, 1], b: [5, 2], sign: -1 },
    { name: 'same second, later nanos', a: [5, 2], b: [5, 1], sign: 1 },
    { name: 'range ends', a: [0, 0], b: [MAX_S, MAX_N], sign: -1 },
  ])('$name', ({ a, b, sign }) => {
    expect(Math.sign(compareHrTime(a as HrTime, b as HrTime))).toBe(sign);
  });
});

describe('addNanos', () => {
  test.for([
    { name: 'zero', t: [5, 7], d: 0n, out: [5, 7] },
    { name: 'carry into seconds', t: [1, 999999999], d: 1n, out: [2, 0] },
    { name: 'borrow from seconds', t: [2, 0], d: -1n, out: [1, 999999999] },
    { name: 'one day', t: [1717245296, 560000000], d: 86_400_000_000_000n, out: [1717331696, 560000000] },
    { name: 'to epoch exactly', t: [1, 5], d: -1_000_000_005n, out: [0, 0] },
    { name: 'to the top of the range', t: [MAX_S, 0], d: 709_551_615n, out: [MAX_S, MAX_N] },
    { name: 'below epoch', t: [0, 0], d: -1n, out: undefined },
    { name: 'far below epoch', t: [1, 0], d: -10_000_000_000n, out: undefined },
    { name: 'past 2^64 - 1', t: [MAX_S, MAX_N], d: 1n, out: undefined },
    { name: 'huge', t: [0, 0], d: 10n ** 30n, out: undefined },
  ])('$name', ({ t, d, out }) => {
    expect(addNanos(t as HrTime, d)).toEqual(out);
  });
});

describe('diffNanos', () => {
  test.for([
    { name: 'equal', a: [5, 10], b: [5, 10], d: 0n },
    { name: 'across a second', a: [1, 999999999], b: [2, 0], d: 1n },
    { name: 'reversed', a: [2, 0], b: [1, 999999999], d: -1n },
    { name: 'same second', a: [7, 100], b: [7, 50], d: -50n },
    { name: 'microsecond latency', a: [1717274096, 123456000], b: [1717274097, 23456000], d: 900_000_000n },
    { name: 'whole range (beyond 2^53)', a: [0, 0], b: [MAX_S, MAX_N], d: 18_446_744_073_709_551_615n },
  ])('$name', ({ a, b, d }) => {
    expect(diffNanos(a as HrTime, b as HrTime)).toBe(d);
  });
});

describe('decimalToNanos', () => {
  test.for([
    { name: '123.456 ms', v: 123.456, e: 6, out: 123_456_000n },
    { name: '1e-7 ms is cut to 0', v: 1e-7, e: 6, out: 0n },
    { name: '1.5e-6 ms is cut to 1 ns', v: 1.5e-6, e: 6, out: 1n },
    { name: '0.1 s', v: 0.1, e: 9, out: 100_000_000n },
    { name: '2.5e3 ms', v: 2.5e3, e: 6, out: 2_500_000_000n },
    { name: '-1.5 ms', v: -1.5, e: 6, out: -1_500_000n },
    { name: '0', v: 0, e: 6, out: 0n },
    { name: '-0', v: -0, e: 6, out: 0n },
    { name: '1 s', v: 1, e: 9, out: 1_000_000_000n },
    { name: '1 ns unit', v: 42, e: 0, out: 42n },
    { name: '0.3 s (float 0.30000000000000004 is cut)', v: 0.1 + 0.2, e: 9, out: 300_000_000n },
    { name: '1.23456789123 s is cut to ns', v: 1.23456789123, e: 9, out: 1_234_567_891n },
    { name: '1e21 ms (exponent form)', v: 1e21, e: 6, out: 10n ** 27n },
    { name: '1.5e-7 s', v: 1.5e-7, e: 9, out: 150n },
    { name: 'microsecond unit', v: 12.5, e: 3, out: 12_500n },
  ])('$name', ({ v, e, out }) => {
    expect(decimalToNanos(v, e)).toBe(out);
  });

  test.for([
    { name: 'NaN', v: Number.NaN },
    { name: 'Infinity', v: Number.POSITIVE_INFINITY },
    { name: '-Infinity', v: Number.NEGATIVE_INFINITY },
  ])('$name -> undefined', ({ v }) => {
    expect(decimalToNanos(v, 6)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Independent calendar in BigInt (H. Hinnant's days_from_civil / civil_from_days), used only as
// the oracle for the properties below.

const NS = 1_000_000_000n;
const U64_MAX = 2n ** 64n - 1n;

function daysFromCivil(y: number, m: number, d: number): bigint {
  const yy = BigInt(m <= 2 ? y - 1 : y);
  const era = (yy >= 0n ? yy : yy - 399n) / 400n;
  const yoe = yy - era * 400n;
  const mp = BigInt((m + 9) % 12);
  const doy = (153n * mp + 2n) / 5n + BigInt(d - 1);
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146097n + doe - 719468n;
}

function civilFromDays(z0: bigint): [number, number, number] {
  const z = z0 + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  return [Number(y), Number(m), Number(d)];
}

function daysInMonth(y: number, m: number): number {
  return Number(daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - daysFromCivil(y, m, 1));
}

const p2 = (n: number | bigint): string => String(n).padStart(2, '0');

/** Oracle: nanoseconds since the epoch -> the ISO string the design asks for. */
function isoFromNanos(total: bigint): string {
  const secs = total / NS;
  const nanos = total % NS;
  const [y, m, d] = civilFromDays(secs / 86400n);
  const sod = secs % 86400n;
  const frac = String(nanos).padStart(9, '0');
  const f = nanos % 1_000_000n === 0n ? frac.slice(0, 3) : frac;
  return `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}T${p2(sod / 3600n)}:${p2((sod / 60n) % 60n)}:${p2(sod % 60n)}.${f}Z`;
}

describe('oracle sanity (checked against python3 datetime)', () => {
  test.for([
    { name: 'epoch', total: 0n, iso: '1970-01-01T00:00:00.000Z' },
    { name: 'design example', total: 1_795_550_920_613_914_663n, iso: '2026-11-24T20:08:40.613914663Z' },
    { name: 'top of range', total: U64_MAX, iso: '2554-07-21T23:34:33.709551615Z' },
  ])('$name', ({ total, iso }) => {
    expect(isoFromNanos(total)).toBe(iso);
  });
  test('daysFromCivil', () => {
    expect(daysFromCivil(2024, 6, 1) * 86400n).toBe(1717200000n);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1n);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
  });
});

describe('properties', () => {
  const hrTimeArb: fc.Arbitrary<HrTime> = fc
    .oneof(
      fc.tuple(fc.integer({ min: 0, max: MAX_S }), fc.integer({ min: 0, max: 999_999_999 })),
      fc.tuple(fc.integer({ min: 0, max: MAX_S }), fc.integer({ min: 0, max: 999 }).map((ms) => ms * 1_000_000)),
      fc.tuple(fc.integer({ min: 0, max: 4_102_444_800 }), fc.integer({ min: 0, max: 999_999 }).map((us) => us * 1000)),
      fc.tuple(fc.constant(MAX_S), fc.integer({ min: 0, max: MAX_N })),
    )
    .filter(([s, n]) => BigInt(s) * NS + BigInt(n) <= U64_MAX)
    .map(([s, n]) => [s, n] as HrTime);

  test('isoToHrTime(hrTimeToIso(t)) === t for every valid HrTime', () => {
    fc.assert(
      fc.property(hrTimeArb, (t) => {
        const iso = hrTimeToIso(t);
        expect(iso).toBe(isoFromNanos(BigInt(t[0]) * NS + BigInt(t[1])));
        expect(isoToHrTime(iso!)).toEqual(t);
      }),
      { numRuns: 2000 },
    );
  });

  const digit = fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
  const offsetArb = fc.oneof(
    fc.constantFrom('Z', 'z'),
    fc.record({
      sign: fc.constantFrom('+', '-'),
      h: fc.integer({ min: 0, max: 23 }),
      m: fc.integer({ min: 0, max: 59 }),
      colon: fc.boolean(),
    }),
  );
  const isoPartsArb = fc.record({
    year: fc.integer({ min: 1969, max: 2554 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
    frac: fc.string({ unit: digit, minLength: 0, maxLength: 9 }),
    comma: fc.boolean(),
    t: fc.constantFrom('T', 't'),
    offset: offsetArb,
  });

  test('parseIso then hrTimeToIso gives the same instant as an independent BigInt computation', () => {
    fc.assert(
      fc.property(isoPartsArb, (p) => {
        const day = Math.min(p.day, daysInMonth(p.year, p.month));
        // A fraction needs seconds; HH:MM form only without one.
        const second = p.second ?? (p.frac.length > 0 ? 0 : undefined);
        let text = `${String(p.year).padStart(4, '0')}-${p2(p.month)}-${p2(day)}${p.t}${p2(p.hour)}:${p2(p.minute)}`;
        if (second !== undefined) text += `:${p2(second)}`;
        if (p.frac.length > 0) text += `${p.comma ? ',' : '.'}${p.frac}`;
        let offsetSeconds = 0n;
        if (typeof p.offset === 'string') {
          text += p.offset;
        } else {
          const { sign, h, m, colon } = p.offset;
          text += `${sign}${p2(h)}${colon ? ':' : ''}${p2(m)}`;
          offsetSeconds = (sign === '-' ? -1n : 1n) * BigInt(h * 3600 + m * 60);
        }
        const localSeconds =
          daysFromCivil(p.year, p.month, day) * 86400n + BigInt(p.hour * 3600 + p.minute * 60 + (second ?? 0));
        const fracNanos = p.frac.length === 0 ? 0n : BigInt(p.frac.padEnd(9, '0'));
        const total = (localSeconds - offsetSeconds) * NS + fracNanos;

        const parsed = parseIso(text);
        if (total < 0n || total > U64_MAX) {
          expect(parsed, text).toBeUndefined();
          return;
        }
        expect(parsed, text).toEqual({
          time: [Number(total / NS), Number(total % NS)],
          fractionDigits: p.frac.length,
        });
        expect(hrTimeToIso(parsed!.time)).toBe(isoFromNanos(total));
      }),
      { numRuns: 3000 },
    );
  });

  test('a day past the end of its month is rejected', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 2500 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        (y, m, extra) => {
          const d = daysInMonth(y, m) + extra;
          fc.pre(d <= 31);
          expect(parseIso(`${y}-${p2(m)}-${p2(d)}T00:00:00Z`)).toBeUndefined();
        },
      ),
    );
  });

  test('addNanos and diffNanos agree: addNanos(a, diffNanos(a, b)) === b', () => {
    fc.assert(
      fc.property(hrTimeArb, hrTimeArb, (a, b) => {
        const d = diffNanos(a, b);
        expect(d).toBe(BigInt(b[0]) * NS + BigInt(b[1]) - (BigInt(a[0]) * NS + BigInt(a[1])));
        expect(addNanos(a, d)).toEqual(b);
        // compareHrTime(a, b) < 0 when a is before b, i.e. when b - a > 0.
        expect(Math.sign(compareHrTime(a, b))).toBe(d === 0n ? 0 : d > 0n ? -1 : 1);
      }),
    );
  });
});
