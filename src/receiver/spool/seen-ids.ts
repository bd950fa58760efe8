/**
 * The dedupe window: key hashes of recent appends, in generations. A generation takes new ids for
 * a quarter of the window (or until it holds a quarter of `maxIds`), then closes; a closed one is
 * dropped once its span plus the window has passed, or earlier, oldest first, while all together
 * hold more than `maxIds`. So a key is remembered for at least the window (and at most 1.25
 * windows) unless more than `maxIds` keys came in the meantime, and memory stays under about
 * `maxIds` x 23 bytes.
 *
 * Each generation with a file (`seen-<start>.ids`, 8 bytes per id) is the durable copy: the group
 * commit appends a group's new ids to the current generation's file with the same fsync as its
 * records. The generation built at open from the keys of the segments still on disk has no file.
 */
import type { AppendFile } from './append-file.js';
import { HashSet64 } from './hash-set-64.js';

/** Generations per window. */
const GENERATIONS = 4;

export interface Generation {
  /** When it started taking ids (ms, on the spool's clock); part of its file name. */
  readonly start: number;
  readonly ids: HashSet64;
  /** The file (with a name in `fileName`), when this process writes to it. */
  file: AppendFile | undefined;
  /** True for a generation loaded from or written to a file. */
  readonly persisted: boolean;
}

export interface SeenIdsOptions {
  readonly windowMillis: number;
  readonly maxIds: number;
}

export class SeenIds {
  private readonly _windowMillis: number;
  private readonly _spanMillis: number;
  private readonly _maxIds: number;
  /** Oldest first; the last one is open for new ids when `_open` is true. */
  private readonly _generations: Generation[] = [];
  private _open = false;
  /** Latest start of any generation known, so a new one gets a file name of its own. */
  private _lastStart = -Infinity;

  constructor(options: SeenIdsOptions) {
    this._windowMillis = options.windowMillis;
    this._spanMillis = Math.max(1, Math.floor(options.windowMillis / GENERATIONS));
    this._maxIds = options.maxIds;
  }

  /** Ids remembered now. */
  get size(): number {
    return this._generations.reduce((n, g) => n + g.ids.size, 0);
  }

  /** Bytes of the hash tables. */
  get bytes(): number {
    return this._generations.reduce((n, g) => n + g.ids.bytes, 0);
  }

  has(hi: number, lo: number): boolean {
    for (let i = this._generations.length - 1; i >= 0; i--) if ((this._generations[i] as Generation).ids.has(hi, lo)) return true;
    return false;
  }

  /** True while a generation that started at `start` still counts (at open: keep its file or not). */
  isLive(start: number, now: number): boolean {
    return start + this._spanMillis + this._windowMillis > now;
  }

  /** Adds a closed generation (at open, oldest first). */
  addClosed(start: number, ids: HashSet64, persisted: boolean): void {
    this._generations.push({ start, ids, file: undefined, persisted });
    this._lastStart = Math.max(this._lastStart, start);
  }

  /**
   * Before a commit at `now`: closes the open generation when its time or share of ids is up,
   * drops what fell out of the window or past `maxIds`. Returns the dropped generations, whose
   * files the caller closes and deletes.
   */
  advance(now: number): Generation[] {
    const open = this._open ? this._generations[this._generations.length - 1] : undefined;
    if (open !== undefined && (now >= open.start + this._spanMillis || open.ids.size >= this._maxIds / GENERATIONS)) this._open = false;
    const dropped: Generation[] = [];
    let total = this.size;
    while (this._generations.length > (this._open ? 1 : 0)) {
      const oldest = this._generations[0] as Generation;
      if (this.isLive(oldest.start, now) && total <= this._maxIds) break;
      this._generations.shift();
      total -= oldest.ids.size;
      dropped.push(oldest);
    }
    return dropped;
  }

  /** The generation new ids go to, opened now when none is. */
  current(now: number): Generation {
    if (this._open) return this._generations[this._generations.length - 1] as Generation;
    const start = Math.max(now, Math.floor(this._lastStart) + 1);
    this._lastStart = start;
    const generation: Generation = { start, ids: new HashSet64(), file: undefined, persisted: true };
    this._generations.push(generation);
    this._open = true;
    return generation;
  }

  /** Takes no more ids into the open generation (its file failed); returns it. */
  closeCurrent(): Generation | undefined {
    if (!this._open) return undefined;
    this._open = false;
    return this._generations[this._generations.length - 1];
  }

  /** Every generation still held (for close). */
  generations(): readonly Generation[] {
    return this._generations;
  }
}
