/**
 * Damaged files at open (fast-check): a segment, ack or seen-id file cut at any point or with any
 * byte flipped. Open never throws; every record not hit by the damage is still read with its
 * pending keys; a damaged record is counted and skipped (the records after it still read); a cut
 * ack entry makes its key pending again (at least once, never lost); later appends work.
 *
 * The layout is known by arithmetic: every record has the same size, so record k of a segment
 * sits at [k F, (k + 1) F) and ack entry j at [12 j, 12 j + 12).
 */
import { cp, readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpool } from '../../../src/receiver/spool/index.js';
import { Consumer, body, key, removeTempDirs, tempDir } from './helpers.js';

const RECORDS = 12;
const PER_SEGMENT = 3;
const BODY_BYTES = 200;
const meta = (i: number): { i: string } => ({ i: String(i).padStart(2, '0') });
/** Frame (12) + fixed payload (12) + meta + two 8-byte key hashes + body. */
const F = 24 + JSON.stringify(meta(0)).length + 16 + BODY_BYTES;
const keysOf = (i: number): string[] => [key(`${i}a`), key(`${i}b`)];
/** Done marks, one key per call, in this order (so ack entries are in this order). */
const DONE: Array<[number, 'a' | 'b']> = [[0, 'a'], [0, 'b'], [1, 'a'], [1, 'b'], [2, 'a'], [2, 'b'], [3, 'a'], [4, 'b'], [7, 'a'], [7, 'b'], [9, 'a']];
const segmentOf = (i: number): number => 1 + Math.floor(i / PER_SEGMENT);
const isDone = (i: number, k: 'a' | 'b'): boolean => DONE.some(([j, l]) => j === i && l === k);

let template = '';

beforeAll(async () => {
  template = await tempDir();
  const spool = await createSpool({ dir: template, maxBytes: 10_000_000, segmentBytes: PER_SEGMENT * F, now: () => 5_000 });
  const refs = [];
  for (let i = 0; i < RECORDS; i++) refs.push((await spool.append({ meta: meta(i), body: body(i, BODY_BYTES), keys: keysOf(i) })).ref!);
  for (const [i, k] of DONE) await spool.done(refs[i]!, [key(`${i}${k}`)]);
  await spool.close();
  // Segment 1 was all done and is gone; the others hold three records each.
  expect((await readdir(template)).sort()).toEqual([
    'seen-000000000000005000.ids',
    'seg-0000000002.ack',
    'seg-0000000002.log',
    'seg-0000000003.ack',
    'seg-0000000003.log',
    'seg-0000000004.ack',
    'seg-0000000004.log',
  ]);
  for (const s of [2, 3, 4]) expect((await stat(join(template, `seg-000000000${s}.log`))).size).toBe(PER_SEGMENT * F);
});

afterAll(removeTempDirs);

/** Pending keys per record, by the record's `i`. */
type Pending = Map<string, string[]>;

function expectedPending(lostRecords: ReadonlySet<number>, undone: ReadonlySet<string>): Pending {
  const out: Pending = new Map();
  for (let i = 3; i < RECORDS; i++) {
    if (lostRecords.has(i)) continue;
    const keys = (['a', 'b'] as const).filter((k) => !isDone(i, k) || undone.has(`${i}${k}`)).map((k) => `${i}${k}`);
    if (keys.length > 0) out.set(meta(i).i, keys);
  }
  return out;
}

async function damagedCopy(file: string, mode: 'cut' | 'flip', at: number, mask: number): Promise<{ dir: string; offset: number }> {
  const dir = await tempDir();
  await cp(template, dir, { recursive: true });
  const path = join(dir, file);
  const size = (await stat(path)).size;
  const offset = at % size;
  if (mode === 'cut') await truncate(path, offset);
  else {
    const bytes = await readFile(path);
    bytes[offset] = (bytes[offset] as number) ^ mask;
    await writeFile(path, bytes);
  }
  return { dir, offset };
}

