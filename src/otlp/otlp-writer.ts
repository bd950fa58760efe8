/**
 * The protobuf writer under the OTLP encoder (./otlp-encoder.ts) and the OTLP/JSON writer
 * (./otlp-json-writer.ts): one growing buffer, varints, fixed-width numbers, strings measured and
 * written by Node's native UTF-8 routines, and room reserved for the lengths of messages whose
 * size is not known in advance.
 */
import type { HrTime } from '@opentelemetry/api';

/**
 * `Buffer#utf8Write(string, offset, length)`: what `Buffer#write` calls after checking its
 * arguments (the lengths here are measured, so the checks are spent for nothing). Not in Node's
 * documentation but present in every version since 0.x and used by protobufjs; `write` when absent.
 */
type Utf8Write = (this: Buffer, text: string, offset: number, length: number) => number;
export const utf8Write: Utf8Write =
  (Buffer.prototype as unknown as { utf8Write?: Utf8Write }).utf8Write ??
  function (this: Buffer, text: string, offset: number, length: number): number {
    return this.write(text, offset, length, 'utf8');
  };
/** `Buffer#hexWrite`, as `utf8Write` for hex: what `Buffer#write(text, offset, length, 'hex')` calls. */
const hexWrite: Utf8Write =
  (Buffer.prototype as unknown as { hexWrite?: Utf8Write }).hexWrite ??
  function (this: Buffer, text: string, offset: number, length: number): number {
    return this.write(text, offset, length, 'hex');
  };

/** The longest text whose UTF-8 bytes (at most 3 per UTF-16 unit) surely fit a one-byte length. */
const MAX_ONE_BYTE_TEXT = 42;

/**
 * `buf.writeUInt32LE(value, at)` of a value already in 0 to 2^32 - 1 and room already ensured:
 * the same four bytes without Node's argument checks, which run as JavaScript of their own (three
 * calls each) until V8 has optimised them.
 */
export function uint32LE(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value;
  buf[at + 1] = value >>> 8;
  buf[at + 2] = value >>> 16;
  buf[at + 3] = value >>> 24;
}

/** Bytes of an unsigned varint. */
export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** The stock writer's reading of a hex digit (anything else reads as garbage, as there). */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return c - 55;
}

export class Writer {
  /** See LangfuseOtlpSpan.hiddenClassKeepers: a full GC must not collect this class's hidden class. */
  static readonly hiddenClassKeeper = new Writer(0);

  buf: Buffer;
  pos = 0;

  /** A buffer of at least `size` bytes, or `buffer` to fill (from its start). */
  constructor(size: number, buffer?: Buffer) {
    this.buf = buffer ?? Buffer.allocUnsafe(Math.max(size, 1024));
  }

