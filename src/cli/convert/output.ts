/**
 * Where converted lines go: a file, written to a temporary file beside it and renamed over it
 * only when the run succeeded (a failed run leaves an existing file as it was), or stdout.
 * Writes wait for the stream to drain; the first write error is kept and ends the conversion.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * Bytes a file output buffers before a write waits: more than one request (4 MiB by default), so
 * the next request is mapped while the last one is written.
 */
const WRITE_BUFFER_BYTES = 8 * 1024 * 1024;

/** The output cannot be written any more (closed pipe, full disk): conversion stops. */
export class OutputError extends Error {
  readonly code: unknown;

  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message.slice(0, 200) : String(cause));
    this.code = (cause as { code?: unknown } | undefined)?.code;
  }
}

export interface LineOutput {
  /**
   * Writes `text`; resolves once more may be written (the stream has room). `written`, when
   * given, may be called once the output is done with the bytes (written to a file, or failed):
   * a buffer can then be filled again.
   */
  write(text: string | Uint8Array, written?: () => void): Promise<void>;
  /** Finishes the output: `keep` false leaves a target file as it was. Throws an {@link OutputError}. */
  close(keep: boolean): Promise<void>;
}

/** Writes to `stream`, failing every write after the first error. */
function writerFor(stream: Writable): { write(text: string | Uint8Array, written?: () => void): Promise<void>; failure(): OutputError | undefined } {
  let failure: OutputError | undefined;
  stream.on('error', (err) => {
    failure ??= new OutputError(err);
  });
  return {
    async write(text, written) {
      if (failure !== undefined) throw failure;
      try {
        if (!stream.write(text, written === undefined ? undefined : () => written())) await once(stream, 'drain');
      } catch (err) {
        failure ??= new OutputError(err);
      }
      if (failure !== undefined) throw failure;
    },
    failure: () => failure,
  };
}

/**
 * stdout (or any stream the caller owns): never closed here. Its buffers are never given back:
 * a stream may pass them on as they are (a PassThrough's reader gets the same bytes later).
 */
export function streamOutput(stream: Writable): LineOutput {
  const writer = writerFor(stream);
  return {
    write: (text) => writer.write(text),
    close: async () => {
      const failure = writer.failure();
      if (failure !== undefined) throw failure;
    },
  };
}

/** `path`, through a temporary file in the same directory (so the rename is atomic). */
export async function fileOutput(path: string, unique: string): Promise<LineOutput> {
  const temp = join(dirname(path), `.${basename(path)}.${unique}.tmp`);
  const stream = createWriteStream(temp, { flags: 'wx', highWaterMark: WRITE_BUFFER_BYTES });
  await Promise.race([once(stream, 'open'), once(stream, 'error').then(([err]) => Promise.reject(new OutputError(err)))]);
  const writer = writerFor(stream);
  return {
    write: writer.write,
    async close(keep) {
      stream.end();
      await finished(stream).catch(() => undefined);
      const failure = writer.failure();
      if (failure === undefined && keep) {
        try {
          await rename(temp, path);
          return;
        } catch (err) {
          await rm(temp, { force: true });
          throw new OutputError(err);
        }
      }
      await rm(temp, { force: true });
      if (failure !== undefined) throw failure;
    },
  };
}

/** --dry-run: nothing is written. */
export const NO_OUTPUT: LineOutput = {
  write: async (_text, written) => written?.(),
  close: async () => undefined,
};
