/**
 * Group commit: concurrent appends share one write and one fsync per file, keep their order, and
 * share one fate: an I/O failure rejects the whole group and leaves none of its keys seen or
 * pending, in this process or after a restart. The file system is the real one behind a
 * recording wrapper (helpers.ts TestFs).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpool } from '../../../src/receiver/spool/index.js';
import type { Spool } from '../../../src/receiver/spool/index.js';
import { Consumer, TestFs, body, key, removeTempDirs, tempDir } from './helpers.js';

const open: Spool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await removeTempDirs();
});

async function spoolWith(fs: TestFs, segmentBytes?: number): Promise<{ spool: Spool; dir: string }> {
  const at = await tempDir();
  const spool = await createSpool({ dir: at, maxBytes: 10_000_000, fs, segmentBytes });
  open.push(spool);
  return { spool, dir: at };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('spool group commit', () => {
  it('writes concurrent appends with one fsync per file, in call order', async () => {
    const fs = new TestFs();
    const { spool } = await spoolWith(fs);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => spool.append({ meta: { i }, body: body(i, 1_000), keys: [key(i)] })));
    expect(results.map((r) => r.ref)).toEqual(Array.from({ length: 50 }, (_, i) => ({ segment: 1, index: i })));
    expect([fs.count('datasync', '.log'), fs.count('writev', '.log'), fs.count('datasync', '.ids')]).toEqual([1, 1, 1]);
    expect(spool.stats().commits).toBe(1);
    const read = await new Consumer(spool).take(50);
    expect(read.map((r) => r.meta)).toEqual(Array.from({ length: 50 }, (_, i) => ({ i })));
  });

  it('commits done marks and appends issued together as one group', async () => {
    const fs = new TestFs();
    const { spool } = await spoolWith(fs);
    const { ref } = await spool.append({ meta: {}, body: body(0), keys: [key(0)] });
    const commits = spool.stats().commits;
    await Promise.all([spool.done(ref!, [key(0)]), spool.append({ meta: {}, body: body(1), keys: [key(1)] }), spool.append({ meta: {}, body: body(2), keys: [key(2)] })]);
    expect(spool.stats().commits).toBe(commits + 1);
    expect([fs.count('datasync', '.log'), fs.count('datasync', '.ack')]).toEqual([2, 1]);
  });

  it('gathers the appends that come while a commit is in flight into the next group', async () => {
    const fs = new TestFs();
    const { spool } = await spoolWith(fs);
    const reached = deferred();
    const release = deferred();
    fs.holdWhen = (call) => {
      if (call.op !== 'datasync' || !call.file.endsWith('.log')) return undefined;
      fs.holdWhen = undefined;
      reached.resolve();
      return release.promise;
    };
    const first = spool.append({ meta: {}, body: body('first'), keys: [key('first')] });
    await reached.promise;
    const later = Array.from({ length: 10 }, (_, i) => spool.append({ meta: {}, body: body(i), keys: [key(i)] }));
    release.resolve();
    await Promise.all([first, ...later]);
    expect(fs.count('datasync', '.log')).toBe(2);
    expect(spool.stats().commits).toBe(2);
  });

  it.for([
    { name: 'the segment fsync', op: 'datasync', suffix: '.log', segmentBytes: undefined },
    { name: 'the segment write', op: 'writev', suffix: '.log', segmentBytes: undefined },
    { name: 'the seen-id write', op: 'writev', suffix: '.ids', segmentBytes: undefined },
    { name: 'the seen-id fsync', op: 'datasync', suffix: '.ids', segmentBytes: undefined },
    { name: 'a segment fsync, one segment per record', op: 'datasync', suffix: '.log', segmentBytes: 1 },
    { name: 'creating a segment', op: 'open', suffix: '.log', segmentBytes: 1 },
  ] as const)('rejects the whole group when $name fails, and keeps none of its keys', async ({ op, suffix, segmentBytes }) => {
    const fs = new TestFs();
    const { spool, dir } = await spoolWith(fs, segmentBytes);
    await spool.append({ meta: { n: 'before' }, body: body('before'), keys: [key('before')] });
    fs.failWhen = (call) => call.op === op && call.file.endsWith(suffix);
    const group = await Promise.allSettled([0, 1, 2].map((i) => spool.append({ meta: { i }, body: body(i), keys: [key(i)] })));
    expect(group.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : r.status))).toEqual(['EIO', 'EIO', 'EIO']);
    expect(spool.stats()).toMatchObject({ pendingEvents: 1, duplicates: 0 });
    fs.failWhen = undefined;

    // The keys were not taken: the client's retry is new. Nothing of the failed group is read.
    const retry = await spool.append({ meta: { n: 'retry' }, body: body('retry'), keys: [key(0)] });
    expect(retry.fresh).toEqual([true]);
    const consumer = new Consumer(spool);
    expect((await consumer.take(2)).map((r) => r.meta)).toEqual([{ n: 'before' }, { n: 'retry' }]);
    await spool.close();

    // Nor after a restart: exactly the two records that were acknowledged come back.
    const again = await createSpool({ dir, maxBytes: 10_000_000 });
    open.push(again);
    expect(again.stats()).toMatchObject({ pendingEvents: 2, corruptRecords: 0 });
    expect((await new Consumer(again).take(2)).map((r) => r.meta)).toEqual([{ n: 'before' }, { n: 'retry' }]);
    expect((await again.append({ meta: {}, body: body(3), keys: [key(1), key(2), key(0)] })).fresh).toEqual([true, true, false]);
  });

  it('cuts what a failed group wrote off the segment file', async () => {
    const fs = new TestFs();
    const { spool, dir } = await spoolWith(fs);
    await spool.append({ meta: {}, body: body('kept'), keys: [key('kept')] });
    const size = (await stat(join(dir, 'seg-0000000001.log'))).size;
    fs.failWhen = (call) => call.op === 'datasync' && call.file.endsWith('.log');
    await expect(spool.append({ meta: {}, body: body('lost', 5_000), keys: [key('lost')] })).rejects.toThrow('injected EIO');
    expect((await stat(join(dir, 'seg-0000000001.log'))).size).toBe(size);
  });

  it('rejects a done mark whose ack write fails and keeps its keys pending', async () => {
    const fs = new TestFs();
    const { spool, dir } = await spoolWith(fs);
    const { ref } = await spool.append({ meta: {}, body: body(1), keys: [key(1), key(2)] });
    fs.failWhen = (call) => call.op === 'datasync' && call.file.endsWith('.ack');
    await expect(spool.done(ref!, [key(1)])).rejects.toThrow('injected EIO');
    expect(spool.stats().pendingEvents).toBe(2);
    fs.failWhen = undefined;
    await spool.done(ref!, [key(2)]);
    await spool.close();
    const again = await createSpool({ dir, maxBytes: 10_000_000 });
    open.push(again);
    const [replayed] = await new Consumer(again).take(1);
    expect([replayed!.isPending(key(1)), replayed!.isPending(key(2))]).toEqual([true, false]);
  });
});
