/**
 * Reads records back from segment files (replay, and a consumer that fell behind), keeping the
 * current segment open: the consumer reads in order, so that is one open per segment and one
 * positioned read per record. Each frame is checked again (checksum, index): the disk may have
 * changed it since it was written or scanned.
 */
import { join } from 'node:path';
import type { DecodedRecord } from './framing.js';
import { readFrame } from './framing.js';
import { segmentName } from './names.js';
import type { RecordState } from './segment-table.js';
import type { SpoolFile, SpoolFs } from './spool-fs.js';
import { readAt } from './spool-fs.js';

export class SegmentReader {
  private readonly _fs: SpoolFs;
  private readonly _dir: string;
  private _number = -1;
  private _file: SpoolFile | undefined;
  private _busy: Promise<unknown> = Promise.resolve();

  constructor(fs: SpoolFs, dir: string) {
    this._fs = fs;
    this._dir = dir;
  }

  /** The record as written, or undefined when it no longer reads back whole and intact. */
  read(segment: number, record: RecordState): Promise<DecodedRecord | undefined> {
    const read = this._read(segment, record);
    this._busy = read.catch(() => undefined);
    return read;
  }

  /** Closes the open file once a read in flight has finished. */
  async close(): Promise<void> {
    await this._busy;
    await this._switch(-1);
  }

  private async _read(segment: number, record: RecordState): Promise<DecodedRecord | undefined> {
    if (segment !== this._number) await this._switch(segment);
    const buf = await readAt(this._file as SpoolFile, record.bytes, record.offset);
    const frame = readFrame(buf, 0);
    if (frame.kind !== 'ok' || frame.end !== buf.length || frame.record.index !== record.index) return undefined;
    return frame.record;
  }

  private async _switch(segment: number): Promise<void> {
    const old = this._file;
    this._file = undefined;
    this._number = -1;
    if (old !== undefined) await old.close();
    if (segment < 0) return;
    this._file = await this._fs.open(join(this._dir, segmentName(segment)), 'r');
    this._number = segment;
  }
}
