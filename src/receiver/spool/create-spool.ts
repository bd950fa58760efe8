/**
 * The receiver's durable spool (design.md 9). `createSpool` opens (and recovers) a directory and
 * wires the stages: recover.ts at open, group-commit.ts for appends and done marks, reader.ts for
 * the single consumer.
 *
 * On disk (directory 0700, files 0600):
 * - `seg-<10 digits>.log`: records, each `"LFSP" | payload length | CRC32 of the payload`, then
 *   the payload `record index | meta length | key count | meta JSON | 8-byte hash per new key |
 *   body` (framing.ts). A new segment once the active one holds `segmentBytes` (16 MiB); a
 *   process never appends to a segment left by an earlier one.
 * - `seg-<n>.ack`: done marks, 12 bytes each (record index, key hash).
 * - `seen-<start ms>.ids`: the 8-byte hashes of the new keys of one dedupe generation.
 * - `lock`: the pid of the process that has the spool open (lock.ts); one process per directory.
 * A key hash is the first 8 bytes of the SHA-256 of the key (key-hash.ts).
 *
 * Durability: `append` resolves once its record and its new key hashes are written and
 * fdatasynced (the directory too when a file was created). Appends and done marks queued
 * together form one group: one writev and one fdatasync per file, shared. An I/O error rejects
 * the whole group; what it wrote is cut off again and none of its keys count as seen or pending.
 * `done` resolves once its ack entries are fdatasynced. After kill -9 or a power cut, every
 * record whose append resolved is replayed at the next open, except keys whose done resolved
 * (a done mark in flight may or may not have landed: at least once).
 *
 * Dedupe: a key is a duplicate when it was taken within the window (`dedupeWindowMillis`,
 * 10 minutes: remembered at least that long, at most 1.25 times, in generations of a quarter
 * window) or earlier in the same append or group; decided in append order. At most
 * `maxDedupeIds` (1,000,000) are remembered: past that the oldest generations go early. After a
 * restart the window is the seen-id files still in it plus every key of the segments on disk.
 * Two keys share a hash with odds 2^-64 (n^2 / 2^65 among n remembered keys); the later one is
 * then taken for a duplicate.
 *
 * Cap: `maxBytes` caps the segment files (ack and seen-id files are not counted). An append that
 * would pass it, counting the appends still queued, fails with SpoolFullError and writes
 * nothing; `wouldOverflow` answers the same ahead. Space comes back when a segment that is no
 * longer written and whose keys are all done is deleted (its log, then its ack file).
 *
 * Recovery at open: a damaged stretch of a segment (bad magic, length, checksum or structure,
 * or a torn tail) counts as one corrupt record and is skipped; the scan goes on at the next good
 * record, so one bad byte costs one record; a bad tail is cut off. A partial entry at the end of
 * an ack or seen-id file is cut off. Finished segments, ack files without a segment and seen-id
 * files past the window are deleted; files with other names are left alone.
 *
 * Reading: records left by an earlier process first, then new ones, in order; from memory while
 * the consumer keeps up (up to `readAheadBytes`, 32 MiB, of bodies not read yet), from disk after.
 *
 * Per event on disk: 8 bytes of key hash in its record plus the record's share of frame (24
 * bytes), meta and body; 8 bytes in a seen-id file for a window; 12 bytes in an ack file once
 * done, until the segment goes. In memory: 11 to 23 bytes per remembered key; 9 bytes per
 * pending key and ~100 bytes per record while its segment lives; read-ahead bodies are the
 * appended buffers themselves, not copies.
 */
import { isPlainObject } from '../../mapping/json.js';
import { framedBytes } from './framing.js';
import { GroupCommitter } from './group-commit.js';
import { hashesOf, hashKeys } from './key-hash.js';
import { resolveOptions } from './options.js';
import { ReadAhead } from './read-ahead.js';
import { lockSpoolDir } from './lock.js';
import { hasUnread, readRecords, unreadCount } from './reader.js';
import { recover } from './recover.js';
import { SeenIds } from './seen-ids.js';
import { SegmentReader } from './segment-reader.js';
import type { AppendInput, AppendResult, RecordRef, Spool, SpooledRecord, SpoolOptions } from './types.js';
import { SpoolFullError } from './types.js';

/** Opens the spool in `options.dir` (created 0700 when missing), recovering what is there. */
export async function createSpool(options: SpoolOptions): Promise<Spool> {
  const o = resolveOptions(options);
  const unlock = await lockSpoolDir(o.dir);
  const seen = new SeenIds({ windowMillis: o.dedupeWindowMillis, maxIds: o.maxDedupeIds });
  let recovered;
  try {
    recovered = await recover(o.fs, o.dir, o.now(), seen);
  } catch (err) {
    await unlock();
    throw err;
  }
  const { table, corruptRecords } = recovered;
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
      // Checked here, so a caller's mistake fails its own append, not the whole group it would join.
      if (!isPlainObject(input.meta) || !Buffer.isBuffer(input.body) || !Array.isArray(input.keys)) {
        throw new TypeError('spool: append takes { meta: object, body: Buffer, keys: string[] }');
      }
      const meta = Buffer.from(JSON.stringify(input.meta), 'utf8');
      const hashes = hashesOf(input.keys);
      const reserved = framedBytes(meta.length, input.keys.length, input.body.length);
      if (used() + reserved > o.maxBytes) throw new SpoolFullError(`spool: full (${used()} of ${o.maxBytes} bytes held)`);
      return new Promise((resolve, reject) => {
        committer.enqueue({ kind: 'append', meta, body: input.body, hashes, cached: input.cached, reserved, settle: { resolve, reject } });
      });
    },
    async done(ref: RecordRef, keys: readonly string[], known?: Uint32Array): Promise<void> {
      if (closing !== undefined) throw new Error('spool: closed');
      if (table.get(ref.segment)?.record(ref.index) === undefined) return;
      const hashes = known ?? hashKeys(keys);
      return new Promise((resolve, reject) => {
        committer.enqueue({ kind: 'done', ref, hashes, settle: { resolve, reject } });
      });
    },
    async discard(ref: RecordRef): Promise<void> {
      if (closing !== undefined) throw new Error('spool: closed');
      const keys = table.get(ref.segment)?.record(ref.index)?.keys;
      if (keys === undefined || keys.pending === 0) return;
      const hashes = keys.pendingHashes();
      return new Promise((resolve, reject) => {
        committer.enqueue({ kind: 'done', ref, hashes, settle: { resolve, reject } });
      });
    },
    hasUnread: () => hasUnread(table, readAhead),
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
      unreadRecords: unreadCount(table, readAhead),
    }),
    close(): Promise<void> {
      closing ??= (async () => {
        await committer.idle();
        await committer.closeFiles();
        readAhead.close();
        await segments.close();
        await unlock();
      })();
      return closing;
    },
  };
}
