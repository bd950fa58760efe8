/**
 * A map that keeps only its most recently set entries: setting a key again makes it the newest,
 * and past `capacity` entries the oldest goes. What a `Map` with `delete(k); set(k, v)` and
 * `delete(keys().next().value)` does, without that pattern's cost: V8 leaves deleted entries in
 * a `Map`'s table until it is rebuilt, and every `keys().next()` walks over all of them from the
 * start (tens of thousands per call in a stream that remembers 40,000 traces). Here each key has
 * an entry stamped by its latest `set`, and the order is a queue of (entry, stamp) pairs; an entry
 * set again leaves a stale pair behind, skipped when it reaches the head, and the queue is
 * compacted once most of it is spent or stale.
 */

/** One key's value and the stamp of its latest `set`. */
class Entry<K, V> {
  readonly key: K;
  value: V;
  stamp: number;

  constructor(key: K, value: V, stamp: number) {
    this.key = key;
    this.value = value;
    this.stamp = stamp;
  }
}

export class RecentMap<K, V> {
  private readonly _capacity: number;
  private readonly _entries = new Map<K, Entry<K, V>>();
  /** Entries in order of their `set` calls, each with the stamp of that call; `_head` is the oldest live position. */
  private _queue: Array<Entry<K, V> | undefined> = [];
  private _queueStamps: number[] = [];
  private _head = 0;
  private _stamp = 0;

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
    return this._entries.get(key)?.value;
  }

  /** Sets `key` as the newest entry; drops the oldest when over capacity. */
  set(key: K, value: V): void {
    const stamp = ++this._stamp;
    let entry = this._entries.get(key);
    if (entry === undefined) this._entries.set(key, (entry = new Entry(key, value, stamp)));
    else {
      entry.value = value;
      entry.stamp = stamp;
    }
    this._queue.push(entry);
    this._queueStamps.push(stamp);
    if (this._entries.size > this._capacity) this._dropOldest();
    // Spent and stale pairs are at most half of the queue (amortised: a compaction per `size` sets).
    if (this._queue.length > 2 * this._entries.size + 1024) this._compact();
  }

  delete(key: K): void {
    const entry = this._entries.get(key);
    if (entry === undefined) return;
    // Its pairs in the queue turn stale (no stamp is -1); the value is let go at once, the entry
    // itself when the queue is compacted.
    entry.stamp = -1;
    entry.value = undefined as V;
    this._entries.delete(key);
  }

  /** Whether the pair at queue position `i` is the latest `set` of an entry still in the map. */
  private _live(i: number): boolean {
    return this._queue[i]?.stamp === this._queueStamps[i];
  }

  private _dropOldest(): void {
    while (this._head < this._queue.length) {
      const i = this._head++;
      const entry = this._queue[i] as Entry<K, V>;
      // The spent head lets go of its entry now, not at the next compaction: dropped entries and
      // what they hold would otherwise stay reachable, up to as many again as the map holds.
      this._queue[i] = undefined;
      if (entry.stamp === this._queueStamps[i]) {
        this.delete(entry.key);
        return;
      }
    }
  }

  /** Drops the spent head of the queue and the stale pairs. */
  private _compact(): void {
    const queue: Array<Entry<K, V> | undefined> = [];
    const stamps: number[] = [];
    for (let i = this._head; i < this._queue.length; i++) {
      if (!this._live(i)) continue;
      queue.push(this._queue[i] as Entry<K, V>);
      stamps.push(this._queueStamps[i] as number);
    }
    this._queue = queue;
    this._queueStamps = stamps;
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
