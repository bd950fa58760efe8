/**
 * A map that keeps only its most recently set entries: setting a key again makes it the newest,
 * and past `capacity` entries the oldest goes. What a `Map` with `delete(k); set(k, v)` and
 * `delete(keys().next().value)` does, and that is what it is, but for the last step's cost: V8
 * leaves deleted entries in a `Map`'s table until it is rebuilt, and every fresh `keys().next()`
 * walks over all of them from the start (tens of thousands per call in a stream that remembers
 * 40,000 traces). Here one iterator of the keys is kept and goes on from where it stopped: the
 * first key it gives is the oldest still in the map (every key before it was evicted through it or
 * deleted, and a key set again was moved past it), so each deleted entry is passed once. Nothing
 * is held besides the `Map` itself.
 */
export class RecentMap<K, V> {
  private readonly _capacity: number;
  private readonly _entries = new Map<K, V>();
  /** The keys in order of their latest `set`, from the oldest not yet evicted through it. */
  private _oldest: IterableIterator<K> = this._entries.keys();

  constructor(capacity: number) {
    this._capacity = capacity;
  }

  get size(): number {
    return this._entries.size;
  }

  has(key: K): boolean {
    return this._entries.has(key);
  }

  get(key: K): V | undefined {
    return this._entries.get(key);
  }

  /** Sets `key` as the newest entry; drops the oldest when over capacity. */
  set(key: K, value: V): void {
    this._entries.delete(key);
    this._entries.set(key, value);
    if (this._entries.size > this._capacity) this._dropOldest();
  }

  /** {@link set} for a key known not to be there (one lookup fewer). */
  setNew(key: K, value: V): void {
    this._entries.set(key, value);
    if (this._entries.size > this._capacity) this._dropOldest();
  }

  delete(key: K): void {
    this._entries.delete(key);
  }

  private _dropOldest(): void {
    let next = this._oldest.next();
    if (next.done === true) {
      // An iterator that has ended stays ended, even when keys come after: a new one.
      this._oldest = this._entries.keys();
      next = this._oldest.next();
    }
    if (next.done !== true) this._entries.delete(next.value);
  }
}

/** A {@link RecentMap} of keys only. */
export class RecentSet<K> {
  private readonly _map: RecentMap<K, true>;

  constructor(capacity: number) {
    this._map = new RecentMap(capacity);
  }

  get size(): number {
    return this._map.size;
  }

  has(key: K): boolean {
    return this._map.has(key);
  }

  /** Adds `key` as the newest; drops the oldest when over capacity. */
  add(key: K): void {
    this._map.set(key, true);
  }

  /** {@link add} for a key known not to be there (one lookup fewer). */
  addNew(key: K): void {
    this._map.setNew(key, true);
  }
}
