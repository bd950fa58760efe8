/**
 * One record on disk (all integers unsigned 32-bit big-endian):
 *
 * ```
 * magic 0x4C465350 ("LFSP") | payload length | CRC32 of the payload
 * payload: record index | meta length | key count | meta (UTF-8 JSON) | key hashes (8 bytes each) | body
 * ```
 *
 * The index is written, not inferred from the position, so a record skipped as corrupt leaves a
 * gap instead of renumbering the ones after it (ack entries name records by index). The magic
 * lets recovery find the next record after a damaged one.
 */
import { crc32 } from 'node:zlib';
import { KEY_HASH_BYTES, bytesToHashes } from './key-hash.js';

export const FRAME_MAGIC = 0x4c465350;
const MAGIC_BYTES = Buffer.from([0x4c, 0x46, 0x53, 0x50]);
/** Bytes before the payload: magic, length, CRC. */
export const FRAME_HEADER_BYTES = 12;
/** Fixed part of the payload: index, meta length, key count. */
const PAYLOAD_FIXED_BYTES = 12;

/** A record as framed for writing: buffers for one writev, and their total length. */
export interface EncodedRecord {
  readonly buffers: readonly Buffer[];
  readonly bytes: number;
}

/** A record read back: the meta still as bytes (parsed only when the consumer reads it). */
export interface DecodedRecord {
  readonly index: number;
  readonly hashes: Uint32Array;
  readonly meta: Buffer;
  readonly body: Buffer;
}

export type FrameResult =
  | { readonly kind: 'ok'; readonly record: DecodedRecord; readonly end: number }
  /** The buffer ends before the frame does (a torn write at the end of a file). */
  | { readonly kind: 'torn' }
  /** Wrong magic, checksum or structure. */
  | { readonly kind: 'bad' };

/** Bytes a record of these parts takes on disk. */
export function framedBytes(metaBytes: number, keyCount: number, bodyBytes: number): number {
  return FRAME_HEADER_BYTES + PAYLOAD_FIXED_BYTES + metaBytes + keyCount * KEY_HASH_BYTES + bodyBytes;
}

/** Frames a record; the body is not copied. `hashes`: two words per key, as in key-hash.ts. */
export function encodeRecord(index: number, meta: Buffer, hashes: Uint32Array, body: Buffer): EncodedRecord {
  const keyCount = hashes.length / 2;
  const bytes = framedBytes(meta.length, keyCount, body.length);
  const head = Buffer.allocUnsafe(bytes - body.length);
  head.writeUInt32BE(FRAME_MAGIC, 0);
  head.writeUInt32BE(bytes - FRAME_HEADER_BYTES, 4);
  head.writeUInt32BE(index, 12);
  head.writeUInt32BE(meta.length, 16);
  head.writeUInt32BE(keyCount, 20);
  meta.copy(head, 24);
  let at = 24 + meta.length;
  for (let i = 0; i < hashes.length; i++, at += 4) head.writeUInt32BE(hashes[i] as number, at);
  head.writeUInt32BE(crc32(body, crc32(head.subarray(FRAME_HEADER_BYTES))), 8);
  return { buffers: [head, body], bytes };
}

/** Reads the frame starting at `pos` of `buf`. */
export function readFrame(buf: Buffer, pos: number): FrameResult {
  if (buf.length - pos < FRAME_HEADER_BYTES) return { kind: 'torn' };
  if (buf.readUInt32BE(pos) !== FRAME_MAGIC) return { kind: 'bad' };
  const length = buf.readUInt32BE(pos + 4);
  if (length < PAYLOAD_FIXED_BYTES) return { kind: 'bad' };
  const start = pos + FRAME_HEADER_BYTES;
  const end = start + length;
  if (end > buf.length) return { kind: 'torn' };
  const payload = buf.subarray(start, end);
  if (crc32(payload) !== buf.readUInt32BE(pos + 8)) return { kind: 'bad' };
  const index = payload.readUInt32BE(0);
  const metaLength = payload.readUInt32BE(4);
  const keyCount = payload.readUInt32BE(8);
  const keysAt = PAYLOAD_FIXED_BYTES + metaLength;
  const bodyAt = keysAt + keyCount * KEY_HASH_BYTES;
  if (bodyAt > length) return { kind: 'bad' };
  return {
    kind: 'ok',
    record: {
      index,
      meta: payload.subarray(PAYLOAD_FIXED_BYTES, keysAt),
      hashes: bytesToHashes(payload, keysAt, keyCount),
      body: payload.subarray(bodyAt),
    },
    end,
  };
}

/** Where the next frame might start after `from` (the next magic), or -1. */
export function nextMagic(buf: Buffer, from: number): number {
  return buf.indexOf(MAGIC_BYTES, from);
}
