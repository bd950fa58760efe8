/**
 * A map that keeps only its most recently set entries: setting a key again makes it the newest,
 * and past `capacity` entries the oldest goes. What a `Map` with `delete(k); set(k, v)` and
 * `delete(keys().next().value)` does, without that pattern's cost: V8 leaves deleted entries in
 * a `Map`'s table until it is rebuilt, and every `keys().next()` walks over all of them from the
 * start (tens of thousands per call in a stream that remembers 40,000 traces). Here the order of
 * the entries is a queue of (key, stamp) pairs; an entry set again leaves a stale pair behind,
 * skipped when it reaches the head, and the queue is compacted once most of it is spent or stale.
 */

export class RecentMap<K, V> {
  private readonly _capacity: number;
  /** Key -> value and the stamp of its latest `set`. */
  private readonly _values = new Map<K, V>();
  private readonly _stamps = new Map<K, number>();
  /** Keys in order of their `set` calls, each with the stamp of that call; `_head` is the oldest live position. */
  private _keys: K[] = [];
  private _keyStamps: number[] = [];
  private _head = 0;
  private _stamp = 0;

  constructor(capacity: number) {
    this._capacity = capacity;
  }

  get size(): number {
    return this._values.size;
  }

  has(key: K): boolean {
    return this._values.has(key);
  }

  get(key: K): V | undefined {
    return this._values.get(key);
  }

  /** Sets `key` as the newest entry; drops the oldest when over capacity. */
  set(key: K, value: V): void {
    const stamp = ++this._stamp;
    this._values.set(key, value);
    this._stamps.set(key, stamp);
    this._keys.push(key);
    this._keyStamps.push(stamp);
    if (this._values.size > this._capacity) this._dropOldest();
    // Spent and stale pairs are at most half of the queue (amortised: a compaction per `size` sets).
    if (this._keys.length > 2 * this._values.size + 1024) this._compact();
  }

  delete(key: K): void {
    // Its pair in the queue turns stale: no stamp matches it any more.
    if (this._values.delete(key)) this._stamps.delete(key);
  }

  private _dropOldest(): void {
    while (this._head < this._keys.length) {
      const key = this._keys[this._head] as K;
      const stamp = this._keyStamps[this._head] as number;
      this._head++;
      if (this._stamps.get(key) === stamp) {
        this._values.delete(key);
        this._stamps.delete(key);
        return;
      }
    }
  }

  /** Drops the spent head of the queue and the stale pairs. */
  private _compact(): void {
    const keys: K[] = [];
    const stamps: number[] = [];
    for (let i = this._head; i < this._keys.length; i++) {
      const key = this._keys[i] as K;
      const stamp = this._keyStamps[i] as number;
      if (this._stamps.get(key) === stamp) {
        keys.push(key);
        stamps.push(stamp);
      }
    }
    this._keys = keys;
    this._keyStamps = stamps;
    this._head = 0;
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
}