  /** Room for `n` more bytes (the check is small, to be inlined wherever it is called; the growth apart). */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this._grow(n);
  }

  private _grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** One byte (a tag of a field number below 16), room already ensured. */
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  varint(value: number): void {
    // One byte (most lengths, counts and enums) inline; the rest apart.
    if ((value & 0x7f) === value && this.pos < this.buf.length) this.buf[this.pos++] = value;
    else this._varint(value);
  }

  private _varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.pos++] = v;
      return;
    }
    // 64 bits as [low, high], negative numbers in two's complement (the stock writer's arithmetic).
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / 0x100000000) >>> 0;
    } else {
      const abs = Math.abs(value);
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / 0x100000000) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 0x7f;
  }

  /**
   * A string field: tag, UTF-8 length, UTF-8 bytes. A short text (at most 42 UTF-16 units: at most
   * 127 bytes, a one-byte length whatever its UTF-8 size) is written first and measured by the
   * write; a longer one is measured first.
   */
  string(tag: number, text: string): void {
    if (text.length <= MAX_ONE_BYTE_TEXT) {
      if (this.pos + 2 + 3 * text.length > this.buf.length) this.ensure(2 + 3 * text.length);
      const at = this.pos;
      this.buf[at] = tag;
      const n = utf8Write.call(this.buf, text, at + 2, 3 * text.length);
      this.buf[at + 1] = n;
      this.pos = at + 2 + n;
      return;
    }
    const n = Buffer.byteLength(text, 'utf8');
    if (this.pos + 6 + n > this.buf.length) this._grow(6 + n);
    this.buf[this.pos++] = tag;
    this.varint(n);
    this.pos += utf8Write.call(this.buf, text, this.pos, n);
  }

  /** A hex id as a bytes field, as the stock `hexToBinary` reads it (an odd length throws there and here). */
  hexId(tag: number, hex: string): void {
    if (hex.length % 2 !== 0) throw new RangeError('Invalid typed array length');
    const n = hex.length / 2;
    // Tag, length (more than one byte for an id of 128 bytes or more), bytes; ensure's check inline, as below.
    if (this.pos + 6 + n > this.buf.length) this._grow(6 + n);
    this.buf[this.pos++] = tag;
    // The length of an id (8 or 16 bytes) in one byte, without a call; longer ones as any varint.
    if (n < 0x80) this.buf[this.pos++] = n;
    else this.varint(n);
    if (hexWrite.call(this.buf, hex, this.pos, n) !== n) {
      // Not hex: what the stock reader makes of it.
      for (let i = 0; i < n; i++) this.buf[this.pos + i] = ((hexValue(hex.charCodeAt(2 * i)) << 4) | hexValue(hex.charCodeAt(2 * i + 1))) & 0xff;
    }
    this.pos += n;
  }

  /** Nanoseconds since the epoch as a fixed64 field, in exact integer arithmetic (the stock writer's). */
  hrTime(tag: number, time: HrTime): void {
    const seconds = time[0];
    const nanos = time[1];
    const lower = (seconds & 0xffff) * 1e9;
    const upper = ((seconds / 0x10000) >>> 0) * 1e9;
    const lowWithCarry = (lower >>> 0) + (((upper & 0xffff) * 0x10000) >>> 0) + nanos;
    const carry = Math.floor(lowWithCarry / 0x100000000);
    if (this.pos + 9 > this.buf.length) this._grow(9);
    const buf = this.buf;
    const at = this.pos;
    buf[at] = tag;
    // Two little-endian 32-bit words, as uint32LE writes them (inline: two spans' times a span).
    const low = lowWithCarry >>> 0;
    const high = (Math.floor(lower / 0x100000000) + ((upper / 0x10000) >>> 0) + carry) >>> 0;
    buf[at + 1] = low;
    buf[at + 2] = low >>> 8;
    buf[at + 3] = low >>> 16;
    buf[at + 4] = low >>> 24;
    buf[at + 5] = high;
    buf[at + 6] = high >>> 8;
    buf[at + 7] = high >>> 16;
    buf[at + 8] = high >>> 24;
    this.pos = at + 9;
  }

  fixed32(tag: number, value: number): void {
    this.ensure(5);
    this.buf[this.pos++] = tag;
    uint32LE(this.buf, this.pos, value >>> 0);
    this.pos += 4;
  }

  /**
   * Opens a length-delimited field: writes its tag and reserves `reserve` bytes for the length,
   * the size it usually needs; returns where the length goes.
   */
  open(tag: number, reserve: number): number {
    if (this.pos + 1 + reserve > this.buf.length) this._grow(1 + reserve);
    this.buf[this.pos++] = tag;
    const at = this.pos;
    this.pos += reserve;
    return at;
  }

  /** Closes the field opened at `at` with `reserve` bytes: writes its length, moving the content if it needs more or fewer. */
  close(at: number, reserve: number): void {
    const length = this.pos - at - reserve;
    // A length of one byte in the one byte reserved for it (most values and attributes) inline; the rest apart.
    if (reserve === 1 && length < 0x80) this.buf[at] = length;
    else this._close(at, reserve, length);
  }

  private _close(at: number, reserve: number, length: number): void {
    const size = varintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.buf.copyWithin(at + size, at + reserve, this.pos);
      this.pos += size - reserve;
    }
    let v = length;
    let i = at;
    while (v > 0x7f) {
      this.buf[i++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[i] = v;
  }
}
