/**
 * One input as a stream of bytes: a file or stdin, gunzipped when it starts with the gzip magic
 * bytes. `onRead` is told how many bytes were read from the input itself (compressed, for a
 * progress against the file size).
 */
import { createReadStream } from 'node:fs';
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
}

/** Opens `path` (`-`: `stdin`). Rejects when the file cannot be opened or read. */
export async function openSource(path: string, stdin: NodeJS.ReadableStream, onRead: (bytes: number) => void): Promise<Source> {
  const raw = path === '-' ? stdin : createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const source = await peek(counted(raw as AsyncIterable<Buffer>, onRead)[Symbol.asyncIterator]());
  if (source.head[0] !== GZIP_MAGIC[0] || source.head[1] !== GZIP_MAGIC[1]) return source;
  const gunzip = Readable.from(source.chunks).pipe(createGunzip({ chunkSize: 256 * 1024 }));
  return peek((gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]());
}
