/**
 * The single writer: appends and done marks queue up; the loop takes everything queued as one
 * group, stages it (stage-group.ts), writes every touched file with one writev each and fsyncs
 * them all in parallel (plus the directory when a file is new), and only then applies the group
 * (records, seen ids, done marks) and settles its promises. So concurrent requests share one
 * fsync per file per group, and a group shares one fate: when any write or fsync fails, what the
 * group wrote is cut off again, every op of it is rejected and none of its keys are seen or
 * pending; the active segment and seen-id file are then left for new ones, in case a cut failed.
 */
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import type { AppendFile } from './append-file.js';
import { ackName, seenName, segmentName } from './names.js';
import type { ReadAhead } from './read-ahead.js';
import type { SegmentState } from './segment-table.js';
import { removeFile, syncDir } from './spool-fs.js';
import type { Op, StagedGroup, WriterContext } from './stage-group.js';
import { emptyGroup, stageGroup } from './stage-group.js';

const logger = diag.createComponentLogger({ namespace: 'otel-langfuse-bridge' });

export interface CommitterDeps extends WriterContext {
  readonly now: () => number;
  readonly readAhead: ReadAhead;
  readonly counters: { duplicates: number; commits: number };
}

export class GroupCommitter {
  private readonly _deps: CommitterDeps;
  private _queue: Op[] = [];
  private _loop: Promise<void> | undefined;
  private _reserved = 0;

  constructor(deps: CommitterDeps) {
    this._deps = deps;
  }

  /** Bytes held against the cap by queued appends. */
  get reservedBytes(): number {
    return this._reserved;
  }

  enqueue(op: Op): void {
    this._queue.push(op);
    if (op.kind === 'append') this._reserved += op.reserved;
    this._loop ??= this._run();
  }

  /** Resolves once everything queued so far is settled. */
  async idle(): Promise<void> {
    while (this._loop !== undefined) await this._loop;
  }

  /** After {@link idle}: closes every file the writer holds. */
  async closeFiles(): Promise<void> {
    const { table, seen } = this._deps;
    const files: Array<AppendFile | undefined> = [];
    for (const s of table.all()) files.push(s.log, s.ack);
    for (const g of seen.generations()) files.push(g.file);
    await Promise.all(files.map((f) => f?.close().catch(() => undefined)));
  }

  private async _run(): Promise<void> {
    while (this._queue.length > 0) {
      // Let everything issued in this turn of the event loop join the group: the appends of
      // callers whose last append just resolved, the done marks of a consumer that just read.
      await new Promise((resolve) => setImmediate(resolve));
      const ops = this._queue;
      this._queue = [];
      try {
        await this._commit(ops);
      } catch (err) {
        // Not an I/O error (those are handled in _commit): still settle everything, keep the loop alive.
        logger.error(`spool: commit failed: ${String(err)}`);
        for (const op of ops) op.settle.reject(err);
      }
    }
    this._loop = undefined;
  }

  private async _commit(ops: readonly Op[]): Promise<void> {
    const now = this._deps.now();
    const dropped = this._deps.seen.advance(now);
    const group = emptyGroup();
    try {
      await stageGroup(this._deps, ops, now, group);
      const files = [...group.files];
      const flushed = await Promise.allSettled(files.map((f) => f.flush()));
      const failed = flushed.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      if (files.some((f) => f.created)) await syncDir(this._deps.fs, this._deps.dir);
      for (const f of files) f.created = false;
    } catch (err) {
      await this._fail(group);
      await this._cleanUp(ops, dropped);
      for (const op of ops) op.settle.reject(err);
      return;
    }
    this._apply(group);
    // Settled after the clean-up, so a done mark that finished a segment resolves once it is gone.
    await this._cleanUp(ops, dropped);
    for (const op of ops) {
      if (op.kind === 'done') op.settle.resolve();
      else op.settle.resolve(group.results.get(op) ?? { ref: undefined, fresh: [] });
    }
  }

  private _apply(group: StagedGroup): void {
    const { table, readAhead, counters } = this._deps;
    for (const f of group.files) f.commit();
    for (const r of group.records) table.addRecord(r.segment, r.state);
    if (group.fresh !== undefined) {
      const { generation, hashes } = group.fresh;
      for (let i = 0; i < hashes.length; i += 2) generation.ids.add(hashes[i] as number, hashes[i + 1] as number);
    }
    for (const m of group.marks) table.markDone(m.segment, m.record, m.position);
    counters.duplicates += group.duplicates;
    counters.commits++;
    readAhead.push(group.records.map((r) => ({ segment: r.segment, state: r.state, meta: r.op.meta, body: r.op.body, cached: r.op.cached })));
  }

  private async _fail(group: StagedGroup): Promise<void> {
    const { table, seen } = this._deps;
    await Promise.all([...group.files].map((f) => f.rollback().catch(() => undefined)));
    table.active = undefined;
    await seen.closeCurrent()?.file?.close().catch(() => undefined);
  }

  /**
   * Closes the handles of segments no longer written (logs, and ack files whose directory entry is
   * durable: a spool with many old segments holds no file descriptor per segment), deletes finished
   * segments and old seen-id files.
   */
  private async _cleanUp(ops: readonly Op[], dropped: ReturnType<CommitterDeps['seen']['advance']>): Promise<void> {
    const { table, fs, dir } = this._deps;
    for (const op of ops) if (op.kind === 'append') this._reserved -= op.reserved;
    for (const s of table.all()) {
      if (s === table.active) continue;
      const [log, ack] = [s.log, s.ack];
      s.log = undefined;
      await log?.close().catch(() => undefined);
      if (ack === undefined || ack.created) continue;
      s.ack = undefined;
      s.ackBytes = ack.size;
      await ack.close().catch(() => undefined);
    }
    for (const s of table.finished()) await this._delete(s);
    for (const g of dropped) {
      await g.file?.close().catch(() => undefined);
      if (g.persisted) await removeFile(fs, join(dir, seenName(g.start))).catch((err: unknown) => logger.warn(`spool: ${String(err)}`));
    }
  }

  /** The log before its acks: a crash in between leaves an orphan ack file, deleted at open. */
  private async _delete(segment: SegmentState): Promise<void> {
    const { table, fs, dir } = this._deps;
    table.remove(segment);
    await segment.ack?.close().catch(() => undefined);
    try {
      await removeFile(fs, join(dir, segmentName(segment.number)));
      await removeFile(fs, join(dir, ackName(segment.number)));
    } catch (err) {
      logger.warn(`spool: segment ${segment.number} not deleted: ${String(err)}`);
    }
  }
}
