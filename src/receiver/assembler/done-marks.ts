/**
 * Which spooled events a trace (and later an export) completes: per record, the dedupe keys.
 * Marking them done in the spool is what lets a segment be deleted, and what keeps a replay after
 * a crash from sending them again.
 */
import type { RecordRef } from '../spool/types.js';

/** Record (`segment:index`) -> its ref and the keys of its events completed here, with their hashes (hi, lo each). */
export type DoneMarks = Map<string, { readonly ref: RecordRef; readonly keys: string[]; readonly hashes: number[] }>;

const refKey = (ref: RecordRef): string => `${ref.segment}:${ref.index}`;

export function addDone(marks: DoneMarks, ref: RecordRef, key: string, hi: number, lo: number): void {
  const id = refKey(ref);
  const entry = marks.get(id);
  if (entry === undefined) marks.set(id, { ref, keys: [key], hashes: [hi, lo] });
  else {
    entry.keys.push(key);
    entry.hashes.push(hi, lo);
  }
}

/** Adds every mark of `from` to `into`. */
export function joinDone(into: DoneMarks, from: DoneMarks): void {
  for (const { ref, keys, hashes } of from.values()) {
    for (let i = 0; i < keys.length; i++) addDone(into, ref, keys[i] as string, hashes[2 * i] as number, hashes[2 * i + 1] as number);
  }
}
