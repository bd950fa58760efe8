/**
 * Open-time recovery of one segment and its ack file: scan the records (scan-segment.ts), cut a bad
 * tail, cut a partial ack entry, and mark the acked keys done. Every key hash of the segment, done
 * or not, is also handed to `remember` (the dedupe window covers the keys of live segments).
 */
import { ACK_ENTRY_BYTES, forEachAck } from './ack-entries.js';
import { readEntries } from './entry-file.js';
import { RecordKeys } from './record-keys.js';
import { scanSegment } from './scan-segment.js';
import { SegmentState } from './segment-table.js';
import type { SpoolFs } from './spool-fs.js';
import { readWhole, truncateFile } from './spool-fs.js';

export interface RecoveredSegment {
  readonly segment: SegmentState;
  /** Damaged stretches skipped in the segment file. */
  readonly corrupt: number;
}

/** `ackPath`: the segment's ack file, undefined when there is none. */
export async function recoverSegment(
  fs: SpoolFs,
  number: number,
  logPath: string,
  ackPath: string | undefined,
  remember: (hi: number, lo: number) => void,
): Promise<RecoveredSegment> {
  const buf = await readWhole(fs, logPath);
  const scanned = scanSegment(buf);
  if (scanned.goodEnd < buf.length) await truncateFile(fs, logPath, scanned.goodEnd);
  const segment = new SegmentState(number);
  segment.bytes = scanned.goodEnd;
  for (const r of scanned.records) {
    for (let i = 0; i < r.hashes.length; i += 2) remember(r.hashes[i] as number, r.hashes[i + 1] as number);
    segment.records.push({ index: r.index, offset: r.offset, bytes: r.bytes, keys: new RecordKeys(r.hashes) });
    segment.nextIndex = r.index + 1;
  }
  if (ackPath !== undefined) {
    const acks = await readEntries(fs, ackPath, ACK_ENTRY_BYTES);
    segment.ackBytes = acks.bytes.length;
    forEachAck(acks.bytes, (index, hi, lo) => {
      const keys = segment.record(index)?.keys;
      const position = keys?.find(hi, lo) ?? -1;
      if (position >= 0) keys?.markDone(position);
    });
  }
  for (const r of segment.records) segment.pending += r.keys.pending;
  return { segment, corrupt: scanned.corrupt };
}
