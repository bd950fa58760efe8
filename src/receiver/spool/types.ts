/**
 * The receiver's spool: what it promises to the rest of the receiver (design.md 9). Accepted
 * requests are appended to segment files and made durable before the receiver answers 201; a
 * single consumer reads them back in order (from memory while it keeps up, from disk when it
 * falls behind or after a restart); events are marked done once forwarded (or dead-lettered),
 * and a segment is deleted only when every event in it is done. The spool is also the dedupe
 * authority: an event key seen within the dedupe window, before or after a restart, is a
 * duplicate and is not handed to the consumer again.
 */

import type { SpoolFs } from './spool-fs.js';

/** Where a record lives; records are totally ordered by (segment, index). */
export interface RecordRef {
  /** Segment number, increasing. */
  readonly segment: number;
  /** Position of the record in its segment, from 0. */
  readonly index: number;
}

/** What one accepted request leaves in the spool. */
export interface AppendInput {
  /** JSON-serialisable facts of the request: receive time, client identity, auth reference. */
  readonly meta: Readonly<Record<string, unknown>>;
  /** The request body as JSON bytes (after gunzip). */
  readonly body: Buffer;
  /**
   * Dedupe keys of the request's valid events, in body order (`<project>\u0000<envelope id>`).
   * Only keys not seen before become pending events of the record.
   */
  readonly keys: readonly string[];
  /**
   * Handed back untouched as {@link SpooledRecord.cached} when the consumer reads this record
   * from memory (it kept up), so it need not parse the body again. Never written to disk.
   */
  readonly cached?: unknown;
}

export interface AppendResult {
  /** The record; undefined when every key was a duplicate (nothing was written). */
  readonly ref: RecordRef | undefined;
  /** Per key of the input, in order: true when it is new (now pending), false when a duplicate. */
  readonly fresh: readonly boolean[];
}

/** A record as the consumer reads it back. */
export interface SpooledRecord {
  readonly ref: RecordRef;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly body: Buffer;
  /** True for a key of this record that is pending (new when appended and not done yet). */
  isPending(key: string): boolean;
  /** {@link isPending} of the key with this hash (`hashKeys`: hi, lo). */
  isPendingHash(hi: number, lo: number): boolean;
  /** Number of pending keys. */
  readonly pendingCount: number;
  /** {@link AppendInput.cached}, when read from memory in this process. */
  readonly cached?: unknown;
}

export interface SpoolStats {
  /** Bytes of every segment file on disk (what `maxBytes` caps). */
  readonly bytes: number;
  readonly segments: number;
  /** Events appended and not done yet. */
  readonly pendingEvents: number;
  /** Records skipped at open because their checksum or framing was bad (a torn tail included). */
  readonly corruptRecords: number;
  /** Keys refused as duplicates since open. */
  readonly duplicates: number;
  /** Key hashes the dedupe window holds now (in memory, ~11 to 23 bytes each). */
  readonly dedupeIds: number;
  /** Group commits since open (each one fsync per file written, shared by its appends and done marks). */
  readonly commits: number;
  /**
   * Records with pending events not yet handed to the consumer (a backlog: left by an earlier
   * process, or appended while the consumer was paused). Counted by a scan: for metrics.
   */
  readonly unreadRecords: number;
}

/** The spool is at its byte cap: the request is not taken; answer 503 with Retry-After. */
export class SpoolFullError extends Error {
  override readonly name = 'SpoolFullError';
}

export interface SpoolOptions {
  /** Directory of the segment, ack and dedupe files; created (mode 0700) when missing. */
  readonly dir: string;
  /** Cap on the bytes of all segment files; an append that would pass it fails with SpoolFullError. */
  readonly maxBytes: number;
  /** A new segment is started once the current one holds this many bytes. */
  readonly segmentBytes?: number;
  /** Keys are remembered at least this long after they were appended (also across restarts). */
  readonly dedupeWindowMillis?: number;
  /** Records the consumer has not read yet are kept in memory up to this many body bytes. */
  readonly readAheadBytes?: number;
  /** Milliseconds clock for the dedupe window; `Date.now` by default. Tests pass a fake one. */
  readonly now?: () => number;
  /**
   * Most keys the dedupe window holds (default 1,000,000): past it the oldest quarter-window
   * generations are forgotten early, so memory stays under about 23 bytes x this.
   */
  readonly maxDedupeIds?: number;
  /** The file system calls (default `node:fs/promises`); tests pass one that counts or fails. */
  readonly fs?: SpoolFs;
}

/** The spool as the receiver uses it. */
export interface Spool {
  /**
   * Appends a record and resolves once it is durable (written and fsynced; concurrent appends
   * share one fsync). Duplicate keys are decided in append order at commit time. Rejects with
   * {@link SpoolFullError} at the byte cap, or with the I/O error (nothing of it is then pending).
   */
  append(input: AppendInput): Promise<AppendResult>;
  /**
   * The single consumer's view: every record with pending events, oldest first (those left by an
   * earlier process first), then each new one as it is appended. Waits for appends; ends after
   * {@link close}.
   */
  records(): AsyncIterable<SpooledRecord>;
  /**
   * Marks keys of a record done (forwarded or dead-lettered); resolves once that is durable. A
   * segment whose events are all done, and that is no longer written to, is deleted. `hashes`:
   * the keys' `hashKeys`, when the caller has them (else they are computed here).
   */
  done(ref: RecordRef, keys: readonly string[], hashes?: Uint32Array): Promise<void>;
  /**
   * Marks every pending key of a record done: for a record the consumer cannot use at all (its
   * body no longer reads), so it does not hold its segment forever. Resolves once durable.
   */
  discard(ref: RecordRef): Promise<void>;
  /** True when a record with pending events waits for the consumer (cheap; the stats count them). */
  hasUnread(): boolean;
  /** True when an append of `bytes` more would pass the cap (for an early 503). */
  wouldOverflow(bytes: number): boolean;
  stats(): SpoolStats;
  /** Finishes pending writes and acks, closes the files; `records()` ends. */
  close(): Promise<void>;
}
