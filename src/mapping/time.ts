/**
 * Exact conversions between OTel `HrTime` (`[seconds, nanoseconds]`) and ISO-8601 strings.
 * No float arithmetic: fractional digits are parsed as digits and carried as integers.
 */
import type { HrTime } from '@opentelemetry/api';

const NANOS_PER_SECOND = 1_000_000_000;
// Date.UTC covers ±8.64e15 ms; OTLP times are unsigned 64-bit nanoseconds since the epoch.
const MAX_SECONDS = 18_446_744_073; // floor((2^64 - 1) / 1e9)
const MAX_NANOS_AT_MAX_SECONDS = 709_551_615; // (2^64 - 1) % 1e9

/** True when `t` is a finite, integral, non-negative HrTime within the OTLP range. */
export function isValidHrTime(t: unknown): t is HrTime {
  if (!Array.isArray(t) || t.length !== 2) return false;
  // Read by index, as the stock serializers read an HrTime (no iterator: cheap before V8 optimises it).
  const s = (t as unknown[])[0];
  const n = (t as unknown[])[1];
  return (
    Number.isSafeInteger(s) &&
    Number.isSafeInteger(n) &&
    (s as number) >= 0 &&
    (s as number) <= MAX_SECONDS &&
    (n as number) >= 0 &&
    (n as number) < NANOS_PER_SECOND &&
    ((s as number) < MAX_SECONDS || (n as number) <= MAX_NANOS_AT_MAX_SECONDS)
  );
}

/** `'00'` to `'99'` and `'000'` to `'999'`: zero-padded digit groups without a `padStart` per part. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

function two(n: number): string {
  return TWO_DIGITS[n] as string;
}

function three(n: number): string {
  return THREE_DIGITS[n] as string;
}

/**
 * `[1795550920, 613914663]` -> `2026-11-24T20:08:40.613914663Z`.
 * Whole milliseconds are written with three digits (`.560Z`), anything finer with nine.
 * Returns undefined for an invalid HrTime.
 */
export function hrTimeToIso(t: HrTime): string | undefined {
  if (!isValidHrTime(t)) return undefined;
  const seconds = t[0];
  const nanos = t[1];
  const days = Math.floor(seconds / 86_400);
  const secondOfDay = seconds - days * 86_400;
  const hh = two(Math.floor(secondOfDay / 3600));
  const mm = two(Math.floor(secondOfDay / 60) % 60);
  const ss = two(secondOfDay % 60);
  // Joined, not a template literal: one flat string instead of a tree of pieces for the output to keep.
  return [civilDate(days), 'T', hh, ':', mm, ':', ss, '.', fraction(nanos), 'Z'].join('');
}

/** The fractional second: three digits for whole milliseconds, else nine. */
function fraction(nanos: number): string {
  const millis = Math.floor(nanos / 1_000_000);
  return nanos - millis * 1_000_000 === 0 ? three(millis) : nineDigits(nanos);
}

/** Length of `YYYY-MM-DDTHH:MM:SS.`, the part of {@link hrTimeToIso}'s text one second shares. */
const SECOND_PREFIX_CHARS = 20;

/**
 * `hrTimeToIso([s, nanos])`, given `sameSecondIso`, the text `hrTimeToIso` made of another time in
 * second `s`: its date and time of day are reused (a span's end is mostly in its start's second).
 */
export function hrTimeToIsoInSecondOf(sameSecondIso: string, nanos: number): string {
  return [sameSecondIso.slice(0, SECOND_PREFIX_CHARS), fraction(nanos), 'Z'].join('');
}

/** Nanoseconds `0` to `999999999` as nine digits. */
function nineDigits(nanos: number): string {
  const millis = Math.floor(nanos / 1_000_000);
  const micros = Math.floor(nanos / 1000) % 1000;
  return `${three(millis)}${three(micros)}${three(nanos % 1000)}`;
}

/** A valid HrTime as decimal nanoseconds since the epoch: `[1, 5]` -> `1000000005`. Exact, no float. */
export function hrTimeToNanosText(t: HrTime): string {
  const seconds = t[0];
  const nanos = t[1];
  // Joined for one flat string, as in hrTimeToIso.
  return seconds === 0 ? String(nanos) : [seconds, nineDigits(nanos)].join('');
}

/**
 * `YYYY-MM-DD` of a day count since 1970-01-01, by integer arithmetic (Howard Hinnant's
 * civil_from_days, http://howardhinnant.github.io/date_algorithms.html): no Date object per call.
 * Valid HrTimes lie in the years 1970 to 2554: four digits.
 */
