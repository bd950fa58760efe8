/**
 * The typed-array tables behind dedupe and done marks behave like the plain JS structures they
 * replace (fast-check): HashSet64 like a Set of (hi, lo) pairs, through growth and heavy probing;
 * RecordKeys' lookup (a scan for short records, a position index for long ones) like a linear
 * search, with done marks counted like a Set.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashSet64 } from '../../../src/receiver/spool/hash-set-64.js';
import { hashKeys } from '../../../src/receiver/spool/key-hash.js';
import { RecordKeys } from '../../../src/receiver/spool/record-keys.js';

// Few distinct high words and low words that share their low bits: many probes, many repeats.
const pair = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 400 }).map((n) => (n * 1024) >>> 0));
/** The all-zero hash is an empty slot; the set stores it as (0, 1). */
const asKey = ([hi, lo]: [number, number]): string => (hi === 0 && lo === 0 ? '0,1' : `${hi},${lo}`);

describe('HashSet64', () => {
  it('answers add and has like a Set of pairs', () => {
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 600 }), fc.array(pair, { maxLength: 50 }), fc.nat(200), (added, probes, expected) => {
        const set = new HashSet64(expected);
        const model = new Set<string>();
        for (const p of added) {
          expect(set.add(p[0], p[1])).toBe(!model.has(asKey(p)));
          model.add(asKey(p));
        }
        expect(set.size).toBe(model.size);
        for (const p of [...added, ...probes]) expect(set.has(p[0], p[1])).toBe(model.has(asKey(p)));
        // Load stays under 70 %: at most 8 / 0.7 bytes per id once grown past the minimum.
        if (model.size > 100) expect(set.bytes / model.size).toBeLessThanOrEqual(8 / 0.7 * 2);
      }),
    );
  });
});

describe('RecordKeys', () => {
  it('finds keys and counts done marks like a linear search and a Set, short and long records alike', () => {
    fc.assert(
      fc.property(fc.uniqueArray(pair, { maxLength: 80, selector: asKey }), fc.array(pair, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 40 }), (keys, probes, marks) => {
        const flat = Uint32Array.from(keys.flat());
        const record = new RecordKeys(flat);
        const find = (p: [number, number]): number => keys.findIndex((k) => k[0] === p[0] && k[1] === p[1]);
        for (const p of [...keys, ...probes]) expect(record.find(p[0], p[1])).toBe(find(p));
        const done = new Set<number>();
        for (const m of marks) {
          if (keys.length === 0) break;
          const position = m % keys.length;
          if (record.pending === 0) break;
          expect(record.markDone(position)).toBe(!done.has(position));
          done.add(position);
          expect(record.pending).toBe(keys.length - done.size);
        }
        for (const [i, p] of keys.entries()) expect(record.isPending(p[0], p[1])).toBe(record.pending > 0 && !done.has(i));
      }),
    );
  });

  it('starts with the done positions given (as after reading an ack file)', () => {
    const record = new RecordKeys(Uint32Array.from([1, 2, 3, 4, 5, 6]), Uint8Array.from([0, 1, 0]));
    expect([record.pending, record.isPending(1, 2), record.isPending(3, 4), record.pendingPosition(5, 6)]).toEqual([2, true, false, 2]);
  });
});

describe('key hashes', () => {
  it('are the first 8 bytes of the SHA-256 of the key, as two big-endian words', () => {
    const keys = ['p1\u0000a3f9c2', 'project-\u00e9\u0000\u{1F600}', ''];
    const expected = keys.flatMap((k) => {
      const digest = createHash('sha256').update(Buffer.from(k, 'utf8')).digest();
      return [digest.readUInt32BE(0), digest.readUInt32BE(4)];
    });
    expect([...hashKeys(keys)]).toEqual(expected);
  });
});
