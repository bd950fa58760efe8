/**
 * A record as the consumer gets it. Its pending state is read live from the spool's bookkeeping,
 * so a key marked done later reads as not pending. The meta is always parsed from the bytes that
 * were written, so a record read from memory and the same record read from disk are equal.
 */
import { isPlainObject } from '../../mapping/json.js';
import { hashKeys } from './key-hash.js';
import type { RecordKeys } from './record-keys.js';
import type { RecordRef, SpooledRecord } from './types.js';

/** The meta object of a record, or undefined when its bytes are not a JSON object. */
export function parseMeta(bytes: Buffer): Readonly<Record<string, unknown>> | undefined {
  try {
    const meta = JSON.parse(bytes.toString('utf8')) as unknown;
    return isPlainObject(meta) ? meta : undefined;
  } catch {
    return undefined;
  }
}

export function spooledRecord(
  ref: RecordRef,
  meta: Readonly<Record<string, unknown>>,
  body: Buffer,
  keys: RecordKeys,
  cached: unknown,
): SpooledRecord {
  return {
    ref,
    meta,
    body,
    cached,
    get pendingCount() {
      return keys.pending;
    },
    isPending(key: string): boolean {
      const hash = hashKeys([key]);
      return keys.isPending(hash[0] as number, hash[1] as number);
    },
    isPendingHash: (hi: number, lo: number): boolean => keys.isPending(hi, lo),
  };
}
