/**
 * The protobuf writer's shortcuts against what they replaced: a short string field written first
 * and measured by the write (its length byte set after), and `uint32LE` for Node's
 * `writeUInt32LE`. The same bytes for any text and value, wherever the buffer ends; and spans whose
 * names sit at the shortcut's bound encode as the stock serializer encodes them.
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { makeReadableSpan } from '../../src/mapping/readable-span.js';
import { encodeTraceRequest } from '../../src/otlp/otlp-encoder.js';
import { uint32LE, Writer } from '../../src/otlp/otlp-writer.js';
import { encodeWithStockSerializer } from '../helpers/otlp-proto.js';

/** A string field as written before: tag, the UTF-8 length as a varint, the UTF-8 bytes. */
function referenceString(tag: number, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length: number[] = [];
  let v = bytes.length;
  while (v > 0x7f) {
    length.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  length.push(v);
  return Buffer.concat([Buffer.from([tag, ...length]), bytes]);
}

/** Texts of 0 to 60 UTF-16 units (the bound is 42) of one-, two-, three- and four-byte characters, lone surrogates too. */
const TEXT = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('x', 'é', '€', '😀', '\ud800', 'a\udc00')).map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n)),
);

describe('Writer.string and uint32LE write what they replaced', () => {
  test('property: any text, after any number of bytes in a buffer of any size (it grows where the text does not fit)', () => {
    fc.assert(
      fc.property(TEXT, fc.integer({ min: 0, max: 1100 }), fc.constantFrom(0x0a, 0x2a), (text, before, tag) => {
        const w = new Writer(0);
        w.ensure(before);
        w.buf.fill(0xee, 0, before);
        w.pos = before;
        w.string(tag, text);
        expect(Buffer.from(w.buf.subarray(before, w.pos))).toEqual(referenceString(tag, text));
        expect(w.buf.subarray(0, before).every((b) => b === 0xee)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  test('texts at the bound, at every offset before the end of the first buffer', () => {
    for (const text of ['x'.repeat(42), '€'.repeat(42), '€'.repeat(43), '😀'.repeat(21), `${'😀'.repeat(21)}x`, '\ud800'.repeat(42), '']) {
      for (let before = 900; before < 1024; before++) {
        const w = new Writer(1024);
        w.pos = before;
        w.string(0x2a, text);
        expect(Buffer.from(w.buf.subarray(before, w.pos))).toEqual(referenceString(0x2a, text));
      }
    }
  });

  test('property: uint32LE writes the bytes of writeUInt32LE', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 12 }), (value, at) => {
        const ours = Buffer.alloc(16, 0xee);
        const node = Buffer.alloc(16, 0xee);
        uint32LE(ours, at, value);
        node.writeUInt32LE(value, at);
        expect(ours).toEqual(node);
      }),
      { numRuns: 2000 },
    );
  });

  test('spans and scopes named at the bound encode as the stock serializer encodes them', () => {
    const resource = resourceFromAttributes({ 'service.name': 'svc' });
    const spans: ReadableSpan[] = [];
    for (const [n, unit] of [[41, 'x'], [42, 'x'], [43, 'x'], [42, '€'], [43, '€'], [21, '😀'], [42, '\ud800']] as const) {
      spans.push(
        makeReadableSpan({
          name: unit.repeat(n),
          kind: 1,
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: (spans.length + 1).toString(16).padStart(16, '0'),
          startTime: [1_795_550_920, 560_000_000],
          endTime: [1_795_550_921, 613_914_663],
          attributes: { k: 'v' },
          status: { code: 0 },
          resource,
          scope: { name: `${unit.repeat(n)}-scope`, version: unit.repeat(n) },
        }),
      );
    }
    expect(Buffer.from(encodeTraceRequest(spans)).equals(Buffer.from(encodeWithStockSerializer(spans)))).toBe(true);
  });
});
