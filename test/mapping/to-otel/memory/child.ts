/**
 * Run by ./groups.test.ts under `node --expose-gc`: TraceGroups used as the receiver's assembler
 * uses it (groups closed through `entries()`, never through `oldest()`), then as the stream uses
 * it (`oldest()`), each with WeakRefs to its first groups; prints how many of them a full GC left
 * alive after thousands more groups were opened and closed.
 */
import { IssueSink } from '../../../../src/mapping/result.js';
import type { SpanRecord } from '../../../../src/mapping/span-record.js';
import { createContext } from '../../../../src/mapping/to-otel/index.js';
import { toMergeItem } from '../../../../src/mapping/to-otel/merge.js';
import type { MergeItem } from '../../../../src/mapping/to-otel/merge.js';
import { TraceGroups } from '../../../../src/mapping/to-otel/trace-groups.js';

const gc = (globalThis as { gc?: () => void }).gc as () => void;
const STATE = { create: () => ({}), join: () => undefined };
const TRACES = 20_000;
const WATCHED = 100;
const OPEN = 2_000;

function item(i: number, sink: IssueSink): MergeItem {
  const raw = { id: `e${i}`, type: 'trace-create', timestamp: '2026-11-24T20:09:40.246Z', body: { id: `trace-${i}`, name: 'n', timestamp: '2026-11-24T20:09:40.246Z' } };
  return toMergeItem(raw, i, sink, undefined, true) as MergeItem;
}

function run(useOldest: boolean): WeakRef<object>[] {
  const sink = new IssueSink();
  const groups = new TraceGroups(createContext({}, new IssueSink()), STATE, 1_000, '(test)');
  const watched: WeakRef<object>[] = [];
  const out: SpanRecord[] = [];
  for (let i = 0; i < TRACES; i++) {
    const { key, group } = groups.addToGroup(item(i, sink), sink);
    if (i < WATCHED) watched.push(new WeakRef(group));
    // Thousands of groups open at once (traces held until quiet), the oldest closed past that.
    if (useOldest) {
      const oldest = groups.size > OPEN ? groups.oldest() : undefined;
      if (oldest !== undefined) groups.closeRecords(oldest.key, out, sink);
    } else {
      for (const [open] of groups.entries()) {
        if (groups.size <= OPEN) break;
        groups.closeRecords(open, out, sink);
      }
    }
    out.length = 0;
    if (key === '') throw new Error('no key');
  }
  (globalThis as { keep?: unknown }).keep = groups; // the instance stays alive, as the assembler's does
  return watched;
}

for (const useOldest of [false, true]) {
  const watched = run(useOldest);
  await new Promise((resolve) => setImmediate(resolve)); // WeakRef targets are kept to the end of the job
  gc();
  process.stdout.write(`${useOldest ? 'oldest' : 'entries'} ${watched.filter((w) => w.deref() !== undefined).length}\n`);
}
