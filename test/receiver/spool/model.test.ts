/**
 * Model-based property (fast-check): any interleaving of appends (alone or concurrent), done
 * marks (also for unknown records and keys), reads and restarts leaves the spool with the same
 * duplicates, the same records read in the same order and the same pending set as a plain
 * in-memory model: a set of keys ever taken and a list of records with their pending keys.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpool } from '../../../src/receiver/spool/index.js';
import type { RecordRef, Spool } from '../../../src/receiver/spool/index.js';
import { Consumer, body, key, removeTempDirs, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const KEYS = Array.from({ length: 16 }, (_, i) => `k${String(i).padStart(2, '0')}`);
const keyList = fc.array(fc.constantFrom(...KEYS), { maxLength: 4 });

type Action =
  | { readonly kind: 'append'; readonly keys: readonly (readonly string[])[] }
  | { readonly kind: 'done'; readonly pick: number; readonly keys: readonly string[] }
  | { readonly kind: 'doneUnknown' }
  | { readonly kind: 'read' }
  | { readonly kind: 'restart' };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), keys: fc.array(keyList, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('done' as const), pick: fc.nat(), keys: keyList }),
  fc.constant({ kind: 'doneUnknown' as const }),
  fc.constant({ kind: 'read' as const }),
  fc.constant({ kind: 'read' as const }),
  fc.constant({ kind: 'restart' as const }),
);

interface ModelRecord {
  readonly n: number;
  readonly ref: RecordRef;
  readonly pending: Set<string>;
}

class Model {
  readonly seen = new Set<string>();
  readonly records: ModelRecord[] = [];
  /** Index in `records` from which the consumer looks for its next record. */
  cursor = 0;

  /** Fresh flags of one append, taking its new keys. */
  append(keys: readonly string[]): boolean[] {
    return keys.map((k) => !this.seen.has(k) && (this.seen.add(k), true));
  }

  /** The record the consumer gets next, if any. */
  next(): ModelRecord | undefined {
    while (this.cursor < this.records.length) {
      const r = this.records[this.cursor++]!;
      if (r.pending.size > 0) return r;
    }
    return undefined;
  }

  hasNext(): boolean {
    return this.records.slice(this.cursor).some((r) => r.pending.size > 0);
  }

  get pendingCount(): number {
    return this.records.reduce((n, r) => n + r.pending.size, 0);
  }
}

const pendingOf = (isPending: (k: string) => boolean): string[] => KEYS.filter((k) => isPending(key(k)));

describe('spool against an in-memory model', () => {
  it('gives the same duplicates, reads and pending set under any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(1, 300, 100_000),
        fc.constantFrom(0, 250, 1_000_000),
        async (actions, segmentBytes, readAheadBytes) => {
          const dir = await tempDir();
          const openSpool = (): Promise<Spool> => createSpool({ dir, maxBytes: 100_000_000, segmentBytes, readAheadBytes, now: () => 0 });
          const model = new Model();
          let spool = await openSpool();
          let consumer = new Consumer(spool);
          let n = 0;
          try {
            for (const a of actions) {
              if (a.kind === 'append') {
                const inputs = a.keys.map((keys) => ({ n: n++, keys }));
                const results = await Promise.all(inputs.map((i) => spool.append({ meta: { n: i.n }, body: body(i.n), keys: i.keys.map((k) => key(k)) })));
                inputs.forEach((input, j) => {
                  const fresh = model.append(input.keys);
                  expect(results[j]!.fresh).toEqual(fresh);
                  const ref = results[j]!.ref;
                  expect(ref === undefined).toBe(!fresh.includes(true));
                  if (ref !== undefined) model.records.push({ n: input.n, ref, pending: new Set(input.keys.filter((_, i) => fresh[i])) });
                });
              } else if (a.kind === 'done' && model.records.length > 0) {
                const r = model.records[a.pick % model.records.length]!;
                await spool.done(r.ref, a.keys.map((k) => key(k)));
                for (const k of a.keys) r.pending.delete(k);
              } else if (a.kind === 'doneUnknown') {
                await spool.done({ segment: 1_000, index: 3 }, [key(KEYS[0]!)]);
              } else if (a.kind === 'read' && model.hasNext()) {
                const expected = model.next()!;
                const got = await consumer.next();
                expect([got.meta, got.ref, pendingOf((k) => got.isPending(k))]).toEqual([{ n: expected.n }, expected.ref, [...expected.pending].sort()]);
                expect(got.body.equals(body(expected.n))).toBe(true);
              } else if (a.kind === 'restart') {
                await spool.close();
                spool = await openSpool();
                consumer = new Consumer(spool);
                model.cursor = 0;
              }
              expect(spool.stats().pendingEvents).toBe(model.pendingCount);
            }
            // Finally: a restart replays exactly the model's pending records, in order.
            await spool.close();
            spool = await openSpool();
            consumer = new Consumer(spool);
            model.cursor = 0;
            const expected = model.records.filter((r) => r.pending.size > 0);
            const replayed = await consumer.take(expected.length);
            expect(replayed.map((r) => [r.meta, pendingOf((k) => r.isPending(k))])).toEqual(expected.map((r) => [{ n: r.n }, [...r.pending].sort()]));
            expect(spool.stats().pendingEvents).toBe(model.pendingCount);
          } finally {
            await spool.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
