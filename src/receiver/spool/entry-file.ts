/**
 * Ack files and seen-id files are arrays of fixed-size entries. A crash can leave a partial entry
 * at the end: it is cut off at open (and the cut made durable), whole entries are kept.
 */
import type { SpoolFs } from './spool-fs.js';
import { readWhole, truncateFile } from './spool-fs.js';

export interface Entries {
  /** The whole entries. */
  readonly bytes: Buffer;
  /** True when a partial entry was cut off the end. */
  readonly cut: boolean;
}

export async function readEntries(fs: SpoolFs, path: string, entryBytes: number): Promise<Entries> {
  const buf = await readWhole(fs, path);
  const whole = buf.length - (buf.length % entryBytes);
  if (whole === buf.length) return { bytes: buf, cut: false };
  await truncateFile(fs, path, whole);
  return { bytes: buf.subarray(0, whole), cut: true };
}
