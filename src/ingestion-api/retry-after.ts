/**
 * `Retry-After` (RFC 9110 §10.2.3) as a delay in milliseconds. Langfuse sends seconds on 429
 * (`langfuse-ingestion.md` §4.5); proxies in front of it may send an HTTP date.
 */

/** Longest delay a server may ask for: 300 000 ms (5 min). Longer values are clamped to it. */
export const MAX_RETRY_AFTER_MILLIS = 300_000;

const SECONDS = /^[+-]?\d+(?:\.\d+)?$/;
// IMF-fixdate and the two obsolete forms all start with a letter (a day name).
const HTTP_DATE = /^[A-Za-z]{3,9},? /;

/**
 * Parses a `Retry-After` value into milliseconds from `nowMillis` (Unix ms).
 * Accepts delay-seconds, also with a decimal part (`"1.5"` → 1500), and an HTTP date.
 * Negative seconds and a date in the past give 0; anything above {@link MAX_RETRY_AFTER_MILLIS}
 * is clamped to it. Returns `undefined` for a missing, empty or unparsable value.
 */
export function parseRetryAfter(value: string | undefined, nowMillis: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (SECONDS.test(text)) return clamp(Math.round(Number(text) * 1000));
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return clamp(at - nowMillis);
}

function clamp(millis: number): number {
  if (!Number.isFinite(millis)) return MAX_RETRY_AFTER_MILLIS;
  return Math.min(Math.max(millis, 0), MAX_RETRY_AFTER_MILLIS);
}
