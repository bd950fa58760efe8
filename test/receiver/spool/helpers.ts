/**
 * What the spool tests share: a temporary directory per test, a file system that records every
 * call and can fail or hold one on demand (the spool's injected `fs` option), and a consumer that
 * pulls records one at a time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { NODE_FS } from '../../../src/receiver/spool/spool-fs.js';
import type { SpoolFile, SpoolFs } from '../../../src/receiver/spool/spool-fs.js';
import type { Spool, SpooledRecord } from '../../../src/receiver/spool/types.js';

/** Temporary directories made by {@link tempDir}; remove them with {@link removeTempDirs}. */
const made: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'spool-test-'));
  made.push(dir);
  return join(dir, 'spool');
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export interface FsCall {
  readonly op: 'open' | 'writev' | 'read' | 'datasync' | 'sync' | 'truncate' | 'unlink';
  /** The file's name (no directory). */
  readonly file: string;
}

/** `node:fs/promises` with a log of calls, a failure switch and a hold. */
export class TestFs implements SpoolFs {
  readonly calls: FsCall[] = [];
  /** Calls for which this returns true fail with an EIO error. */
  failWhen: ((call: FsCall) => boolean) | undefined;
  /** Calls for which this returns a promise wait for it first. */
  holdWhen: ((call: FsCall) => Promise<void> | undefined) | undefined;

  count(op: FsCall['op'], suffix: string): number {
    return this.calls.filter((c) => c.op === op && c.file.endsWith(suffix)).length;
  }

  async open(path: string, flags: string, mode?: number): Promise<SpoolFile> {
    await this._call('open', path);
    return this._wrap(await NODE_FS.open(path, flags, mode), path);
  }

  readdir(path: string): Promise<string[]> {
    return NODE_FS.readdir(path);
  }

  async unlink(path: string): Promise<void> {
    await this._call('unlink', path);
    await NODE_FS.unlink(path);
  }

  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown> {
    return NODE_FS.mkdir(path, options);
  }

  private async _call(op: FsCall['op'], path: string): Promise<void> {
    const call = { op, file: basename(path) };
    this.calls.push(call);
    await this.holdWhen?.(call);
    if (this.failWhen?.(call) === true) throw Object.assign(new Error(`injected EIO on ${op} ${call.file}`), { code: 'EIO' });
  }

  private _wrap(file: SpoolFile, path: string): SpoolFile {
    return {
      writev: async (buffers, position) => (await this._call('writev', path), file.writev(buffers, position)),
      read: async (buffer, offset, length, position) => (await this._call('read', path), file.read(buffer, offset, length, position)),
      datasync: async () => (await this._call('datasync', path), file.datasync()),
      sync: async () => (await this._call('sync', path), file.sync()),
      truncate: async (length) => (await this._call('truncate', path), file.truncate(length)),
      stat: () => file.stat(),
      close: () => file.close(),
    };
  }
}

/** Pulls records from one `records()` iteration on demand. */
export class Consumer {
  private readonly _it: AsyncIterator<SpooledRecord>;

  constructor(spool: Spool) {
    this._it = spool.records()[Symbol.asyncIterator]();
  }

  async next(): Promise<SpooledRecord> {
    const r = await this._it.next();
    if (r.done === true) throw new Error('records() ended');
    return r.value;
  }

  async take(n: number): Promise<SpooledRecord[]> {
    const out: SpooledRecord[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  /** Resolves true when the iteration ends (after close). */
  async ended(): Promise<boolean> {
    return (await this._it.next()).done === true;
  }
}

/** A dedupe key as the receiver builds it. */
export const key = (id: string | number, project = 'p1'): string => `${project}\u0000${String(id)}`;

/** A body of `bytes` bytes that names its record. */
export function body(label: string | number, bytes = 64): Buffer {
  const head = Buffer.from(`{"record":"${String(label)}","pad":"`);
  return Buffer.concat([head, Buffer.alloc(Math.max(0, bytes - head.length - 2), 'x'), Buffer.from('"}')]);
}
