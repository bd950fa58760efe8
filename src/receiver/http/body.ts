/**
 * Reads a request body under a byte cap that holds before and after gunzip: the compressed bytes
 * are capped as they arrive, and inflation (on zlib's thread pool, never blocking the event loop)
 * stops at the cap, so 47 KB of gzip cannot become 48 MB in memory.
 */
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { HttpError } from './errors.js';

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `Request body over ${maxBytes} bytes (after decompression)`);
}

/** The raw bytes as sent, at most `maxBytes`. */
async function readRaw(req: IncomingMessage, maxBytes: number, take: (n: number) => void): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    take((chunk as Buffer).length);
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

function inflate(raw: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: maxBytes }, (err, out) => {
      if (err === null) resolve(out);
      else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) reject(tooLarge(maxBytes));
      else reject(new HttpError(400, 'Request body is not valid gzip'));
    });
  });
}

/**
 * The body's bytes after `Content-Encoding` (identity or gzip), at most `maxBytes` either way.
 * `take` is told of every byte held (as sent, and inflated) and may throw to stop reading.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, take: (n: number) => void = () => undefined): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new HttpError(415, `Content-Encoding ${encoding.slice(0, 40)} is not supported (identity or gzip)`);
  }
  const raw = await readRaw(req, maxBytes, take);
  if (encoding === 'identity') return raw;
  const inflated = await inflate(raw, maxBytes);
  take(inflated.length);
  return inflated;
}
