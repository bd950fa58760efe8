/**
 * JSON of a request body, parsed only once its nesting is known to stay within a limit: a scan of
 * the bytes (strings skipped) rejects `[[[[...` bombs before JSON.parse and the mapping's
 * recursive walks ever see them.
 */
import { HttpError } from './errors.js';

/** Deepest nesting of arrays and objects accepted (Langfuse payloads rarely pass 20). */
export const DEFAULT_MAX_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Index of the quote that ends the string opened at `open`, or -1 (unterminated). */
function stringEnd(bytes: Buffer, open: number): number {
  for (let end = bytes.indexOf(QUOTE, open + 1); end !== -1; end = bytes.indexOf(QUOTE, end + 1)) {
    let backslashes = 0;
    for (let k = end - 1; k > open && bytes[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return end;
  }
  return -1;
}

/**
 * True when no array or object in `bytes` is nested deeper than `maxDepth`. Strings (most of a
 * request's bytes) are skipped with a native search for their closing quote; only the bytes
 * between them are looked at one by one.
 */
export function withinDepth(bytes: Buffer, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === QUOTE) {
      i = stringEnd(bytes, i);
      if (i === -1) return true; // unterminated: not JSON, JSON.parse says so
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > maxDepth) return false;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
  }
  return true;
}

export function parseJsonBody(bytes: Buffer, maxDepth: number): unknown {
  if (!withinDepth(bytes, maxDepth)) throw new HttpError(400, `Invalid request data: JSON nested deeper than ${maxDepth} levels`);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'Invalid JSON');
  }
}
