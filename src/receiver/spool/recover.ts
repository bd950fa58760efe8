/**
 * Opening a spool directory (created 0700 when missing): every segment is recovered
 * (recover-segment.ts); one whose keys are all done is deleted with its ack file; an ack file
 * without its segment is deleted; seen-id files still inside the window are loaded (a partial
 * entry at the end cut), older ones deleted. Files with other names are left alone. The dedupe
 * window after open is those files plus every key of the segments still on disk (those not in a
 * file already go into one more generation, stamped with the time of open).
 */
import { HashSet64 } from './hash-set-64.js';
import { KEY_HASH_BYTES } from './key-hash.js';
import { readEntries } from './entry-file.js';
import { ackName, parseName, segmentName, seenName } from './names.js';
import { join } from 'node:path';
import { recoverSegment } from './recover-segment.js';
import type { SeenIds } from './seen-ids.js';
import { SegmentTable } from './segment-table.js';
import type { SpoolFs } from './spool-fs.js';
import { DIR_MODE, removeFile, syncDir } from './spool-fs.js';

export interface Recovered {
  readonly table: SegmentTable;
  /** Damaged records skipped in all segments. */
  readonly corruptRecords: number;
}

export async function recover(fs: SpoolFs, dir: string, now: number, seen: SeenIds): Promise<Recovered> {
  await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  const segments: number[] = [];
  const acks = new Set<number>();
  const seenStarts: number[] = [];
  for (const name of await fs.readdir(dir)) {
    const parsed = parseName(name);
    if (parsed?.kind === 'segment') segments.push(parsed.number);
    else if (parsed?.kind === 'ack') acks.add(parsed.number);
    else if (parsed?.kind === 'seen') seenStarts.push(parsed.number);
  }
  segments.sort((a, b) => a - b);
  seenStarts.sort((a, b) => a - b);

  for (const start of seenStarts) {
    const path = join(dir, seenName(start));
    if (!seen.isLive(start, now)) {
      await removeFile(fs, path);
      continue;
    }
    const { bytes } = await readEntries(fs, path, KEY_HASH_BYTES);
    const ids = new HashSet64(bytes.length / KEY_HASH_BYTES);
    for (let at = 0; at < bytes.length; at += KEY_HASH_BYTES) ids.add(bytes.readUInt32BE(at), bytes.readUInt32BE(at + 4));
    seen.addClosed(start, ids, true);
  }
  const table = new SegmentTable();
  const segmentKeys = new HashSet64();
  let corruptRecords = 0;
  for (const number of segments) {
    const ack = acks.delete(number) ? join(dir, ackName(number)) : undefined;
    const { segment, corrupt } = await recoverSegment(fs, number, join(dir, segmentName(number)), ack, (hi, lo) => {
      if (!seen.has(hi, lo)) segmentKeys.add(hi, lo);
    });
    corruptRecords += corrupt;
    table.nextNumber = Math.max(table.nextNumber, number + 1);
    if (segment.pending > 0) {
      table.add(segment);
      continue;
    }
    // The log before its acks: a crash in between leaves an orphan ack file, never a segment
    // whose done marks are gone.
    await removeFile(fs, join(dir, segmentName(number)));
    if (ack !== undefined) await removeFile(fs, ack);
  }
  for (const number of acks) {
    table.nextNumber = Math.max(table.nextNumber, number + 1);
    await removeFile(fs, join(dir, ackName(number)));
  }

  if (segmentKeys.size > 0) seen.addClosed(now, segmentKeys, false);
  await syncDir(fs, dir);
  return { table, corruptRecords };
}
