/**
 * An OTLP protobuf `ExportTraceServiceRequest` read as it streams, in requests of their own of at
 * most `maxBytes` each: one per `resource_spans` when it fits; a larger one is cut into requests
 * of its resource with some of its `scope_spans`, and a larger scope into requests of some of its
 * spans. Only a span over `maxBytes` is skipped (reported); memory holds one piece at a time.
 */

/** Bytes pulled from a stream on demand, with the position read so far. */
class ByteReader {
  private readonly _chunks: AsyncIterator<Buffer>;
  private _buffer: Buffer = Buffer.alloc(0);
  private _at = 0;
  /** Bytes consumed from the start of the stream. */
  position = 0;

  constructor(chunks: AsyncIterable<Buffer>) {
    this._chunks = chunks[Symbol.asyncIterator]();
  }

  /** True when at least one more byte is there. */
  async more(): Promise<boolean> {
    return this._fill(1);
  }

  async varint(): Promise<number> {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (!(await this._fill(1))) throw new Error(`truncated varint at byte ${this.position}`);
      const byte = this._buffer[this._at++] as number;
      this.position++;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error(`malformed varint at byte ${this.position}`);
  }

  async bytes(n: number): Promise<Buffer> {
    if (!(await this._fill(n))) throw new Error(`truncated field of ${n} bytes at byte ${this.position}`);
    const out = Buffer.from(this._buffer.subarray(this._at, this._at + n));
    this._at += n;
    this.position += n;
    return out;
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      if (!(await this._fill(1))) throw new Error(`truncated field of ${n} bytes at byte ${this.position}`);
      const step = Math.min(left, this._buffer.length - this._at);
      this._at += step;
      this.position += step;
      left -= step;
    }
  }

  /** Skips a field of wire type `wire` (the tag already read). */
  async skipField(wire: number): Promise<void> {
    if (wire === 0) await this.varint();
    else if (wire === 1) await this.skip(8);
    else if (wire === 2) await this.skip(await this.varint());
    else if (wire === 5) await this.skip(4);
    else throw new Error(`unsupported wire type ${wire} at byte ${this.position}`);
  }

  private async _fill(n: number): Promise<boolean> {
    let have = this._buffer.length - this._at;
    if (have >= n) return true;
    const parts = [this._buffer.subarray(this._at)];
    while (have < n) {
      const next = await this._chunks.next();
      if (next.done === true) break;
      parts.push(next.value);
      have += next.value.length;
    }
    this._buffer = Buffer.concat(parts, have);
    this._at = 0;
    return have >= n;
  }
}

function varintBytes(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited field: tag, length, bytes. */
function field(number: number, ...parts: Buffer[]): Buffer {
  const length = parts.reduce((n, p) => n + p.length, 0);
  return Buffer.concat([Buffer.from([(number << 3) | 2]), varintBytes(length), ...parts]);
}

export type ProtobufPiece = { readonly bytes: Buffer } | { readonly issue: string };

/**
 * One request as requests of its own, each of whole `resource_spans` up to `maxBytes` together
 * (a request that fits comes out as it was, byte for byte); a damaged stream ends with an issue.
 */
export async function* readProtobufRequests(chunks: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<ProtobufPiece> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  const take = (): ProtobufPiece => {
    const piece = { bytes: Buffer.concat(held, heldBytes) };
    held = [];
    heldBytes = 0;
    return piece;
  };
  for await (const piece of resourceSpansPieces(chunks, maxBytes)) {
    if ('issue' in piece) {
      if (heldBytes > 0) yield take();
      yield piece;
      continue;
    }
    if (heldBytes > 0 && heldBytes + piece.bytes.length > maxBytes) yield take();
    held.push(piece.bytes);
    heldBytes += piece.bytes.length;
  }
  if (heldBytes > 0) yield take();
}

/** The `resource_spans` of a request one by one, a large one in pieces. */
async function* resourceSpansPieces(chunks: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<ProtobufPiece> {
  const reader = new ByteReader(chunks);
  try {
    while (await reader.more()) {
      const tag = await reader.varint();
      if (tag !== 0x0a) {
        await reader.skipField(tag & 7);
        continue;
      }
      const length = await reader.varint();
      if (length <= maxBytes) yield { bytes: field(1, await reader.bytes(length)) };
      else yield* resourceSpansInPieces(reader, reader.position + length, maxBytes);
    }
  } catch (err) {
    yield { issue: `malformed protobuf: ${err instanceof Error ? err.message : String(err)}; the rest of the input is skipped` };
  }
}

/** A `resource_spans` too large for one piece: its resource with a few `scope_spans` at a time. */
async function* resourceSpansInPieces(reader: ByteReader, end: number, maxBytes: number): AsyncGenerator<ProtobufPiece> {
  const head: Buffer[] = []; // resource and schema_url, repeated in each piece
  while (reader.position < end) {
    const tag = await reader.varint();
    if (tag === 0x12) {
      const length = await reader.varint();
      if (length <= maxBytes) yield { bytes: field(1, ...head, field(2, await reader.bytes(length))) };
      else yield* scopeSpansInPieces(reader, reader.position + length, maxBytes, head);
    } else if (tag === 0x0a || tag === 0x1a) head.push(field(tag >> 3, await reader.bytes(await reader.varint())));
    else await reader.skipField(tag & 7);
  }
}

/** A `scope_spans` too large for one piece: its scope with as many spans as fit, piece after piece. */
async function* scopeSpansInPieces(reader: ByteReader, end: number, maxBytes: number, resource: readonly Buffer[]): AsyncGenerator<ProtobufPiece> {
  const head: Buffer[] = []; // scope and schema_url
  let spans: Buffer[] = [];
  let bytes = 0;
  const piece = (): ProtobufPiece => ({ bytes: field(1, ...resource, field(2, ...head, ...spans)) });
  while (reader.position < end) {
    const tag = await reader.varint();
    if (tag === 0x12) {
      const length = await reader.varint();
      if (length > maxBytes) {
        await reader.skip(length);
        yield { issue: `a span of ${length} bytes at byte ${reader.position - length}, over the cap of ${maxBytes}; skipped` };
        continue;
      }
      if (bytes + length > maxBytes && spans.length > 0) {
        yield piece();
        spans = [];
        bytes = 0;
      }
      spans.push(field(2, await reader.bytes(length)));
      bytes += length;
    } else if (tag === 0x0a || tag === 0x1a) head.push(field(tag >> 3, await reader.bytes(await reader.varint())));
    else await reader.skipField(tag & 7);
  }
  if (spans.length > 0) yield piece();
}
