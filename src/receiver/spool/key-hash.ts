/**
 * Dedupe keys as 64-bit hashes: the first 8 bytes of the SHA-256 of the key's UTF-8, kept as two
 * unsigned 32-bit halves (hi, lo) so no BigInt is needed. Two different keys share a hash with
 * probability 2^-64; among n keys remembered at once the odds of any collision are about
 * n^2 / 2^65 (1,000,000 ids: 3e-8). A collision makes a new event look like a duplicate. A
 * cryptographic hash means a client cannot aim a key at another client's key without knowing it
 * and doing ~2^64 work.
 *
 * The all-zero hash marks an empty slot in {@link HashSet64}; a key hashing to it is moved to
 * (0, 1), which doubles the odds for that one value only.
 */
import { hash } from 'node:crypto';

/** Bytes a key hash takes on disk. */
export const KEY_HASH_BYTES = 8;

/** Hashes of `keys`, two 32-bit words per key (hi at 2i, lo at 2i + 1). */
export function hashKeys(keys: readonly string[]): Uint32Array {
  const out = new Uint32Array(keys.length * 2);
  for (let i = 0; i < keys.length; i++) {
    const digest = hash('sha256', keys[i] as string, 'buffer');
    const hi = digest.readUInt32BE(0);
    const lo = digest.readUInt32BE(4);
    out[2 * i] = hi;
    out[2 * i + 1] = hi === 0 && lo === 0 ? 1 : lo;
  }
  return out;
}

const HASHED = new WeakMap<readonly string[], Uint32Array>();

/**
 * {@link hashKeys} of a list of keys, computed once per list: the handler's batch keys are hashed
 * for the append and read again by the consumer when it takes the batch from memory.
 */
export function hashesOf(keys: readonly string[]): Uint32Array {
  let hashes = HASHED.get(keys);
  if (hashes === undefined || hashes.length !== keys.length * 2) HASHED.set(keys, (hashes = hashKeys(keys)));
  return hashes;
}

/** Hashes as they are stored: 8 bytes each, big-endian hi then lo. */
export function hashesToBytes(hashes: Uint32Array, from = 0, to = hashes.length / 2): Buffer {
  const out = Buffer.allocUnsafe((to - from) * KEY_HASH_BYTES);
  for (let i = from; i < to; i++) {
    out.writeUInt32BE(hashes[2 * i] as number, (i - from) * 8);
    out.writeUInt32BE(hashes[2 * i + 1] as number, (i - from) * 8 + 4);
  }
  return out;
}

/** The reverse of {@link hashesToBytes} for `count` hashes at `offset`. */
export function bytesToHashes(bytes: Buffer, offset: number, count: number): Uint32Array {
  const out = new Uint32Array(count * 2);
  for (let i = 0; i < count * 2; i++) out[i] = bytes.readUInt32BE(offset + i * 4);
  return out;
}
