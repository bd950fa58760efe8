/**
 * The receiver's durable spool (design.md 9): `createSpool` opens (and recovers) a directory and
 * wires the stages: recover.ts at open, group-commit.ts for appends and done marks, reader.ts for
 * the single consumer. Format, durability, dedupe window, cap and recovery rules: README.md next
 * to this file.
 */
import { framedBytes } from './framing.js';
import { GroupCommitter } from './group-commit.js';
import { hashKeys } from './key-hash.js';
import { resolveOptions } from './options.js';
import { ReadAhead } from './read-ahead.js';
import { readRecords } from './reader.js';
import { recover } from './recover.js';
import { SeenIds } from './seen-ids.js';
import { SegmentReader } from './segment-reader.js';
import type { AppendInput, AppendResult, RecordRef, Spool, SpooledRecord, SpoolOptions } from './types.js';
import { SpoolFullError } from './types.js';

/** Opens the spool in `options.dir` (created 0700 when missing), recovering what is there. */
export async function createSpool(options: SpoolOptions): Promise<Spool> {
  const o = resolveOptions(options);
  const seen = new SeenIds({ windowMillis: o.dedupeWindowMillis, maxIds: o.maxDedupeIds });
  const { table, corruptRecords } = await recover(o.fs, o.dir, o.now(), seen);
  const counters = { corruptRecords, duplicates: 0, commits: 0 };
  const readAhead = new ReadAhead(o.readAheadBytes, table.pending > 0);
  const committer = new GroupCommitter({ fs: o.fs, dir: o.dir, table, seen, segmentBytes: o.segmentBytes, now: o.now, readAhead, counters });
  const segments = new SegmentReader(o.fs, o.dir);
  const used = (): number => table.bytes + committer.reservedBytes;
  let closing: Promise<void> | undefined;
  let consuming = false;

  async function* consume(): AsyncGenerator<SpooledRecord, void, undefined> {
    if (consuming) throw new Error('spool: records() has one consumer at a time');
    consuming = true;
    try {
      yield* readRecords({ table, readAhead, segments, counters });
    } finally {
      consuming = false;
    }
  }

  return {
    async append(input: AppendInput): Promise<AppendResult> {
      if (closing !== undefined) throw new Error('spool: closed');
      const meta = Buffer.from(JSON.stringify(input.meta), 'utf8');
      const hashes = hashKeys(input.keys);
      const reserved = framedBytes(meta.length, input.keys.length, input.body.length);
      if (used() + reserved > o.maxBytes) throw new SpoolFullError(`spool: full (${used()} of ${o.maxBytes} bytes held)`);
      return new Promise((resolve, reject) => {
        committer.enqueue({ kind: 'append', meta, body: input.body, hashes, cached: input.cached, reserved, settle: { resolve, reject } });
      });
    },
    async done(ref: RecordRef, keys: readonly string[]): Promise<void> {
      if (closing !== undefined) throw new Error('spool: closed');
      if (table.get(ref.segment)?.records[ref.index] === undefined) return;
      const hashes = hashKeys(keys);
      return new Promise((resolve, reject) => {
        committer.enqueue({ kind: 'done', ref, hashes, settle: { resolve, reject } });
      });
    },
    records: consume,
    wouldOverflow: (bytes: number): boolean => used() + bytes > o.maxBytes,
    stats: () => ({
      bytes: table.bytes,
      segments: table.count,
      pendingEvents: table.pending,
      corruptRecords: counters.corruptRecords,
      duplicates: counters.duplicates,
      dedupeIds: seen.size,
      commits: counters.commits,
    }),
    close(): Promise<void> {
      closing ??= (async () => {
        await committer.idle();
        await committer.closeFiles();
        readAhead.close();
        await segments.close();
      })();
      return closing;
    },
  };
}
