/**
 * An ack entry says "key K of record I of this segment is done": 12 bytes, the record index and
 * the key hash (unsigned 32-bit big-endian words). The index keeps a key that came back after the
 * dedupe window, in a later record of the same segment, from being marked done with the first.
 */
export const ACK_ENTRY_BYTES = 12;

/** Entries marking these key hashes (hi, lo) of record `index` done. */
export function encodeAcks(index: number, hashes: readonly (readonly [number, number])[]): Buffer {
  const out = Buffer.allocUnsafe(hashes.length * ACK_ENTRY_BYTES);
  hashes.forEach(([hi, lo], i) => {
    out.writeUInt32BE(index, i * ACK_ENTRY_BYTES);
    out.writeUInt32BE(hi, i * ACK_ENTRY_BYTES + 4);
    out.writeUInt32BE(lo, i * ACK_ENTRY_BYTES + 8);
  });
  return out;
}

/** Calls `each(index, hi, lo)` for every entry of an ack file's whole entries. */
export function forEachAck(bytes: Buffer, each: (index: number, hi: number, lo: number) => void): void {
  for (let at = 0; at + ACK_ENTRY_BYTES <= bytes.length; at += ACK_ENTRY_BYTES) {
    each(bytes.readUInt32BE(at), bytes.readUInt32BE(at + 4), bytes.readUInt32BE(at + 8));
  }
}
