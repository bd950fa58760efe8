/**
 * A set of 64-bit key hashes in one typed array: open addressing with linear probing, two 32-bit
 * words per slot, (0, 0) marking an empty slot. It doubles once 70 % of the slots are used, so
 * each id costs 8 bytes / load = 11 to 23 bytes (a JS Set of strings costs ~100). Hashes are
 * SHA-256 bits, so the low word is already uniform and picks the slot as it is. No deletion: the
 * dedupe window drops whole sets (generations).
 */

const MIN_SLOTS = 64;
const MAX_LOAD = 0.7;

export class HashSet64 {
  private _slots: Uint32Array;
  private _mask: number;
  private _size = 0;

  /** `expected` ids fit without growing. */
  constructor(expected = 0) {
    let slots = MIN_SLOTS;
    while (slots * MAX_LOAD < expected) slots *= 2;
    this._slots = new Uint32Array(slots * 2);
    this._mask = slots - 1;
  }

  get size(): number {
    return this._size;
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this._slots.byteLength;
  }

  has(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const slots = this._slots;
    for (let i = lo & this._mask; ; i = (i + 1) & this._mask) {
      const h = slots[2 * i] as number;
      const l = slots[2 * i + 1] as number;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
    }
  }

  /** Adds the hash; false when it was there already. */
  add(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    if ((this._size + 1) > (this._mask + 1) * MAX_LOAD) this._grow();
    const slots = this._slots;
    for (let i = lo & this._mask; ; i = (i + 1) & this._mask) {
      const h = slots[2 * i] as number;
      const l = slots[2 * i + 1] as number;
      if (h === hi && l === lo) return false;
      if (h === 0 && l === 0) {
        slots[2 * i] = hi;
        slots[2 * i + 1] = lo;
        this._size++;
        return true;
      }
    }
  }

  private _grow(): void {
    const old = this._slots;
    this._slots = new Uint32Array(old.length * 2);
    this._mask = old.length - 1;
    this._size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i] as number;
      const l = old[i + 1] as number;
      if (h !== 0 || l !== 0) this.add(h, l);
    }
  }
}
