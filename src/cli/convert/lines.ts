/**
 * Bytes into lines, without a line ever held past a cap: a line longer than `maxLineBytes` is
 * skipped to its end as it streams by (only its length is kept) and reported by the caller;
 * reading goes on with the next line. Lines are handed out per chunk read, as views of the chunk:
 * each is decoded ({@link lineText}) only when it is read, so a chunk's lines are never all alive
 * as strings at once.
 */

export type Line =
  /** A line's bytes (a view of the chunk read), without its newline. */
  | { readonly lineNo: number; readonly bytes: Buffer }
  /** A line over the cap: its number and its length in bytes. */
  | { readonly lineNo: number; readonly tooLong: number };

const NEWLINE = 0x0a;

/** The line's text. */
export function lineText(line: { readonly bytes: Buffer }): string {
  return line.bytes.toString('utf8');
}

function view(buffer: Buffer, start: number, end: number): Buffer {
  // A carriage return before the newline (CRLF files) is not part of the line.
  const stop = end > start && buffer[end - 1] === 0x0d ? end - 1 : end;
  return buffer.subarray(start, stop);
}

/** The lines of `chunks`, in groups: the complete lines of each chunk read. */
export async function* splitLines(chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Line[]> {
  let lineNo = 0;
  /** The start of the current line, from earlier chunks. */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Bytes of the current line when it is over the cap (then nothing of it is kept). */
  let overflow = 0;
  for await (const chunk of chunks) {
    const lines: Line[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      lineNo++;
      const bytes = pendingBytes + overflow + nl - start;
      if (overflow > 0 || bytes > maxLineBytes) lines.push({ lineNo, tooLong: bytes });
      else if (pendingBytes === 0) lines.push({ lineNo, bytes: view(chunk, start, nl) });
      else {
        pending.push(chunk.subarray(start, nl));
        const whole = Buffer.concat(pending, bytes);
        lines.push({ lineNo, bytes: view(whole, 0, whole.length) });
      }
      pending = [];
      pendingBytes = 0;
      overflow = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.length - start;
      if (overflow > 0 || pendingBytes + rest > maxLineBytes) {
        overflow += pendingBytes + rest;
        pending = [];
        pendingBytes = 0;
      } else {
        // A copy: the chunk may be a view of a larger buffer that would otherwise stay alive.
        pending.push(Buffer.from(chunk.subarray(start)));
        pendingBytes += rest;
      }
    }
    if (lines.length > 0) yield lines;
  }
  if (overflow > 0) yield [{ lineNo: lineNo + 1, tooLong: overflow }];
  else if (pendingBytes > 0) {
    const whole = Buffer.concat(pending, pendingBytes);
    yield [{ lineNo: lineNo + 1, bytes: view(whole, 0, whole.length) }];
  }
}
