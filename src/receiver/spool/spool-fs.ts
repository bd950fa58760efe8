/**
 * The file system calls the spool makes, as an interface, so tests can count fsyncs or make a
 * write fail (an injected `fs` option); `node:fs/promises` fits it as it is. Also the few helpers
 * every spool file shares: write everything at a position, read exactly, fsync a directory.
 */
import { promises as nodeFs } from 'node:fs';

/** An open file: the subset of node's `FileHandle` the spool uses. */
export interface SpoolFile {
  writev(buffers: readonly NodeJS.ArrayBufferView[], position?: number): Promise<{ bytesWritten: number }>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  /** fdatasync: the data and the size, as appends need. */
  datasync(): Promise<void>;
  /** fsync: also the metadata (used for directories). */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** The directory-level calls, the subset of `node:fs/promises` the spool uses. */
export interface SpoolFs {
  open(path: string, flags: string, mode?: number): Promise<SpoolFile>;
  readdir(path: string): Promise<string[]>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
}

/** `node:fs/promises` itself. */
export const NODE_FS: SpoolFs = nodeFs;

/** Mode of every spool file: the owner only (bodies may hold prompts and personal data). */
export const FILE_MODE = 0o600;
/** Mode of the spool directory when the spool creates it. */
export const DIR_MODE = 0o700;

/** Writes all of `buffers` at `position`, going on after a short write. */
export async function writeAll(file: SpoolFile, buffers: readonly Buffer[], position: number): Promise<void> {
  let rest = buffers.filter((b) => b.length > 0);
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await file.writev(rest, at);
    if (bytesWritten <= 0) throw new Error('spool: write made no progress');
    at += bytesWritten;
    let skip = bytesWritten;
    const left: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) skip -= b.length;
      else {
        left.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    rest = left;
  }
}

/** Reads `length` bytes at `position`; fewer only at the end of the file. */
export async function readAt(file: SpoolFile, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await file.read(buffer, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buffer : buffer.subarray(0, got);
}

/** Reads a whole file (spool files are read whole only at open: segments, acks, seen ids). */
export async function readWhole(fs: SpoolFs, path: string): Promise<Buffer> {
  const file = await fs.open(path, 'r');
  try {
    const { size } = await file.stat();
    return await readAt(file, size, 0);
  } finally {
    await file.close();
  }
}

/** Makes the directory's entries (files created or removed) durable. */
export async function syncDir(fs: SpoolFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Truncates the file at `path` to `length` bytes and makes that durable. */
export async function truncateFile(fs: SpoolFs, path: string, length: number): Promise<void> {
  const file = await fs.open(path, 'r+');
  try {
    await file.truncate(length);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Deletes a file that may already be gone. */
export async function removeFile(fs: SpoolFs, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') throw err;
  }
}
