/** The byte cap: appends past it fail with SpoolFullError and write nothing; space comes back as segments go. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpoolFullError, createSpool } from '../../../src/receiver/spool/index.js';
import type { RecordRef, Spool } from '../../../src/receiver/spool/index.js';
import { body, key, removeTempDirs, tempDir } from './helpers.js';

const open: Spool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await removeTempDirs();
});

async function segmentFileBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) if (f.endsWith('.log')) total += (await stat(join(dir, f))).size;
  return total;
}

describe('spool cap', () => {
  it('refuses an append that would pass maxBytes, writes nothing of it, and takes appends again once space is freed', async () => {
    const dir = await tempDir();
    // Each record: 1,000 body bytes + 24 framing + 2 meta + 8 per key = 1,034 bytes; one per segment.
    const spool = await createSpool({ dir, maxBytes: 3_200, segmentBytes: 1 });
    open.push(spool);
    const refs: RecordRef[] = [];
    for (let i = 0; i < 3; i++) refs.push((await spool.append({ meta: {}, body: body(i, 1_000), keys: [key(i)] })).ref!);
    expect(spool.stats().bytes).toBe(3 * 1_034);
    expect(await segmentFileBytes(dir)).toBe(3 * 1_034);
    // Up to the cap exactly is allowed.
    expect(spool.wouldOverflow(3_200 - 3 * 1_034)).toBe(false);
    expect(spool.wouldOverflow(3_200 - 3 * 1_034 + 1)).toBe(true);

    const full = spool.append({ meta: {}, body: body('x', 1_000), keys: [key('x')] });
    await expect(full).rejects.toBeInstanceOf(SpoolFullError);
    await expect(full).rejects.toThrow('full');
    expect(spool.stats()).toMatchObject({ bytes: 3 * 1_034, pendingEvents: 3, segments: 3 });
    expect(await segmentFileBytes(dir)).toBe(3 * 1_034);
    // Its key was not taken: the retry later is a new event, not a duplicate.
    await spool.done(refs[0]!, [key(0)]);
    expect(spool.stats().bytes).toBe(2 * 1_034);
    expect(spool.wouldOverflow(1_000)).toBe(false);
    const retried = await spool.append({ meta: {}, body: body('x', 1_000), keys: [key('x')] });
    expect(retried.fresh).toEqual([true]);
    expect(await segmentFileBytes(dir)).toBe(3 * 1_034);
  });

  it('counts appends still queued against the cap, so concurrent ones cannot pass it together', async () => {
    const spool = await createSpool({ dir: await tempDir(), maxBytes: 2_100, segmentBytes: 1 });
    open.push(spool);
    const results = await Promise.allSettled([0, 1, 2].map((i) => spool.append({ meta: {}, body: body(i, 1_000), keys: [key(i)] })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(spool.stats().bytes).toBe(2 * 1_034);
  });
});
