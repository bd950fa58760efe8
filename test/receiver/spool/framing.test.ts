/**
 * The record frame: the documented byte layout, round trips (fast-check), and every cut or flipped
 * byte detected; a scan of a whole segment finds every record.
 */
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecord, readFrame } from '../../../src/receiver/spool/framing.js';
import { scanSegment } from '../../../src/receiver/spool/scan-segment.js';

const u32 = (...words: number[]): Buffer => {
  const out = Buffer.alloc(4 * words.length);
  words.forEach((w, i) => out.writeUInt32BE(w, 4 * i));
  return out;
};

const recordArb = fc.record({
  index: fc.nat(),
  meta: fc.json().map((j) => Buffer.from(j)),
  hashes: fc.array(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { maxLength: 6 }).map((h) => Uint32Array.from(h.flat())),
  body: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
});

const framed = (r: { index: number; meta: Buffer; hashes: Uint32Array; body: Buffer }): Buffer => Buffer.concat(encodeRecord(r.index, r.meta, r.hashes, r.body).buffers);

describe('record framing', () => {
  it('writes the documented layout', () => {
    const payload = Buffer.concat([u32(7, 2, 1), Buffer.from('{}'), u32(0xdeadbeef, 0x01020304), Buffer.from('body')]);
    const expected = Buffer.concat([Buffer.from('LFSP'), u32(payload.length, crc32(payload)), payload]);
    expect(framed({ index: 7, meta: Buffer.from('{}'), hashes: Uint32Array.from([0xdeadbeef, 0x01020304]), body: Buffer.from('body') }).toString('hex')).toBe(expected.toString('hex'));
  });

  it('reads back what it wrote', () => {
    fc.assert(
      fc.property(recordArb, (r) => {
        const bytes = framed(r);
        const result = readFrame(bytes, 0);
        expect(result.kind).toBe('ok');
        if (result.kind !== 'ok') return;
        expect(result.end).toBe(bytes.length);
        expect({ ...result.record, hashes: [...result.record.hashes] }).toEqual({ ...r, hashes: [...r.hashes] });
      }),
    );
  });

  it('never accepts a cut or a flipped byte', () => {
    fc.assert(
      fc.property(recordArb, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (r, at, mask, cut) => {
        const bytes = framed(r);
        const offset = at % bytes.length;
        if (cut) expect(readFrame(bytes.subarray(0, offset), 0).kind).toBe('torn');
        else {
          bytes[offset] = (bytes[offset] as number) ^ mask;
          expect(readFrame(bytes, 0).kind).not.toBe('ok');
        }
      }),
    );
  });

  it('scans a segment of records back whole, in order', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 8 }), (records) => {
        const withIndexes = records.map((r, i) => ({ ...r, index: i }));
        const segment = Buffer.concat(withIndexes.map(framed));
        const scanned = scanSegment(segment);
        expect([scanned.corrupt, scanned.goodEnd]).toEqual([0, segment.length]);
        expect(scanned.records.map((r) => r.index)).toEqual(withIndexes.map((r) => r.index));
      }),
    );
  });
});
