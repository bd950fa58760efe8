/**
 * The OTLP/JSON writer's strings (src/otlp/json-string.ts): escaped in place in the buffer,
 * they are the bytes of `JSON.stringify` for any text (quotes, backslashes, every control
 * character, multi-byte characters, paired and lone surrogates), written at any position of a
 * buffer that has to grow or not.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { jsonString } from '../../src/otlp/json-string.js';
import { Writer } from '../../src/otlp/otlp-writer.js';

/** Characters that exercise every branch: escaped ASCII, plain ASCII, 2-, 3- and 4-byte UTF-8, surrogates alone. */
const tricky = fc.constantFrom('"', '\\', '\n', '\t', '\b', '\f', '\r', '\u0000', '\u0001', '\u001f', '\u007f', 'a', '{', 'é', '\u2028', '€', '😀', '\ud800', '\udfff', '\ufffd', '\uff01', '\uf000');
const texts = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: tricky, maxLength: 200 }),
  fc.json(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
);

test('property: jsonString writes the bytes of JSON.stringify, after what the buffer holds', () => {
  fc.assert(
    fc.property(fc.array(texts, { minLength: 1, maxLength: 4 }), fc.nat(40), (list, lead) => {
      // A small buffer, so that growing it in the middle of a string is tried too.
      const w = new Writer(0, Buffer.alloc(lead + 1));
      w.pos = lead;
      for (const text of list) jsonString(w, text);
      expect(w.buf.subarray(lead, w.pos).toString('utf8')).toBe(list.map((t) => JSON.stringify(t)).join(''));
      expect(w.buf.subarray(lead, w.pos).equals(Buffer.from(list.map((t) => JSON.stringify(t)).join('')))).toBe(true);
    }),
    { numRuns: 2000 },
  );
});
