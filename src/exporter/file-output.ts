/**
 * File output of the exporter: appends each export call's ingestion events as one JSON line
 * `{"batch":[...],"metadata":{...}}`, the body Langfuse's `POST /api/public/ingestion` takes, so
 * the converter can read the file back and the bridge runs end to end without a server
 * (design.md §8).
 */
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IngestionEvent } from '../mapping/schema.js';

export interface FileOutput {
  /**
   * Appends one line. Lines land in call order, even for concurrent calls. Rejects on an I/O error
   * (the caller reports FAILED) or after `close()`; the next write tries again.
   */
  write(events: readonly IngestionEvent[], metadata: Record<string, unknown>): Promise<void>;
  /** Resolves when every write called so far has finished (its own promise tells how). */
  flush(): Promise<void>;
  /** Waits for pending writes, then closes the file. Idempotent; later writes reject. */
  close(): Promise<void>;
}

/**
 * Creates a file output appending to `path`. The file (and its directory) is created on the first
 * write, not here, so a bad path fails that write rather than the constructor.
 */
export function createFileOutput(path: string): FileOutput {
  let handle: FileHandle | undefined;
  // Every write runs after the previous one settles: one append at a time, in call order.
  let tail: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;

  const append = async (line: string): Promise<void> => {
    if (handle === undefined) {
      await mkdir(dirname(path), { recursive: true });
      handle = await open(path, 'a');
    }
    // appendFile loops until the whole line is written, unlike a single handle.write().
    await handle.appendFile(line, 'utf8');
  };

  return {
    write(events, metadata) {
      if (closing !== undefined) return Promise.reject(new Error(`file output ${path} is closed`));
      let line: string;
      try {
        // Serialised now, so the caller may reuse its arrays once write() returns.
        line = `${JSON.stringify({ batch: events, metadata })}\n`;
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      const done = tail.then(() => append(line));
      tail = done.catch(() => undefined);
      return done;
    },
    flush: () => tail,
    close() {
      closing ??= tail.then(async () => {
        const h = handle;
        handle = undefined;
        await h?.close();
      });
      return closing;
    },
  };
}
