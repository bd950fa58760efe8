/**
 * What the spool knows in memory about its segment files: per segment its size and, per record,
 * where its frame lies and which of its keys are still pending. Totals (bytes for the cap,
 * pending events for the stats) are kept up to date here and nowhere else.
 */
import type { AppendFile } from './append-file.js';
import type { RecordKeys } from './record-keys.js';

export interface RecordState {
  readonly index: number;
  /** Offset of the frame in the segment file. */
  readonly offset: number;
  /** Length of the frame. */
  readonly bytes: number;
  readonly keys: RecordKeys;
}

export class SegmentState {
  readonly number: number;
  /**
   * In increasing index, dense: a record skipped as corrupt at open leaves a gap in the indexes,
   * not a hole in the array (an index read from a file never sizes an array).
   */
  readonly records: RecordState[] = [];
  /** Index the next record written to this segment gets. */
  nextIndex = 0;
  /** Committed bytes of the segment file. */
  bytes = 0;
  pending = 0;
  /** The writer's handle; only while this is the active segment. */
  log: AppendFile | undefined;
  /** The ack file's handle while it is open (done marks being written). */
  ack: AppendFile | undefined;
  /** Committed size of the ack file while no handle is open; undefined when there is no ack file. */
  ackBytes: number | undefined;

  constructor(number: number) {
    this.number = number;
  }

  /** Position in {@link records} of the first record whose index is `index` or more. */
  positionOf(index: number): number {
    let [lo, hi] = [0, this.records.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.records[mid] as RecordState).index < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The record with this index. */
  record(index: number): RecordState | undefined {
    const r = this.records[this.positionOf(index)];
    return r?.index === index ? r : undefined;
  }
}

export class SegmentTable {
  /** In increasing segment number (segments are only ever added at the end). */
  private readonly _segments = new Map<number, SegmentState>();
  /** The segment appends go to, once one was created by this process. */
  active: SegmentState | undefined;
  /** Number the next new segment gets. */
  nextNumber = 1;
  private _bytes = 0;
  private _pending = 0;

  get bytes(): number {
    return this._bytes;
  }

  get pending(): number {
    return this._pending;
  }

  get count(): number {
    return this._segments.size;
  }

  get(number: number): SegmentState | undefined {
    return this._segments.get(number);
  }

  /** Segments in increasing number. */
  all(): IterableIterator<SegmentState> {
    return this._segments.values();
  }

  /** The first segment numbered `number` or more. */
  atOrAfter(number: number): SegmentState | undefined {
    for (const s of this._segments.values()) if (s.number >= number) return s;
    return undefined;
  }

  add(segment: SegmentState): void {
    this._segments.set(segment.number, segment);
    this.nextNumber = Math.max(this.nextNumber, segment.number + 1);
    this._bytes += segment.bytes;
    this._pending += segment.pending;
  }

  remove(segment: SegmentState): void {
    if (this._segments.delete(segment.number)) {
      this._bytes -= segment.bytes;
      this._pending -= segment.pending;
    }
  }

  /** Records a committed record of `segment` (written at its end). */
  addRecord(segment: SegmentState, record: RecordState): void {
    segment.records.push(record);
    segment.nextIndex = record.index + 1;
    segment.bytes += record.bytes;
    segment.pending += record.keys.pending;
    this._bytes += record.bytes;
    this._pending += record.keys.pending;
  }

  /** Marks the key at `position` of `record` done; false when it was done already. */
  markDone(segment: SegmentState, record: RecordState, position: number): boolean {
    if (!record.keys.markDone(position)) return false;
    segment.pending--;
    this._pending--;
    return true;
  }

  /** Gives up every pending key of a record that cannot be read back. */
  markLost(segment: SegmentState, record: RecordState): void {
    const lost = record.keys.pending;
    record.keys.markAllDone();
    segment.pending -= lost;
    this._pending -= lost;
  }

  /** Segments no longer written to whose keys are all done: they can go. */
  finished(): SegmentState[] {
    return [...this._segments.values()].filter((s) => s !== this.active && s.pending === 0);
  }
}
