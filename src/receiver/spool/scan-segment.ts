/**
 * Recovery of one segment file read whole at open. Good records are kept in order. A damaged
 * stretch (bad magic, length, checksum or structure, a torn tail) counts as one corrupt record;
 * the scan then looks for the next magic that starts a good record with a higher index and goes
 * on from there, so one flipped byte costs one record, not the rest of the file. When nothing good
 * follows, the file is to be cut at the end of the last good record (`goodEnd`).
 */
import { nextMagic, readFrame } from './framing.js';

export interface ScannedRecord {
  readonly index: number;
  readonly offset: number;
  readonly bytes: number;
  readonly hashes: Uint32Array;
}

export interface ScannedSegment {
  readonly records: readonly ScannedRecord[];
  /** Damaged stretches skipped (each counted as one corrupt record). */
  readonly corrupt: number;
  /** End of the last good record: the file's length once its bad tail is cut. */
  readonly goodEnd: number;
}

export function scanSegment(buf: Buffer): ScannedSegment {
  const records: ScannedRecord[] = [];
  let corrupt = 0;
  let goodEnd = 0;
  let pos = 0;
  let lastIndex = -1;
  const goodAt = (at: number): boolean => {
    const r = readFrame(buf, at);
    return r.kind === 'ok' && r.record.index > lastIndex;
  };
  while (pos < buf.length) {
    const r = readFrame(buf, pos);
    if (r.kind === 'ok' && r.record.index > lastIndex) {
      records.push({ index: r.record.index, offset: pos, bytes: r.end - pos, hashes: r.record.hashes });
      lastIndex = r.record.index;
      pos = goodEnd = r.end;
      continue;
    }
    corrupt++;
    let next = nextMagic(buf, pos + 1);
    while (next >= 0 && !goodAt(next)) next = nextMagic(buf, next + 1);
    if (next < 0) break;
    pos = next;
  }
  return { records, corrupt, goodEnd };
}
