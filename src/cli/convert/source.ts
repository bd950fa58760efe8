/**
 * One input as a stream of bytes: a file or stdin, gunzipped when it starts with the gzip magic
 * bytes. `onRead` is told how many bytes were read from the input itself (compressed, for a
 * progress against the file size). A plain file can also be read into two buffers used in turn
 * (`reusing`), for a reader that copies whatever it keeps of a chunk before it asks for the one
 * after the next: no new megabyte of memory outside the heap per chunk, which only a full
 * collection would give back.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** Bytes read at a time from a file. */
const READ_CHUNK_BYTES = 1 << 20;

/** Counts the bytes going through, and gives the first chunk before the rest. */
async function* counted(source: AsyncIterable<Buffer | string>, onRead: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    onRead(buffer.length);
    yield buffer;
  }
}

/** The first chunk of `source` (empty when there is none) and an iterable of all chunks, the first included. */
async function peek(source: AsyncIterator<Buffer>): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const first = await source.next();
  const head = first.done === true ? Buffer.alloc(0) : first.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (let next = await source.next(); next.done !== true; next = await source.next()) yield next.value;
  }
  return { head, chunks: all() };
}

export interface Source {
  /** The first bytes of the (decompressed) content, to tell its format. */
  readonly head: Buffer;
  /** All of the content, `head` included. */
  readonly chunks: AsyncIterable<Buffer>;
  /**
   * The same chunks, maybe in buffers used again: a chunk's bytes stay as they are until the
   * chunk after the next one is asked for. Read either this or `chunks`, not both.
   */
  readonly reusing: AsyncIterable<Buffer>;
}

/** Reads a file from `offset` on, into fresh buffers, or into two buffers in turn (`reuse`); closes it at the end. */
async function* fileChunks(file: FileHandle, first: Buffer, onRead: (bytes: number) => void, reuse: boolean): AsyncGenerator<Buffer> {
  try {
    if (first.length > 0) yield first;
    const buffers = [reuse ? Buffer.allocUnsafe(READ_CHUNK_BYTES) : undefined, first.buffer.byteLength >= READ_CHUNK_BYTES && reuse ? Buffer.from(first.buffer, first.byteOffset, READ_CHUNK_BYTES) : undefined];
    for (let turn = 0; ; turn ^= 1) {
      const into = buffers[turn] ?? Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const { bytesRead } = await file.read(into, 0, READ_CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      onRead(bytesRead);
      yield into.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/** Opens a file (not gzip: read in chunks, reusing or not); undefined when it is gzip (read as a stream). */
async function openFile(path: string, onRead: (bytes: number) => void): Promise<Source | undefined> {
  const file = await open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    const { bytesRead } = await file.read(buffer, 0, READ_CHUNK_BYTES, null);
    head = buffer.subarray(0, bytesRead);
  } catch (err) {
    await file.close();
    throw err;
  }
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
    await file.close();
    return undefined;
  }
  onRead(head.length);
  let taken = false;
  const take = (reuse: boolean): AsyncIterable<Buffer> => {
    if (taken) throw new Error('a source is read once');
    taken = true;
    return fileChunks(file, head, onRead, reuse);
  };
  return {
    head,
    get chunks() {
      return take(false);
    },
    get reusing() {
      return take(true);
    },
  };
}

/** Opens `path` (`-`: `stdin`). Rejects when the file cannot be opened or read. */
export async function openSource(path: string, stdin: NodeJS.ReadableStream, onRead: (bytes: number) => void): Promise<Source> {
  if (path !== '-') {
    const file = await openFile(path, onRead);
    if (file !== undefined) return file;
  }
  const raw = path === '-' ? stdin : createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const source = await peek(counted(raw as AsyncIterable<Buffer>, onRead)[Symbol.asyncIterator]());
  if (source.head[0] !== GZIP_MAGIC[0] || source.head[1] !== GZIP_MAGIC[1]) return { ...source, reusing: source.chunks };
  const gunzip = Readable.from(source.chunks).pipe(createGunzip({ chunkSize: 256 * 1024 }));
  const unzipped = await peek((gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]());
  return { ...unzipped, reusing: unzipped.chunks };
}
