/**
 * Restarts on the same directory: exactly the pending events are replayed, in order, before new
 * appends; the dedupe window survives the restart and expires on the (injected) clock.
 */
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpool } from '../../../src/receiver/spool/index.js';
import type { RecordRef, Spool, SpoolOptions } from '../../../src/receiver/spool/index.js';
import { Consumer, body, key, removeTempDirs, tempDir } from './helpers.js';

const open: Spool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await removeTempDirs();
});

async function seenFileStarts(dir: string): Promise<number[]> {
  return (await readdir(dir)).filter((f) => f.startsWith('seen-')).map((f) => Number(f.slice('seen-'.length, -'.ids'.length)));
}

/** Opens the spool, appends one record with `id`, closes: was the key new? */
async function freshAfterRestart(dir: string, options: Partial<SpoolOptions>, id: string): Promise<boolean> {
  const spool = await spoolIn(dir, options);
  const { fresh } = await spool.append({ meta: {}, body: body(id), keys: [key(id)] });
  await spool.close();
  return fresh[0] as boolean;
}

async function spoolIn(dir: string, options: Partial<SpoolOptions> = {}): Promise<Spool> {
  const spool = await createSpool({ dir, maxBytes: 10_000_000, segmentBytes: 500, ...options });
  open.push(spool);
  return spool;
}

