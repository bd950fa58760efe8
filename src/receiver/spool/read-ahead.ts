/**
 * Committed records the consumer has not read yet, kept in memory while it keeps up. In memory
 * mode the buffer holds exactly the committed records after the consumer's position. When a new
 * record would take the buffer past `limitBytes` of bodies, every copy is dropped and the reader
 * goes to disk mode from the first record it has not read; it comes back to memory mode once it
 * has read everything committed (reader.ts). It starts in disk mode when records left by an
 * earlier process wait to be read back from their files, in memory mode otherwise.
 */
import type { RecordRef } from './types.js';
import type { RecordState, SegmentState } from './segment-table.js';

/** A record just committed, with what the consumer gets from memory. */
export interface CommittedRecord {
  readonly segment: SegmentState;
  readonly state: RecordState;
  readonly meta: Buffer;
  readonly body: Buffer;
  readonly cached: unknown;
}

export class ReadAhead {
  /** Where the reader goes on in disk mode: the first record it has not read. */
  diskFrom: RecordRef = { segment: 0, index: 0 };
  private _memory: boolean;
  private _buffer: Array<CommittedRecord | undefined> = [];
  private _head = 0;
  private _bytes = 0;
  private readonly _limitBytes: number;
  private _wake: (() => void) | undefined;
  private _closed = false;

  constructor(limitBytes: number, replay: boolean) {
    this._limitBytes = limitBytes;
    this._memory = !replay;
  }

  get inMemory(): boolean {
    return this._memory;
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Records held in memory and not read yet. */
  get count(): number {
    return this._buffer.length - this._head;
  }

  /** Body bytes held. */
  get bytes(): number {
    return this._bytes;
  }

  /** Called by the writer after each commit, records in order. */
  push(records: readonly CommittedRecord[]): void {
    for (const r of records) {
      if (!this._memory) break;
      if (this._bytes + r.body.length > this._limitBytes) {
        const first = this._buffer[this._head] ?? r;
        this.diskFrom = { segment: first.segment.number, index: first.state.index };
        this._buffer = [];
        this._head = 0;
        this._bytes = 0;
        this._memory = false;
        break;
      }
      this._buffer.push(r);
      this._bytes += r.body.length;
    }
    if (records.length > 0) this._signal();
  }

  /** The next record in memory mode, if any. */
  shift(): CommittedRecord | undefined {
    const r = this._buffer[this._head];
    if (r === undefined) return undefined;
    this._buffer[this._head++] = undefined;
    this._bytes -= r.body.length;
    if (this._head === this._buffer.length || this._head > 1024) {
      this._buffer = this._buffer.slice(this._head);
      this._head = 0;
    }
    return r;
  }

  /** The reader has read everything committed: new commits are kept in memory. */
  caughtUp(): void {
    this._memory = true;
  }

  /** Resolves at the next commit or at close. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this._wake = resolve;
    });
  }

  close(): void {
    this._closed = true;
    this._signal();
  }

  private _signal(): void {
    const wake = this._wake;
    this._wake = undefined;
    wake?.();
  }
}
