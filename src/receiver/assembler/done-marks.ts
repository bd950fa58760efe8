/**
 * Which spooled events a trace (and later an export) completes: per record, the dedupe keys.
 * Marking them done in the spool is what lets a segment be deleted, and what keeps a replay after
 * a crash from sending them again.
 */
import type { RecordRef } from '../spool/types.js';

/** Record (`segment:index`) -> its ref and the keys of its events completed here. */
export type DoneMarks = Map<string, { readonly ref: RecordRef; readonly keys: string[] }>;

const refKey = (ref: RecordRef): string => `${ref.segment}:${ref.index}`;

export function addDone(marks: DoneMarks, ref: RecordRef, key: string): void {
  const id = refKey(ref);
  const entry = marks.get(id);
  if (entry === undefined) marks.set(id, { ref, keys: [key] });
  else entry.keys.push(key);
}

/** Adds every mark of `from` to `into`. */
export function joinDone(into: DoneMarks, from: DoneMarks): void {
  for (const { ref, keys } of from.values()) for (const key of keys) addDone(into, ref, key);
}
