/** JSON helpers that never throw and never let a hostile key reach an object's prototype. */
import { apart } from './apart.js';

/** Keys that could pollute prototypes when copied with assignment; dropped wherever they appear. */
export const HOSTILE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** One scan of a text for any of {@link HOSTILE_KEYS}, instead of one per name. */
export const MENTIONS_HOSTILE_KEY = /__proto__|constructor|prototype/;

/**
 * The same for JSON text, which can also spell a key with escapes (`"\u005f_proto__"`): any
 * `\u` escape sends the parsed value through the walk too.
 */
const JSON_MAY_HOLD_HOSTILE_KEY = /__proto__|constructor|prototype|\\u/;

export type JsonParseResult =
  | { readonly ok: true; readonly value: unknown; readonly droppedKeys: number }
  | { readonly ok: false; readonly error: string };

/** Removes hostile keys from a parsed JSON value in place; returns how many were removed. */
function stripHostileKeys(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let dropped = 0;
  if (Array.isArray(v)) {
    for (const item of v) dropped += stripHostileKeys(item);
    return dropped;
  }
  const rec = v as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (HOSTILE_KEYS.has(key)) {
      delete rec[key];
      dropped++;
    } else dropped += stripHostileKeys(rec[key]);
  }
  return dropped;
}

/**
 * Deepest nesting a parsed value may have. Deeper values fail validation by a recursive schema
 * (zod, ours and the Langfuse server's, overflows its stack near 1,000 levels) and can make
 * `JSON.stringify` throw, so they are refused and the caller keeps the text.
 */
export const MAX_JSON_DEPTH = 200;

/**
 * True when `text` holds more than `limit` `[` or `{` (cheap: `indexOf` skips text runs; a text
 * no longer than `limit` cannot hold that many and is not scanned).
 */
function hasManyOpeners(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  let n = 0;
  for (const opener of ['[', '{']) {
    for (let i = text.indexOf(opener); i !== -1; i = text.indexOf(opener, i + 1)) if (++n > limit) return true;
  }
  return false;
}

/** True when `v` nests containers more than `limit` levels deep (iterative: no stack overflow). */
function deeperThan(v: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * `JSON.parse` that drops hostile keys (counting them) and turns every failure into a value.
 * `JSON.parse` itself defines `__proto__` as a plain own property, so the value is safe until it
 * is copied by assignment; the keys are removed before that can happen. The walk only runs when
 * the text mentions such a key or holds a `\u` escape (which could spell one), which keeps the
 * common case as fast as a bare `JSON.parse`.
 */
export function parseJson(text: string): JsonParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // SyntaxError for bad text, RangeError for nesting deeper than the stack allows.
    return { ok: false, error: err instanceof Error ? err.message.slice(0, 200) : 'unparsable' };
  }
  // A value can only be deeper than the limit when the text has that many openers.
  if (hasManyOpeners(text, MAX_JSON_DEPTH) && deeperThan(value, MAX_JSON_DEPTH)) {
    return { ok: false, error: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  }
  let droppedKeys = 0;
  if (JSON_MAY_HOLD_HOSTILE_KEY.test(text)) {
    try {
      droppedKeys = stripHostileKeys(value);
    } catch {
      return { ok: false, error: 'nested too deeply' };
    }
  }
  return { ok: true, value, droppedKeys };
}

/** True for a string whose first non-space character opens a JSON object or array. */
export function looksLikeJsonContainer(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b /* { */ || c === 0x5b /* [ */;
  }
  return false;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Langfuse's "non-empty": not null/undefined, not `""`, not an empty array or object. */
export function isNonEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  // Containers apart (see apart.ts): the check is inlined in a dozen readers, the rare branch is not.
  return typeof v !== 'object' || apart(nonEmptyObject, v);
}

function nonEmptyObject(v: object): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * JSON text with object keys sorted at every level, so equal values give equal text.
 * Cycles and values JSON cannot hold (functions, symbols, bigint) become `null`.
 */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const walk = (v: unknown): string => {
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    if (typeof v !== 'object') return 'null';
    if (seen.has(v)) return 'null';
    seen.add(v);
    let out: string;
    if (Array.isArray(v)) {
      out = `[${v.map((x) => (x === undefined ? 'null' : walk(x))).join(',')}]`;
    } else {
      const rec = v as Record<string, unknown>;
      const parts: string[] = [];
      for (const k of Object.keys(rec).sort()) {
        if (rec[k] !== undefined) parts.push(`${JSON.stringify(k)}:${walk(rec[k])}`);
      }
      out = `{${parts.join(',')}}`;
    }
    seen.delete(v);
    return out;
  };
  return walk(value);
}

/** Length of `text` in UTF-8 bytes, without allocating. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