function civilDate(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${two(Math.floor(year / 100))}${two(year % 100)}-${two(month)}-${two(day)}`;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in `month` (1-12) of `year` in the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

export interface ParsedIso {
  readonly time: HrTime;
  /** Number of fractional-second digits written in the source (0 when none). */
  readonly fractionDigits: number;
}

/**
 * Parses an ISO-8601 date-time with an offset (`Z`, `+02:00`, `-0800`), any number of fractional
 * digits (digits past the ninth are cut), exactly. Returns undefined when it is not such a string
 * or lies outside the OTLP range. The form clients send (`2026-11-24T20:08:40.613914Z`,
 * `...-08:00`) is read character by character; any other is left to {@link parseIsoByPattern},
 * whose answer is the reference (a property test holds the two equal on every string).
 */
export function parseIso(text: string): ParsedIso | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const time = commonIsoTime(text);
  if (time === NOT_COMMON) return parseIsoByPattern(text);
  return time === undefined ? undefined : { time, fractionDigits: commonFractionDigits };
}

/** What {@link commonIsoTime} answers for a text of another form. */
const NOT_COMMON = null;

/** The fraction digits of the time {@link commonIsoTime} read last (no object per call for the callers that want only the time). */
let commonFractionDigits = 0;

/** The two-digit number at `at`, or -1 when those are not two ASCII digits. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * The time of `YYYY-MM-DDTHH:MM:SS[.f+](Z|±HH:MM)` read without a regular expression, with the
 * checks of {@link parseIsoByPattern} (its fraction digits left in `commonFractionDigits`);
 * {@link NOT_COMMON} for a text of any other form.
 */
function commonIsoTime(text: string): HrTime | undefined | typeof NOT_COMMON {
  const n = text.length;
  if (n < 20 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || text.charCodeAt(10) !== 0x54 || text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) {
    return NOT_COMMON;
  }
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (century < 0 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return NOT_COMMON;
  let at = 19;
  let nanos = 0;
  let fractionDigits = 0;
  if (text.charCodeAt(at) === 0x2e) {
    const first = ++at;
    for (let c = text.charCodeAt(at) - 48; c >= 0 && c <= 9; c = text.charCodeAt(++at) - 48) {
      if (at - first < 9) nanos = nanos * 10 + c;
    }
    fractionDigits = at - first;
    if (fractionDigits === 0) return NOT_COMMON;
    for (let k = fractionDigits; k < 9; k++) nanos *= 10;
  }
  let offsetSeconds = 0;
  const zone = text.charCodeAt(at);
  if (zone === 0x5a && at + 1 === n) {
    // Z
  } else if ((zone === 0x2b || zone === 0x2d) && at + 6 === n && text.charCodeAt(at + 3) === 0x3a) {
    const offH = twoDigits(text, at + 1);
    const offM = twoDigits(text, at + 4);
    if (offH < 0 || offM < 0) return NOT_COMMON;
    if (offH > 23 || offM > 59) return undefined;
    offsetSeconds = (zone === 0x2d ? -1 : 1) * (offH * 3600 + offM * 60);
  } else return NOT_COMMON;
  const year = century * 100 + yy;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (year < 100 || day > daysInMonth(year, month)) return undefined;
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  const time: HrTime = [seconds, nanos];
  if (!isValidHrTime(time)) return undefined;
  commonFractionDigits = fractionDigits;
  return time;
}

/** {@link parseIso} by a regular expression, for every form the standard allows here (`t`, `z`, `,`, no seconds, `+0200`). */
export function parseIsoByPattern(text: string): ParsedIso | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const m = ISO_RE.exec(text);
  if (m === null) return undefined;
  const sec = m[6];
  const frac = m[7];
  const z = m[8];
  const sign = m[9];
  const oh = m[10];
  const om = m[11];
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = sec === undefined ? 0 : Number(sec);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Date.UTC silently rolls 2026-02-31 over into March, and maps years 0-99 to 1900-1999;
  // reject both (by the calendar: no Date object per call).
  if (year < 100 || day > daysInMonth(year, month)) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  let offsetSeconds = 0;
  if (z === undefined) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return undefined;
    offsetSeconds = (sign === '-' ? -1 : 1) * (offH * 3600 + offM * 60);
  }
  const seconds = ms / 1000 - offsetSeconds;
  const digits = frac ?? '';
  const nanos = digits.length === 0 ? 0 : Number(digits.slice(0, 9).padEnd(9, '0'));
  const time: HrTime = [seconds, nanos];
  if (!isValidHrTime(time)) return undefined;
  return { time, fractionDigits: digits.length };
}

/** {@link parseIso} without the precision. */
export function isoToHrTime(text: string): HrTime | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const time = commonIsoTime(text);
  return time === NOT_COMMON ? parseIsoByPattern(text)?.time : time;
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareHrTime(a: HrTime, b: HrTime): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/** `t` plus a whole number of nanoseconds (may be negative); undefined when out of range. */
export function addNanos(t: HrTime, nanos: bigint): HrTime | undefined {
  const total = BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]) + nanos;
  if (total < 0n) return undefined;
  const out: HrTime = [Number(total / 1_000_000_000n), Number(total % 1_000_000_000n)];
  return isValidHrTime(out) ? out : undefined;
}

/**
 * `Number(diffNanos(a, b))` without a BigInt when the difference is exact in a double (times less
 * than 104 days apart: every valid time difference of an observation).
 */
export function diffNanosNumber(a: HrTime, b: HrTime): number {
  const seconds = b[0] - a[0];
  if (seconds > -9_000_000 && seconds < 9_000_000) return seconds * 1_000_000_000 + (b[1] - a[1]);
  return Number(diffNanos(a, b));
}

/** Nanoseconds from `a` to `b` (negative when `b` is earlier). */
export function diffNanos(a: HrTime, b: HrTime): bigint {
  return (BigInt(b[0]) - BigInt(a[0])) * 1_000_000_000n + BigInt(b[1] - a[1]);
}

/**
 * Converts a decimal quantity of some unit into whole nanoseconds by reading its decimal digits,
 * so `123.456` ms is exactly 123456000 ns. `unitExponent` is the unit's power of ten in
 * nanoseconds: 6 for milliseconds, 9 for seconds. Digits finer than a nanosecond are cut.
 */
export function decimalToNanos(value: number, unitExponent: number): bigint | undefined {
  if (!Number.isFinite(value)) return undefined;
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(value));
  if (m === null) return undefined;
  const [, sign, intPart, fracPart = '', exp = '0'] = m;
  const digits = `${intPart}${fracPart}`;
  const shift = unitExponent + Number(exp) - fracPart.length;
  let n: bigint;
  if (shift >= 0) {
    if (shift > 40) return undefined;
    n = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const cut = -shift;
    n = cut >= digits.length ? 0n : BigInt(digits.slice(0, digits.length - cut));
  }
  return sign === '-' ? -n : n;
}
