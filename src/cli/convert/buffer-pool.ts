/**
 * Buffers for OTLP requests, given back once a request is written or sent and filled again: a
 * request of 4 MiB is not a new 4 MiB outside the heap each time (such memory comes back only
 * when a full collection finds the buffer dead, so fresh ones pile up between collections).
 */

/** How many free buffers are kept (a request being filled, a few being written or sent). */
const KEEP = 6;

export class BufferPool {
  private readonly _free: Buffer[] = [];

  /** A buffer of at least `size` bytes: a free one when one is large enough, else a new one. */
  get(size: number): Buffer {
    for (let i = 0; i < this._free.length; i++) {
      const buffer = this._free[i] as Buffer;
      if (buffer.length >= size) {
        this._free.splice(i, 1);
        return buffer;
      }
    }
    return Buffer.allocUnsafe(size);
  }

  /** Gives a buffer back: nothing may read or write it any more. */
  release(buffer: Buffer): void {
    if (this._free.length < KEEP) this._free.push(buffer);
  }
}

/** Bytes in a pooled buffer, and how to give the buffer back once they are written or sent. */
export interface PooledBytes {
  readonly bytes: Buffer;
  release(): void;
}
