/**
 * A string as `JSON.stringify` writes it, as UTF-8 straight into a buffer: copied as it is when it
 * needs no escaping (ids, names, times, short texts); escaped in place when it does (the JSON texts
 * of inputs, outputs and metadata are full of quotes), without the copy `JSON.stringify` makes.
 * A property test holds it to `JSON.stringify` for any text.
 */
import { utf8Write } from './otlp-writer.js';
import type { Writer } from './otlp-writer.js';

/** What JSON.stringify escapes in a string: quote, backslash, control characters, and surrogates (lone ones; paired ones are sent along). */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Extra bytes each byte takes once escaped: 1 for `\"`, `\\`, `\n` and the like, 5 for `\u00XX`; 0 for the rest. */
const ESCAPE_EXTRA = new Uint32Array(256);
for (let c = 0; c < 0x20; c++) ESCAPE_EXTRA[c] = 5;
for (const c of [0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x22, 0x5c]) ESCAPE_EXTRA[c] = 1;
/** The letter after the backslash of a short escape (`b t n f r`, `"` and `\` themselves). */
const SHORT_ESCAPE = new Uint8Array(256);
for (const [c, e] of [[0x08, 0x62], [0x09, 0x74], [0x0a, 0x6e], [0x0c, 0x66], [0x0d, 0x72], [0x22, 0x22], [0x5c, 0x5c]] as const) SHORT_ESCAPE[c] = e;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/**
 * Counted for the first byte of a character a surrogate may have become: a 4-byte sequence (a
 * pair) and 0xEF (a lone one is written as U+FFFD, EF BF BD; other characters from U+F000 on
 * take the longer way too, to the same bytes). A string whose escapes add up to as much goes that
 * way too: any string may.
 */
const MAYBE_SURROGATE = 2 ** 31;
for (const c of [0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4]) ESCAPE_EXTRA[c] = MAYBE_SURROGATE;

/**
 * A string as `JSON.stringify` writes it. One that needs escaping (the JSON texts of inputs,
 * outputs and metadata are full of quotes) is written as UTF-8 and escaped in place, from the end
 * (a multi-byte character's bytes are all 0x80 or more: never one of the escaped ASCII bytes);
 * one with a surrogate (lone ones are escaped, paired ones sent along) goes through `JSON.stringify`.
 */
export function jsonString(w: Writer, text: string): void {
  if (!NEEDS_ESCAPE.test(text)) {
    w.ensure(3 * text.length + 2);
    const buf = w.buf;
    buf[w.pos++] = 0x22;
    w.pos += utf8Write.call(buf, text, w.pos, 3 * text.length);
    buf[w.pos++] = 0x22;
    return;
  }
  // At most 3 bytes per UTF-16 unit.
  const start = w.pos;
  w.ensure(3 * text.length + 2);
  w.buf[start] = 0x22;
  const from = start + 1;
  let end = from + utf8Write.call(w.buf, text, from, 3 * text.length);
  let extra = 0;
  for (let i = from; i < end; i++) extra += ESCAPE_EXTRA[w.buf[i] as number] as number;
  if (extra >= MAYBE_SURROGATE) {
    // A surrogate pair (4 bytes) or a lone one (written as U+FFFD): JSON.stringify knows which.
    const escaped = JSON.stringify(text);
    w.ensure(3 * escaped.length);
    w.pos += utf8Write.call(w.buf, escaped, w.pos, 3 * escaped.length);
    return;
  }
  // Room for the escapes and the closing quote, the bytes written so far kept.
  w.pos = end;
  w.ensure(extra + 1);
  w.pos = start;
  const buf = w.buf;
  let j = end + extra - 1;
  // Once every escape is written, the bytes before it are in place already.
  for (let i = end - 1; i >= from && j > i; i--) {
    const b = buf[i] as number;
    const e = ESCAPE_EXTRA[b];
    if (e === 0) buf[j--] = b;
    else if (e === 1) {
      buf[j--] = SHORT_ESCAPE[b] as number;
      buf[j--] = 0x5c;
    } else {
      buf[j--] = HEX_DIGITS[b & 15] as number;
      buf[j--] = HEX_DIGITS[b >> 4] as number;
      buf[j--] = 0x30;
      buf[j--] = 0x30;
      buf[j--] = 0x75;
      buf[j--] = 0x5c;
    }
  }
  end += extra;
  buf[end] = 0x22;
  w.pos = end + 1;
}