describe('spool restart', () => {
  it('replays exactly the pending events, oldest first, then new appends; acked ones never', async () => {
    const dir = await tempDir();
    const first = await spoolIn(dir);
    const refs: RecordRef[] = [];
    for (let i = 0; i < 10; i++) refs.push((await first.append({ meta: { i }, body: body(i, 150), keys: [key(`${i}a`), key(`${i}b`)] })).ref!);
    const consumer = new Consumer(first);
    await consumer.take(4);
    await first.done(refs[0]!, [key('0a'), key('0b')]);
    await first.done(refs[1]!, [key('1a')]);
    await first.done(refs[5]!, [key('5a'), key('5b')]);
    await first.done(refs[9]!, [key('9b')]);
    await first.close();

    const second = await spoolIn(dir);
    expect(second.stats()).toMatchObject({ pendingEvents: 20 - 6, corruptRecords: 0 });
    const replayed = await new Consumer(second).take(8);
    expect(replayed.map((r) => r.meta)).toEqual([1, 2, 3, 4, 6, 7, 8, 9].map((i) => ({ i })));
    expect(replayed.map((r) => [`${r.meta.i as number}`, r.isPending(key(`${r.meta.i as number}a`)), r.isPending(key(`${r.meta.i as number}b`))])).toEqual([
      ['1', false, true],
      ['2', true, true],
      ['3', true, true],
      ['4', true, true],
      ['6', true, true],
      ['7', true, true],
      ['8', true, true],
      ['9', true, false],
    ]);
    expect(replayed.map((r) => r.body.toString())).toEqual([1, 2, 3, 4, 6, 7, 8, 9].map((i) => body(i, 150).toString()));
    expect(replayed.map((r) => r.ref)).toEqual([1, 2, 3, 4, 6, 7, 8, 9].map((i) => refs[i]));
  });

  it('replays records left by an earlier process before new appends, then reads new ones from memory', async () => {
    const dir = await tempDir();
    const first = await spoolIn(dir);
    await first.append({ meta: { n: 'old' }, body: body('old'), keys: [key('old')] });
    await first.close();
    const second = await spoolIn(dir);
    await second.append({ meta: { n: 'new' }, body: body('new'), keys: [key('new')], cached: 'new' });
    const consumer = new Consumer(second);
    const [old, fresh] = await consumer.take(2);
    expect([old!.meta, old!.cached, fresh!.meta]).toEqual([{ n: 'old' }, undefined, { n: 'new' }]);
    expect(fresh!.ref.segment).toBeGreaterThan(old!.ref.segment);
    await second.append({ meta: { n: 'newer' }, body: body('newer'), keys: [key('newer')], cached: 'newer' });
    expect((await consumer.next()).cached).toBe('newer');
  });

  it('deletes at open the segments whose events were all done and ack files without a segment', async () => {
    const dir = await tempDir();
    const first = await spoolIn(dir, { segmentBytes: 10_000 });
    const { ref } = await first.append({ meta: {}, body: body(1), keys: [key(1)] });
    await first.done(ref!, [key(1)]);
    await first.close();
    expect((await readdir(dir)).filter((f) => f.startsWith('seg-')).sort()).toEqual(['seg-0000000001.ack', 'seg-0000000001.log']);
    const second = await spoolIn(dir);
    expect((await readdir(dir)).filter((f) => f.startsWith('seg-'))).toEqual([]);
    expect(second.stats()).toMatchObject({ segments: 0, bytes: 0, pendingEvents: 0 });
    // The next segment gets a new number, so a stale file never mixes with a new one.
    expect((await second.append({ meta: {}, body: body(2), keys: [key(2)] })).ref).toEqual({ segment: 2, index: 0 });
  });

  it('keeps dedupe across a restart, also for keys whose segment is gone', async () => {
    const dir = await tempDir();
    const first = await spoolIn(dir);
    const { ref } = await first.append({ meta: {}, body: body(1, 600), keys: [key(1), key(2)] });
    await first.append({ meta: {}, body: body(2), keys: [key(3)] });
    await first.done(ref!, [key(1), key(2)]);
    await first.close();
    const second = await spoolIn(dir);
    const again = await second.append({ meta: {}, body: body(3), keys: [key(1), key(3), key(4), key(2, 'other project')] });
    expect(again.fresh).toEqual([false, false, true, true]);
    expect(second.stats().duplicates).toBe(2);
  });

  it('forgets keys once the window has passed, at run time and across a restart', async () => {
    const dir = await tempDir();
    let now = 1_000_000;
    // Window 60 s in generations of 15 s; one segment per record, so done records leave no segment.
    const options = { dedupeWindowMillis: 60_000, now: () => now, segmentBytes: 1 };
    const first = await spoolIn(dir, options);
    await first.append({ meta: {}, body: body(1), keys: [key('a')] });
    now = 1_059_000;
    const second = await first.append({ meta: {}, body: body(2), keys: [key('a'), key('b')] });
    expect(second.fresh).toEqual([false, true]);
    // 'a' came in the generation of 1,000,000 to 1,015,000: remembered until 1,075,000.
    now = 1_075_000;
    expect((await first.append({ meta: {}, body: body(3), keys: [key('a')] })).fresh).toEqual([true]);
    await first.done(second.ref!, [key('b')]);
    await first.close();

    // 'b' came at 1,059,000 (generation 1,059,000 to 1,074,000): a duplicate until 1,134,000, after a restart too.
    now = 1_133_999;
    expect(await freshAfterRestart(dir, options, 'b')).toBe(false);
    now = 1_134_000;
    expect(await freshAfterRestart(dir, options, 'b')).toBe(true);
    expect(await seenFileStarts(dir)).not.toContain(1_059_000);
  });

  it('after a restart, keeps the keys of records still pending as duplicates, however old', async () => {
    const dir = await tempDir();
    let now = 0;
    const options = { dedupeWindowMillis: 1_000, now: () => now };
    const first = await spoolIn(dir, options);
    await first.append({ meta: {}, body: body(1), keys: [key('a')] });
    await first.close();
    now = 1_000_000;
    expect(await freshAfterRestart(dir, options, 'a')).toBe(false);
    // The seen-id file of 'a' is gone (past the window): its segment alone kept it.
    expect(await seenFileStarts(dir)).toEqual([]);
  });

  it('bounds the window by maxDedupeIds: the oldest generations go first', async () => {
    const dir = await tempDir();
    let now = 0;
    const spool = await spoolIn(dir, { dedupeWindowMillis: 1_000_000, maxDedupeIds: 40, now: () => now });
    for (let g = 0; g < 6; g++) {
      await spool.append({ meta: {}, body: body(g), keys: Array.from({ length: 10 }, (_, i) => key(`${g}-${i}`)) });
      now += 1;
    }
    expect(spool.stats().dedupeIds).toBeLessThanOrEqual(40 + 10);
    const check = await spool.append({ meta: {}, body: body('check'), keys: [key('0-0'), key('5-9')] });
    expect(check.fresh).toEqual([true, false]);
  });
});
