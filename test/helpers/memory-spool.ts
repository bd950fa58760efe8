/**
 * The spool contract (src/receiver/spool/types.ts) in memory, for tests of the stages around the
 * spool (handler, consumer, forwarder). The real spool is tested against the same contract in
 * test/receiver/spool/; tests of the wired receiver use the real one.
 */
import type { AppendInput, AppendResult, RecordRef, Spool, SpooledRecord, SpoolStats } from '../../src/receiver/spool/types.js';
import { hashKeys } from '../../src/receiver/spool/key-hash.js';
import { SpoolFullError } from '../../src/receiver/spool/types.js';

const sameHash = (h: Uint32Array, hi: number, lo: number): boolean => h[0] === hi && h[1] === lo;

interface Stored {
  readonly ref: RecordRef;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly body: Buffer;
  readonly pending: Set<string>;
  readonly cached: unknown;
}

export class MemorySpool implements Spool {
  readonly maxBytes: number;
  readonly stored: Stored[] = [];
  readonly doneCalls: Array<{ ref: RecordRef; keys: string[] }> = [];
  /** Set to make the next append fail like a disk error. */
  failNextAppend: Error | undefined;
  private readonly _seen = new Set<string>();
  private _bytes = 0;
  private _duplicates = 0;
  private _read = 0;
  private _wake: (() => void) | undefined;
  private _closed = false;

  constructor(maxBytes = Number.MAX_SAFE_INTEGER) {
    this.maxBytes = maxBytes;
  }

  append(input: AppendInput): Promise<AppendResult> {
    if (this.failNextAppend !== undefined) {
      const err = this.failNextAppend;
      this.failNextAppend = undefined;
      return Promise.reject(err);
    }
    if (this.wouldOverflow(input.body.length)) return Promise.reject(new SpoolFullError('spool full'));
    const fresh = input.keys.map((key) => {
      if (this._seen.has(key)) {
        this._duplicates++;
        return false;
      }
      this._seen.add(key);
      return true;
    });
    const pending = new Set(input.keys.filter((_, i) => fresh[i]));
    if (pending.size === 0) return Promise.resolve({ ref: undefined, fresh });
    const ref = { segment: 1, index: this.stored.length };
    this.stored.push({ ref, meta: input.meta, body: input.body, pending, cached: input.cached });
    this._bytes += input.body.length;
    this._wake?.();
    return Promise.resolve({ ref, fresh });
  }

  async *records(): AsyncIterable<SpooledRecord> {
    for (;;) {
      while (this._read < this.stored.length) {
        const s = this.stored[this._read++] as Stored;
        if (s.pending.size === 0) continue;
        yield {
          ref: s.ref,
          meta: s.meta,
          body: s.body,
          isPending: (key) => s.pending.has(key),
          isPendingHash: (hi, lo) => [...s.pending].some((key) => sameHash(hashKeys([key]), hi, lo)),
          pendingCount: s.pending.size,
          ...(s.cached === undefined ? {} : { cached: s.cached }),
        };
      }
      if (this._closed) return;
      await new Promise<void>((resolve) => (this._wake = resolve));
      this._wake = undefined;
    }
  }

  done(ref: RecordRef, keys: readonly string[], hashes?: Uint32Array): Promise<void> {
    if (hashes !== undefined && Buffer.compare(Buffer.from(hashes.buffer), Buffer.from(hashKeys(keys).buffer)) !== 0) {
      throw new Error('memory spool: done() was given hashes that are not those of its keys');
    }
    this.doneCalls.push({ ref, keys: [...keys] });
    const s = this.stored[ref.index];
    for (const key of keys) s?.pending.delete(key);
    return Promise.resolve();
  }

  discard(ref: RecordRef): Promise<void> {
    this.stored[ref.index]?.pending.clear();
    return Promise.resolve();
  }

  hasUnread(): boolean {
    return this.stats().unreadRecords > 0;
  }

  wouldOverflow(bytes: number): boolean {
    return this._bytes + bytes > this.maxBytes;
  }

  /** Keys not done yet, over all records. */
  pendingKeys(): string[] {
    return this.stored.flatMap((s) => [...s.pending]);
  }

  stats(): SpoolStats {
    return {
      bytes: this._bytes,
      segments: 1,
      pendingEvents: this.pendingKeys().length,
      corruptRecords: 0,
      duplicates: this._duplicates,
      unreadRecords: this.stored.slice(this._read).filter((s) => s.pending.size > 0).length,
      dedupeIds: this._seen.size,
      commits: this.stored.length,
    };
  }

  close(): Promise<void> {
    this._closed = true;
    this._wake?.();
    return Promise.resolve();
  }
}
