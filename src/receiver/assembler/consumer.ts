/**
 * The consumer: reads the spool in order and hands each record's pending events to the assembler,
 * pausing while the forwarder has no room (the spool then grows on disk, and the handler answers
 * 503 at its cap). A record read back from disk (after a restart, or after a pause) is parsed and
 * checked again; one handed over from memory is used as the handler left it.
 */
import type { Attributes } from '@opentelemetry/api';
import { isPlainObject } from '../../mapping/json.js';
import { clientResource } from '../../mapping/to-otel/index.js';
import type { CheckedBatch } from '../http/batch.js';
import { checkBatch } from '../http/batch.js';
import type { RecordMeta } from '../http/handler.js';
import { hashesOf } from '../spool/key-hash.js';
import type { Spool, SpooledRecord } from '../spool/types.js';
import type { Assembler, HeldEvent } from './assembler.js';

export interface ConsumerDeps {
  readonly spool: Pick<Spool, 'records' | 'discard'>;
  readonly assembler: Pick<Assembler, 'add'>;
  /** Resolves once the forwarder can take more (at once when it can). */
  readonly room: () => Promise<void>;
  readonly serviceName?: string;
  /** Told the receive time of each record as it is consumed (the assembler's clock while behind). */
  readonly consumed: (at: number) => void;
  /**
   * A record whose body no longer reads (never expected: it was checked when it came). Its events
   * are discarded so its segment can go; it counts as consumed.
   */
  readonly unreadable: (ref: string, message: string) => void;
  /** A record some of whose pending events no longer match its body (logged; the rest go on). */
  readonly mismatch: (ref: string, message: string) => void;
}

/** The record's facts, whatever an older process wrote. */
function metaOf(record: SpooledRecord): RecordMeta {
  const m = record.meta;
  const client = isPlainObject(m.client) ? (m.client as Record<string, string>) : {};
  const at = typeof m.at === 'number' && Number.isFinite(m.at) ? m.at : 0;
  return {
    at,
    client,
    ...(typeof m.project === 'string' ? { project: m.project } : {}),
    ...(typeof m.route === 'string' ? { route: m.route } : {}),
  };
}

function checkedBatch(record: SpooledRecord, meta: RecordMeta, serviceName: string | undefined): CheckedBatch {
  const cached = record.cached as CheckedBatch | undefined;
  if (cached !== undefined) return cached;
  const resource: Attributes = clientResource({ serviceName, batchMetadata: meta.client });
  return checkBatch(JSON.parse(record.body.toString('utf8')) as unknown, meta.project, resource);
}

/** Consumes until the spool's reader ends (on close). */
/** One turn of the event loop: requests that arrived meanwhile are answered before the next record. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function consume(deps: ConsumerDeps): Promise<void> {
  for await (const record of deps.spool.records()) {
    await nextTurn();
    await deps.room();
    const meta = metaOf(record);
    const where = `${record.ref.segment}:${record.ref.index}`;
    let batch: CheckedBatch;
    try {
      batch = checkedBatch(record, meta, deps.serviceName);
    } catch (err) {
      await deps.spool.discard(record.ref);
      deps.unreadable(where, err instanceof Error ? err.message : String(err));
      continue;
    }
    const bytes = Math.ceil(record.body.length / Math.max(1, batch.items.length));
    const events: HeldEvent[] = [];
    const hashes = hashesOf(batch.keys);
    for (let i = 0; i < batch.items.length; i++) {
      const hi = hashes[2 * i] as number;
      const lo = hashes[2 * i + 1] as number;
      if (record.isPendingHash(hi, lo)) events.push({ item: batch.items[i] as HeldEvent['item'], ref: record.ref, key: batch.keys[i] as string, hi, lo, bytes });
    }
    if (events.length < record.pendingCount) {
      deps.mismatch(where, `${record.pendingCount - events.length} pending events no longer match the body; not forwarded`);
    }
    deps.assembler.add(events, meta.at, meta.route ?? '');
    deps.consumed(meta.at);
  }
}
