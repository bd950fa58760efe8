/**
 * The spool's life cycle in one process: append, read (from memory while the consumer keeps up,
 * from disk when it falls behind), done marks, and segment deletion.
 */
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpool } from '../../../src/receiver/spool/index.js';
import type { RecordRef, Spool } from '../../../src/receiver/spool/index.js';
import { Consumer, body, key, removeTempDirs, tempDir } from './helpers.js';

const open: Spool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await removeTempDirs();
});

async function spoolIn(dir: string, options: { segmentBytes?: number; readAheadBytes?: number } = {}): Promise<Spool> {
  const spool = await createSpool({ dir, maxBytes: 10_000_000, ...options });
  open.push(spool);
  return spool;
}

describe('spool life cycle', () => {
  it('hands appended records to the consumer from memory, with their cached value, and deletes a finished segment', async () => {
    const dir = await tempDir();
    const spool = await spoolIn(dir, { segmentBytes: 200 });
    const consumer = new Consumer(spool);
    const first = await spool.append({ meta: { at: 1 }, body: body('a', 200), keys: [key('a1'), key('a2')], cached: { parsed: 'a' } });
    const second = await spool.append({ meta: { at: 2 }, body: body('b', 200), keys: [key('b1')], cached: 'b' });
    expect(first).toEqual({ ref: { segment: 1, index: 0 }, fresh: [true, true] });
    expect(second).toEqual({ ref: { segment: 2, index: 0 }, fresh: [true] });
    expect(spool.stats()).toMatchObject({ segments: 2, pendingEvents: 3, duplicates: 0, corruptRecords: 0 });

    const a = await consumer.next();
    expect(a.ref).toEqual({ segment: 1, index: 0 });
    expect(a.meta).toEqual({ at: 1 });
    expect(a.body.equals(body('a', 200))).toBe(true);
    expect(a.cached).toEqual({ parsed: 'a' });
    expect([a.isPending(key('a1')), a.isPending(key('a2')), a.isPending(key('b1')), a.pendingCount]).toEqual([true, true, false, 2]);

    await spool.done(a.ref, [key('a1')]);
    expect([a.isPending(key('a1')), a.isPending(key('a2')), a.pendingCount]).toEqual([false, true, 1]);
    expect(spool.stats().pendingEvents).toBe(2);
    expect(await readdir(dir)).toContain('seg-0000000001.ack');

    await spool.done(a.ref, [key('a2'), key('not-in-it')]);
    // Segment 1 is full and all done: its log and ack file go, and its bytes stop counting.
    const files = await readdir(dir);
    expect(files.filter((f) => f.startsWith('seg-')).sort()).toEqual(['seg-0000000002.log']);
    expect(spool.stats()).toMatchObject({ segments: 1, pendingEvents: 1 });

    const b = await consumer.next();
    expect([b.ref, b.cached, b.meta]).toEqual([{ segment: 2, index: 0 }, 'b', { at: 2 }]);
    await spool.done(b.ref, [key('b1')]);
    // The active segment stays while it is written to, even when all done.
    expect((await readdir(dir)).filter((f) => f.endsWith('.log'))).toEqual(['seg-0000000002.log']);
    expect(spool.stats().pendingEvents).toBe(0);
  });

  it('ignores done marks for unknown records and keys, and repeated ones', async () => {
    const spool = await spoolIn(await tempDir());
    const { ref } = await spool.append({ meta: {}, body: body(1), keys: [key(1)] });
    await spool.done({ segment: 99, index: 0 }, [key(1)]);
    await spool.done({ segment: 1, index: 7 }, [key(1)]);
    await spool.done(ref!, [key('other')]);
    expect(spool.stats().pendingEvents).toBe(1);
    await Promise.all([spool.done(ref!, [key(1)]), spool.done(ref!, [key(1), key(1)])]);
    expect(spool.stats().pendingEvents).toBe(0);
  });

  it('writes nothing for a record whose keys are all duplicates, and dedupes within one append and one group', async () => {
    const spool = await spoolIn(await tempDir());
    const results = await Promise.all([
      spool.append({ meta: {}, body: body(1), keys: [key(1), key(2), key(1)] }),
      spool.append({ meta: {}, body: body(2), keys: [key(2), key(3)] }),
      spool.append({ meta: {}, body: body(3), keys: [key(3), key(1)] }),
    ]);
    expect(results).toEqual([
      { ref: { segment: 1, index: 0 }, fresh: [true, true, false] },
      { ref: { segment: 1, index: 1 }, fresh: [false, true] },
      { ref: undefined, fresh: [false, false] },
    ]);
    const later = await spool.append({ meta: {}, body: body(4), keys: [key(2)] });
    expect(later).toEqual({ ref: undefined, fresh: [false] });
    expect(spool.stats()).toMatchObject({ pendingEvents: 3, duplicates: 5 });
    // Duplicate-only and key-less records are not handed to the consumer.
    const none = await spool.append({ meta: {}, body: body(5), keys: [] });
    expect(none).toEqual({ ref: undefined, fresh: [] });
    const consumer = new Consumer(spool);
    expect((await consumer.take(2)).map((r) => r.ref)).toEqual([
      { segment: 1, index: 0 },
      { segment: 1, index: 1 },
    ]);
  });

  it('reads from disk, same records in the same order, once the consumer falls behind the read-ahead', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => body(i, 1000 + i));
    const appendAll = async (spool: Spool): Promise<void> => {
      for (const [i, b] of bodies.entries()) await spool.append({ meta: { i }, body: b, keys: [key(i)], cached: i });
    };
    // Plenty of read-ahead: every record comes from memory.
    const fast = await spoolIn(await tempDir(), { segmentBytes: 4000 });
    await appendAll(fast);
    const fromMemory = await new Consumer(fast).take(bodies.length);
    // Read-ahead of 2.5 records: the consumer, 12 records behind, reads from disk, then catches up.
    const slow = await spoolIn(await tempDir(), { segmentBytes: 4000, readAheadBytes: 2500 });
    await appendAll(slow);
    const consumer = new Consumer(slow);
    const fromDisk = await consumer.take(bodies.length);

    const view = (rs: typeof fromMemory): unknown[] => rs.map((r) => ({ ref: r.ref, meta: r.meta, body: r.body.toString(), pending: r.pendingCount }));
    expect(view(fromDisk)).toEqual(view(fromMemory));
    expect(fromMemory.map((r) => r.cached)).toEqual(bodies.map((_, i) => i));
    expect(fromDisk.map((r) => r.cached)).toEqual(bodies.map(() => undefined));
    // Caught up: the next record comes from memory again.
    await slow.append({ meta: {}, body: body('late'), keys: [key('late')], cached: 'late' });
    expect((await consumer.next()).cached).toBe('late');
  });

  it('skips records whose keys were all marked done before the consumer got to them', async () => {
    const spool = await spoolIn(await tempDir());
    const refs: RecordRef[] = [];
    for (let i = 0; i < 3; i++) refs.push((await spool.append({ meta: { i }, body: body(i), keys: [key(i)] })).ref!);
    await spool.done(refs[1]!, [key(1)]);
    const consumer = new Consumer(spool);
    expect((await consumer.take(2)).map((r) => r.meta)).toEqual([{ i: 0 }, { i: 2 }]);
  });

  it('ends records() at close, finishing appends in flight, and refuses work after it', async () => {
    const spool = await spoolIn(await tempDir());
    const consumer = new Consumer(spool);
    const appended = spool.append({ meta: {}, body: body(1), keys: [key(1)] });
    await spool.close();
    await expect(appended).resolves.toMatchObject({ ref: { segment: 1, index: 0 } });
    expect(await consumer.ended()).toBe(true);
    await expect(spool.append({ meta: {}, body: body(2), keys: [key(2)] })).rejects.toThrow('closed');
    await expect(spool.done({ segment: 1, index: 0 }, [key(1)])).rejects.toThrow('closed');
  });

  it('fails a malformed append alone, not the group it would have joined', async () => {
    const spool = await spoolIn(await tempDir());
    const bad = [
      { meta: {}, body: 'not a buffer', keys: [key('x')] },
      { meta: 5, body: body(1), keys: [key('x')] },
      { meta: {}, body: body(1), keys: [7] },
      { meta: { n: 1n }, body: body(1), keys: [key('x')] },
    ] as unknown as Parameters<Spool['append']>[0][];
    const results = await Promise.allSettled([...bad.map((b) => spool.append(b)), spool.append({ meta: {}, body: body(1), keys: [key('good')] })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    expect(spool.stats().pendingEvents).toBe(1);
  });

  it('takes a request with 100,000 events and marks them done in one call', async () => {
    const spool = await spoolIn(await tempDir());
    const keys = Array.from({ length: 100_000 }, (_, i) => key(i));
    const { ref, fresh } = await spool.append({ meta: {}, body: body('big'), keys: [...keys, key(5)] });
    expect([fresh.filter(Boolean).length, fresh[100_000]]).toEqual([100_000, false]);
    const [record] = await new Consumer(spool).take(1);
    expect([record!.pendingCount, record!.isPending(key(99_999)), record!.isPending(key(100_000))]).toEqual([100_000, true, false]);
    await spool.done(ref!, keys.slice(0, 99_999));
    expect([record!.pendingCount, record!.isPending(key(99_998)), record!.isPending(key(99_999))]).toEqual([1, false, true]);
  });

  it('has one consumer at a time', async () => {
    const spool = await spoolIn(await tempDir());
    await spool.append({ meta: {}, body: body(1), keys: [key(1)] });
    const first = new Consumer(spool);
    await first.next();
    await expect(new Consumer(spool).next()).rejects.toThrow('one consumer');
  });

  it('creates the directory 0700 and its files 0600', async () => {
    const dir = await tempDir();
    const spool = await spoolIn(dir);
    const { ref } = await spool.append({ meta: {}, body: body(1), keys: [key(1)] });
    await spool.done(ref!, [key(1)]);
    const { stat } = await import('node:fs/promises');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(dir)) expect([f, (await stat(`${dir}/${f}`)).mode & 0o777]).toEqual([f, 0o600]);
  });
});
