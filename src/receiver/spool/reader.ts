/**
 * The single consumer's view of the spool: in disk mode it walks the committed records from its
 * position (segment by segment, record by record, skipping those with nothing pending) and reads
 * each one back from its file; once nothing committed is left it switches to memory mode, in the
 * same synchronous step, so every later commit lands in the read-ahead buffer (read-ahead.ts). A
 * record that no longer reads back intact is counted as corrupt and its keys given up.
 */
import type { ReadAhead } from './read-ahead.js';
import type { RecordState, SegmentState, SegmentTable } from './segment-table.js';
import type { SegmentReader } from './segment-reader.js';
import { parseMeta, spooledRecord } from './spooled-record.js';
import type { RecordRef, SpooledRecord } from './types.js';

export interface ReaderDeps {
  readonly table: SegmentTable;
  readonly readAhead: ReadAhead;
  readonly segments: SegmentReader;
  readonly counters: { corruptRecords: number };
}

/** True when a committed record with pending keys waits for the consumer. */
export function hasUnread(table: SegmentTable, readAhead: ReadAhead): boolean {
  return readAhead.inMemory ? readAhead.count > 0 : nextOnDisk(table, readAhead.diskFrom) !== undefined;
}

/** Committed records with pending keys the consumer has not read (a scan: for metrics). */
export function unreadCount(table: SegmentTable, readAhead: ReadAhead): number {
  if (readAhead.inMemory) return readAhead.count;
  let n = 0;
  for (let at = nextOnDisk(table, readAhead.diskFrom); at !== undefined; ) {
    n++;
    at = nextOnDisk(table, { segment: at.segment.number, index: at.record.index + 1 });
  }
  return n;
}

/** The first committed record at or after `from` that still has pending keys. */
function nextOnDisk(table: SegmentTable, from: RecordRef): { segment: SegmentState; record: RecordState } | undefined {
  for (let segment = table.atOrAfter(from.segment); segment !== undefined; segment = table.atOrAfter(segment.number + 1)) {
    const start = segment.number === from.segment ? segment.positionOf(from.index) : 0;
    for (let i = start; i < segment.records.length; i++) {
      const record = segment.records[i] as RecordState;
      if (record.keys.pending > 0) return { segment, record };
    }
  }
  return undefined;
}

export async function* readRecords(deps: ReaderDeps): AsyncGenerator<SpooledRecord, void, undefined> {
  const { table, readAhead } = deps;
  while (!readAhead.closed) {
    if (readAhead.inMemory) {
      const r = readAhead.shift();
      if (r === undefined) await readAhead.wait();
      else if (r.state.keys.pending > 0) {
        const ref = { segment: r.segment.number, index: r.state.index };
        yield spooledRecord(ref, parseMeta(r.meta) ?? {}, r.body, r.state.keys, r.cached);
      }
      continue;
    }
    const next = nextOnDisk(table, readAhead.diskFrom);
    if (next === undefined) {
      readAhead.caughtUp();
      continue;
    }
    const { segment, record } = next;
    readAhead.diskFrom = { segment: segment.number, index: record.index + 1 };
    const decoded = await deps.segments.read(segment.number, record);
    if (readAhead.closed) return;
    const meta = decoded === undefined ? undefined : parseMeta(decoded.meta);
    if (decoded === undefined || meta === undefined) {
      deps.counters.corruptRecords++;
      table.markLost(segment, record);
      continue;
    }
    // Caught up with this one: later commits go to memory while the consumer works on it.
    if (nextOnDisk(table, readAhead.diskFrom) === undefined) readAhead.caughtUp();
    if (record.keys.pending > 0) yield spooledRecord({ segment: segment.number, index: record.index }, meta, decoded.body, record.keys, undefined);
  }
}
