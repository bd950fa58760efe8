/**
 * Staging one commit group, in queue order: each append's keys are checked against the dedupe
 * window and the keys staged before it in the group (so a duplicate is decided in append order);
 * a record with a new key is framed onto the active segment (a new segment once the active one
 * holds `segmentBytes`), its new key hashes onto the current seen-id file; each done mark of a
 * pending key becomes an ack entry of its segment. Nothing here changes what the spool has
 * committed: the group's effects are applied only after every file was flushed (group-commit.ts).
 */
import { join } from 'node:path';
import { encodeAcks } from './ack-entries.js';
import { AppendFile } from './append-file.js';
import { encodeRecord } from './framing.js';
import { HashSet64 } from './hash-set-64.js';
import { hashesToBytes } from './key-hash.js';
import { ackName, seenName, segmentName } from './names.js';
import { RecordKeys } from './record-keys.js';
import type { Generation, SeenIds } from './seen-ids.js';
import type { RecordState, SegmentTable } from './segment-table.js';
import { SegmentState } from './segment-table.js';
import type { SpoolFs } from './spool-fs.js';
import type { AppendResult, RecordRef } from './types.js';

export interface Settle<T> {
  resolve(value: T): void;
  reject(err: unknown): void;
}

export interface AppendOp {
  readonly kind: 'append';
  /** The meta as JSON bytes. */
  readonly meta: Buffer;
  readonly body: Buffer;
  /** Hashes of every input key, two words per key. */
  readonly hashes: Uint32Array;
  readonly cached: unknown;
  /** Bytes held against the cap while queued (the record with every key). */
  readonly reserved: number;
  readonly settle: Settle<AppendResult>;
}

export interface DoneOp {
  readonly kind: 'done';
  readonly ref: RecordRef;
  readonly hashes: Uint32Array;
  readonly settle: Settle<void>;
}

export type Op = AppendOp | DoneOp;

export interface WriterContext {
  readonly fs: SpoolFs;
  readonly dir: string;
  readonly table: SegmentTable;
  readonly seen: SeenIds;
  readonly segmentBytes: number;
}

export interface StagedRecord {
  readonly op: AppendOp;
  readonly segment: SegmentState;
  readonly state: RecordState;
}

export interface StagedGroup {
  /** Every file with staged bytes. */
  readonly files: Set<AppendFile>;
  /** Per op of the group, in order, the result of each append (set once staged). */
  readonly results: Map<AppendOp, AppendResult>;
  readonly records: StagedRecord[];
  /** New key hashes (two words each) and the generation they join. */
  fresh: { generation: Generation; hashes: Uint32Array } | undefined;
  readonly marks: Array<{ segment: SegmentState; record: RecordState; position: number }>;
  duplicates: number;
}

/** The segment the next record goes to: the active one, or a new one once it is full. */
async function activeSegment(ctx: WriterContext): Promise<SegmentState & { log: AppendFile }> {
  const active = ctx.table.active;
  if (active?.log !== undefined && active.log.stagedEnd < ctx.segmentBytes) return active as SegmentState & { log: AppendFile };
  const segment = new SegmentState(ctx.table.nextNumber);
  segment.log = await AppendFile.create(ctx.fs, join(ctx.dir, segmentName(segment.number)));
  // The old segment's handle stays open: this group may have staged records on it. It is closed
  // once the group is over (group-commit.ts).
  ctx.table.add(segment);
  ctx.table.active = segment;
  return segment as SegmentState & { log: AppendFile };
}

async function stageAppends(ctx: WriterContext, ops: readonly AppendOp[], now: number, group: StagedGroup): Promise<void> {
  const inGroup = new HashSet64();
  const freshAll: number[] = [];
  let cursor: { segment: SegmentState; index: number } | undefined;
  for (const op of ops) {
    const fresh: boolean[] = [];
    const hashes: number[] = [];
    for (let i = 0; i < op.hashes.length; i += 2) {
      const hi = op.hashes[i] as number;
      const lo = op.hashes[i + 1] as number;
      const isFresh = !ctx.seen.has(hi, lo) && inGroup.add(hi, lo);
      fresh.push(isFresh);
      if (isFresh) hashes.push(hi, lo);
      else group.duplicates++;
    }
    if (hashes.length === 0) {
      group.results.set(op, { ref: undefined, fresh });
      continue;
    }
    const segment = await activeSegment(ctx);
    const index = cursor?.segment === segment ? cursor.index : segment.nextIndex;
    cursor = { segment, index: index + 1 };
    const keyHashes = Uint32Array.from(hashes);
    const encoded = encodeRecord(index, op.meta, keyHashes, op.body);
    const state: RecordState = { index, offset: segment.log.stagedEnd, bytes: encoded.bytes, keys: new RecordKeys(keyHashes) };
    segment.log.stage(encoded.buffers, encoded.bytes);
    group.files.add(segment.log);
    group.records.push({ op, segment, state });
    group.results.set(op, { ref: { segment: segment.number, index }, fresh });
    for (const h of hashes) freshAll.push(h);
  }
  if (freshAll.length === 0) return;
  const generation = ctx.seen.current(now);
  generation.file ??= await AppendFile.create(ctx.fs, join(ctx.dir, seenName(generation.start)));
  const hashes = Uint32Array.from(freshAll);
  generation.file.stage([hashesToBytes(hashes)], freshAll.length * 4);
  group.files.add(generation.file);
  group.fresh = { generation, hashes };
}

async function ackFile(ctx: WriterContext, segment: SegmentState): Promise<AppendFile> {
  if (segment.ack !== undefined) return segment.ack;
  const path = join(ctx.dir, ackName(segment.number));
  segment.ack = segment.ackBytes === undefined ? await AppendFile.create(ctx.fs, path) : await AppendFile.reopen(ctx.fs, path, segment.ackBytes);
  return segment.ack;
}

async function stageDones(ctx: WriterContext, ops: readonly DoneOp[], group: StagedGroup): Promise<void> {
  for (const op of ops) {
    const segment = ctx.table.get(op.ref.segment);
    const record = segment?.record(op.ref.index);
    if (segment === undefined || record === undefined) continue;
    const entries: Array<[number, number]> = [];
    for (let i = 0; i < op.hashes.length; i += 2) {
      const hi = op.hashes[i] as number;
      const lo = op.hashes[i + 1] as number;
      const position = record.keys.pendingPosition(hi, lo);
      if (position < 0) continue;
      entries.push([hi, lo]);
      group.marks.push({ segment, record, position });
    }
    if (entries.length === 0) continue;
    const file = await ackFile(ctx, segment);
    const bytes = encodeAcks(record.index, entries);
    file.stage([bytes], bytes.length);
    group.files.add(file);
  }
}

export function emptyGroup(): StagedGroup {
  return { files: new Set(), results: new Map(), records: [], fresh: undefined, marks: [], duplicates: 0 };
}

/**
 * Stages `ops` (one group, in queue order) into `group`; may create files, writes nothing else.
 * When it throws, `group.files` still lists every file staged on so far.
 */
export async function stageGroup(ctx: WriterContext, ops: readonly Op[], now: number, group: StagedGroup): Promise<void> {
  await stageAppends(ctx, ops.filter((o): o is AppendOp => o.kind === 'append'), now, group);
  await stageDones(ctx, ops.filter((o): o is DoneOp => o.kind === 'done'), group);
}