/** Opens the damaged spool, reads what it replays, appends one more record and checks it comes back. */
async function reopen(dir: string, records: number): Promise<{ pending: Pending; corrupt: number; corruptAfter: number }> {
  const spool = await createSpool({ dir, maxBytes: 10_000_000, now: () => 6_000 });
  const corrupt = spool.stats().corruptRecords;
  const consumer = new Consumer(spool);
  const pending: Pending = new Map();
  for (const r of await consumer.take(records)) {
    const i = Number(r.meta.i);
    pending.set(String(r.meta.i), (['a', 'b'] as const).filter((k) => r.isPending(key(`${i}${k}`))).map((k) => `${i}${k}`));
    expect(r.body.equals(body(i, BODY_BYTES))).toBe(true);
  }
  const added = await spool.append({ meta: { i: 'new' }, body: body('new'), keys: [key('new')] });
  expect(added.fresh).toEqual([true]);
  expect((await consumer.next()).meta).toEqual({ i: 'new' });
  await spool.close();
  const again = await createSpool({ dir, maxBytes: 10_000_000, now: () => 6_000 });
  expect(again.stats().pendingEvents).toBe([...pending.values()].flat().length + 1);
  const corruptAfter = again.stats().corruptRecords;
  await again.close();
  return { pending, corrupt, corruptAfter };
}

const damage = fc.record({ mode: fc.constantFrom('cut' as const, 'flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) });

describe('spool recovery from damaged files', () => {
  it('segment files: loses only the records the damage hits, counts them, reads the rest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(2, 3, 4), damage, async (segment, { mode, at, mask }) => {
        const { dir, offset } = await damagedCopy(`seg-000000000${segment}.log`, mode, at, mask);
        const first = (segment - 1) * PER_SEGMENT;
        const hit = Math.floor(offset / F);
        const lost = new Set<number>();
        if (mode === 'flip') lost.add(first + hit);
        else for (let k = hit; k < PER_SEGMENT; k++) lost.add(first + k);
        const expected = expectedPending(lost, new Set());
        const { pending, corrupt, corruptAfter } = await reopen(dir, expected.size);
        expect(pending).toEqual(expected);
        expect(corrupt).toBe(mode === 'flip' || offset % F !== 0 ? 1 : 0);
        // A bad tail (cut, or a damaged last record) is cut off at the first open; a damaged record
        // followed by good ones stays in the file (and counts at each open) until its segment goes.
        expect(corruptAfter).toBe(mode === 'flip' && hit < PER_SEGMENT - 1 ? 1 : 0);
      }),
      { numRuns: 60 },
    );
  });

  it('ack files: a damaged or cut entry makes its key pending again, nothing else changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(2, 3, 4), damage, async (segment, { mode, at, mask }) => {
        const { dir, offset } = await damagedCopy(`seg-000000000${segment}.ack`, mode, at, mask);
        const entries = DONE.filter(([i]) => segmentOf(i) === segment).map(([i, k]) => `${i}${k}`);
        const hit = Math.floor(offset / 12);
        const undone = new Set(mode === 'flip' ? [entries[hit]!] : entries.slice(hit));
        const expected = expectedPending(new Set(), undone);
        const { pending, corrupt } = await reopen(dir, expected.size);
        expect(pending).toEqual(expected);
        expect(corrupt).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('seen-id files: pending events are untouched and keys of live segments stay duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(damage, async ({ mode, at, mask }) => {
        const { dir } = await damagedCopy('seen-000000000000005000.ids', mode, at, mask);
        const expected = expectedPending(new Set(), new Set());
        const { pending, corrupt } = await reopen(dir, expected.size);
        expect(pending).toEqual(expected);
        expect(corrupt).toBe(0);
        const spool = await createSpool({ dir, maxBytes: 10_000_000, now: () => 6_000 });
        const again = await spool.append({ meta: {}, body: body('dup'), keys: [key('3a'), key('5b'), key('new')] });
        await spool.close();
        expect(again.fresh).toEqual([false, false, false]);
      }),
      { numRuns: 30 },
    );
  });
});
