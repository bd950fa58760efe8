/** Reading typed values out of attribute values, which OTLP/JSON may deliver as strings. */
import { apart } from './apart.js';
import { toJsonValue } from './attribute-bag.js';
import { isPlainObject, looksLikeJsonContainer, parseJson } from './json.js';
import type { IssueSink } from './result.js';

/** A number, or a decimal string of one (OTLP/JSON sends 64-bit ints as strings). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A non-negative safe integer, or a decimal string of one. */
export function toCount(v: unknown): number | undefined {
  const n = toNumber(v);
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** `true`/`"true"` (any case) is true, `false`/`"false"` false, anything else undefined. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return undefined;
}

/** Non-empty string values only; numbers and booleans are written as text. */
export function toText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * A value that may hold JSON text: objects and arrays encoded as strings are parsed (hostile keys
 * dropped); anything else is returned as given. A string that opens like JSON but does not parse
 * is kept verbatim with an INVALID_JSON issue.
 */
export function decodeJsonish(v: unknown, issues: IssueSink, path: string): unknown {
  if (typeof v !== 'string' || !looksLikeJsonContainer(v)) return v;
  return apart(parseReporting, v, issues, path, 'kept as text');
}

/** Parses `text`, reporting failures and dropped keys; the text itself when it does not parse. */
function parseReporting(text: string, issues: IssueSink, path: string, failure: string): unknown {
  const parsed = apart(parseJson, text);
  if (!parsed.ok) {
    issues.add('INVALID_JSON', `${failure}: ${parsed.error}`, path);
    return text;
  }
  if (parsed.droppedKeys > 0) {
    issues.add('HOSTILE_KEY', `${parsed.droppedKeys} hostile key(s) dropped from JSON`, path);
  }
  return parsed.value;
}

/** JSON number literals that overflow a double: a 3-digit exponent or 309 digits in a row. */
const MAYBE_OVERFLOWING_NUMBER = /\d[eE]\+?\d{3}|\d{309}/;

/**
 * {@link decodeJsonish} for metadata, whose schema admits JSON values only: a number a double
 * cannot hold (`1e400` parses to Infinity) becomes the text `"Infinity"`, with an issue.
 */
export function decodeJsonMetadata(v: unknown, issues: IssueSink, path: string): unknown {
  const decoded = decodeJsonish(v, issues, path);
  if (decoded === v || typeof v !== 'string' || !MAYBE_OVERFLOWING_NUMBER.test(v)) return decoded;
  return toJsonValue(decoded, path, issues);
}

/**
 * A value known to be JSON-encoded whatever it holds (the AI SDK writes `ai.value` as
 * `"\"hello\""` and `ai.values` as an array of such strings): strings are parsed, array items
 * one by one; text that does not parse is kept verbatim with an INVALID_JSON issue.
 */
export function decodeJsonText(v: unknown, issues: IssueSink, path: string): unknown {
  if (Array.isArray(v)) return v.map((item, i) => decodeJsonText(item, issues, `${path}[${i}]`));
  return typeof v === 'string' ? apart(parseReporting, v, issues, path, 'kept as text') : v;
}

/**
 * A value that must be a JSON object (usage_details, model parameters ...): an object, or text
 * holding one. Anything else is an INVALID_JSON / INVALID_VALUE issue and undefined.
 */
export function decodeJsonObject(
  v: unknown,
  issues: IssueSink,
  path: string,
): Record<string, unknown> | undefined {
  if (isPlainObject(v)) return v;
  if (typeof v === 'string') {
    const value = apart(parseReporting, v, issues, path, 'expected a JSON object');
    if (value === v) return undefined; // unparsable, already reported
    if (isPlainObject(value)) return value;
  }
  issues.add('INVALID_VALUE', 'expected a JSON object', path);
  return undefined;
}

/**
 * Tags as Langfuse reads them: a string array, a JSON array string, a comma-separated string or a
 * single string. Empty entries are dropped, order kept, duplicates removed.
 */
export function toTags(v: unknown): string[] | undefined {
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (typeof v === 'string') {
    const s = v.trim();
    if (s.startsWith('[')) {
      const parsed = parseJson(s);
      items = parsed.ok && Array.isArray(parsed.value) ? parsed.value : [s];
    } else items = s.split(',');
  } else return undefined;
  const out: string[] = [];
  for (const item of items) {
    const t = typeof item === 'string' ? item.trim() : toText(item);
    if (t !== undefined && t.length > 0 && !out.includes(t)) out.push(t);
  }
  return out.length > 0 ? out : undefined;
}

/** A number rounded to 12 significant digits, so sums of prices do not print float noise. */
export function roundCost(n: number): number {
  return Number(n.toPrecision(12));
}
