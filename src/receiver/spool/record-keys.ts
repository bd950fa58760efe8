/**
 * The pending keys of one record, in memory while its segment lives: the key hashes written with
 * it (8 bytes each) and a done flag per key (1 byte). Looking a key up scans a short record and
 * builds a small position index for a long one, so marking every key of a 10,000-event request
 * stays linear. Once every key is done the arrays are dropped.
 */

const SCAN_LIMIT = 16;
const EMPTY = new Uint32Array(0);

export class RecordKeys {
  private _hashes: Uint32Array;
  private _done: Uint8Array;
  private _pending: number;
  /** Slot -> position + 1 (0: empty), built on the first lookup of a long record. */
  private _index: Int32Array | undefined;

  /** `hashes`: two words per key, none repeated; `done`: positions already done. */
  constructor(hashes: Uint32Array, done?: Uint8Array) {
    this._hashes = hashes;
    this._done = done ?? new Uint8Array(hashes.length / 2);
    let pending = 0;
    for (const d of this._done) if (d === 0) pending++;
    this._pending = pending;
    if (pending === 0) this._release();
  }

  get pending(): number {
    return this._pending;
  }

  /** Number of keys written with the record (0 once all are done). */
  get count(): number {
    return this._hashes.length / 2;
  }

  /** Position of the key with this hash, or -1. */
  find(hi: number, lo: number): number {
    const hashes = this._hashes;
    const n = hashes.length / 2;
    if (n <= SCAN_LIMIT) {
      for (let p = 0; p < n; p++) if (hashes[2 * p] === hi && hashes[2 * p + 1] === lo) return p;
      return -1;
    }
    const index = (this._index ??= this._buildIndex());
    const mask = index.length - 1;
    for (let s = lo & mask; ; s = (s + 1) & mask) {
      const at = index[s] as number;
      if (at === 0) return -1;
      if (hashes[2 * (at - 1)] === hi && hashes[2 * (at - 1) + 1] === lo) return at - 1;
    }
  }

  isPending(hi: number, lo: number): boolean {
    return this.pendingPosition(hi, lo) >= 0;
  }

  /** Position of the key with this hash when it is pending, or -1. */
  pendingPosition(hi: number, lo: number): number {
    const p = this.find(hi, lo);
    return p >= 0 && this._done[p] === 0 ? p : -1;
  }

  /** Marks the key at `position` done; false when it was done already. */
  markDone(position: number): boolean {
    if (this._done[position] !== 0) return false;
    this._done[position] = 1;
    this._pending--;
    if (this._pending === 0) this._release();
    return true;
  }

  /** The hashes of the keys still pending, two words each (for a discard). */
  pendingHashes(): Uint32Array {
    const out = new Uint32Array(this._pending * 2);
    let at = 0;
    for (let p = 0; p < this._done.length; p++) {
      if (this._done[p] !== 0) continue;
      out[at++] = this._hashes[2 * p] as number;
      out[at++] = this._hashes[2 * p + 1] as number;
    }
    return out;
  }

  /** Marks every key done (a record that cannot be read back any more). */
  markAllDone(): void {
    this._pending = 0;
    this._release();
  }

  private _release(): void {
    this._hashes = EMPTY;
    this._done = new Uint8Array(0);
    this._index = undefined;
  }

  private _buildIndex(): Int32Array {
    const n = this._hashes.length / 2;
    let size = 1;
    while (size < n * 2) size *= 2;
    const index = new Int32Array(size);
    const mask = size - 1;
    for (let p = 0; p < n; p++) {
      let s = (this._hashes[2 * p + 1] as number) & mask;
      while (index[s] !== 0) s = (s + 1) & mask;
      index[s] = p + 1;
    }
    return index;
  }
}
