/**
 * Speed changes in the mapping against the code they replaced: `parseIso` checks the calendar
 * instead of building a Date, span durations are computed without BigInt. Each must give exactly
 * what the old code gave, on generated and hostile inputs.
 */
import type { HrTime } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { makeReadableSpan } from '../../src/mapping/readable-span.js';
import { apart } from '../../src/mapping/apart.js';
import { isNonEmpty, isPlainObject } from '../../src/mapping/json.js';
import { parseIso } from '../../src/mapping/time.js';
import { jsonText } from '../../src/mapping/to-otel/attributes.js';
import { jsonText as referenceJsonText } from '../helpers/reverse-reference/attributes.js';
import { resourceFromAttributes } from '@opentelemetry/resources';

/** parseIso as it was: a Date per call to check the calendar. */
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
function oldParseIso(text: string): { time: HrTime; fractionDigits: number } | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const m = ISO_RE.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, sec, frac, z, sign, oh, om] = m;
  const [year, month, day, hour, minute] = [y, mo, d, h, mi].map(Number) as [number, number, number, number, number];
  const second = sec === undefined ? 0 : Number(sec);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  let offsetSeconds = 0;
  if (z === undefined) {
    if (Number(oh) > 23 || Number(om) > 59) return undefined;
    offsetSeconds = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  }
  const digits = frac ?? '';
  const time: HrTime = [ms / 1000 - offsetSeconds, digits.length === 0 ? 0 : Number(digits.slice(0, 9).padEnd(9, '0'))];
  const valid = Number.isSafeInteger(time[0]) && time[0] >= 0 && (time[0] < 18_446_744_073 || (time[0] === 18_446_744_073 && time[1] <= 709_551_615));
  return valid ? { time, fractionDigits: digits.length } : undefined;
}

/** isNonEmpty as it was, in one piece (now its container branch is called apart). */
function oldIsNonEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** The BigInt duration makeReadableSpan had. */
function oldDuration(start: HrTime, end: HrTime): HrTime {
  const nanos = (BigInt(end[0]) - BigInt(start[0])) * 1_000_000_000n + BigInt(end[1] - start[1]);
  const safe = nanos < 0n ? 0n : nanos;
  return [Number(safe / 1_000_000_000n), Number(safe % 1_000_000_000n)];
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

describe('mapping fast paths give the old results', () => {
  test('parseIso: what the old code gave, for any year, month, day, hour, offset and fraction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.constantFrom('Z', '+02:00', '-08:00', '+23:59', '+24:00', '-0800'),
        fc.constantFrom('', '.1', '.123456', '.123456789123', ':60'),
        (year, month, day, hour, offset, fraction) => {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:30${fraction === ':60' ? ':60' : `:15${fraction}`}${offset}`;
          expect(parseIso(text)).toEqual(oldParseIso(text));
        },
      ),
      { numRuns: 5000 },
    );
    for (const text of ['2024-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '2025-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '0099-01-01T00:00:00Z', '0100-03-01T00:00:00Z']) {
      expect(parseIso(text)).toEqual(oldParseIso(text));
    }
  });

  test('span duration: the old BigInt arithmetic, negative durations as zero', () => {
    const resource = resourceFromAttributes({});
    const time = fc.tuple(fc.integer({ min: 0, max: 18_446_744_073 }), fc.integer({ min: 0, max: 999_999_999 }));
    fc.assert(
      fc.property(time, time, (startTime, endTime) => {
        const span = makeReadableSpan({ name: 'x', kind: 0, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), startTime, endTime, attributes: {}, status: { code: 0 }, resource, scope: { name: 's' } });
        expect(span.duration).toEqual(oldDuration(startTime, endTime));
      }),
      { numRuns: 3000 },
    );
  });

  test('jsonText: the text the old code made (JSON.stringify) of any value, primitives written without it', () => {
    const special = fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 5e-324, 0.1 + 0.2, null, true, false, undefined);
    fc.assert(
      fc.property(fc.oneof(special, fc.double(), fc.integer(), fc.anything()), (v) => {
        expect(jsonText(v)).toBe(referenceJsonText(v));
      }),
      { numRuns: 3000 },
    );
  });

  test('isNonEmpty: what it gave in one piece, for any value', () => {
    const special = fc.constantFrom(undefined, null, '', 0, false, [], {}, Object.create(null), [undefined], { a: undefined }, new Map(), new Date(0), () => 1, Symbol('s'), 0n);
    fc.assert(
      fc.property(fc.oneof(special, fc.anything({ withMap: true, withSet: true, withDate: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true })), (v) => {
        expect(isNonEmpty(v)).toBe(oldIsNonEmpty(v));
      }),
      { numRuns: 3000 },
    );
  });

  test('apart: the call it makes, arguments and result as they are, whatever the function', () => {
    const seen: unknown[][] = [];
    const record = (...args: unknown[]): unknown => (seen.push(args), args.length);
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), (a, b, c, d) => {
        expect(apart((x: unknown, y: unknown, z: unknown, w: unknown) => [x, y, z, w], a, b, c, d)).toEqual([a, b, c, d]);
        expect(apart((x: unknown) => x, a)).toBe(a);
      }),
      { numRuns: 500 },
    );
    expect(() => apart(() => { throw new RangeError('thrown'); }, 1)).toThrow(RangeError);
    expect(apart(record, 1, 2)).toBe(4);
    expect(seen.at(-1)).toEqual([1, 2, undefined, undefined]);
  });
});
