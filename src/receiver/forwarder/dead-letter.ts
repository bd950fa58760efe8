/**
 * The dead-letter file: traces a backend refused for good (a 4xx other than 408/429), kept as
 * Langfuse ingestion request lines (`{"batch": [...], "metadata": {...}}`) that `convert` can
 * replay once the cause is fixed. A line is fsynced before its events are marked done.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IngestionEvent } from '../../mapping/schema.js';
import { VERSION } from '../../version.js';

export interface DeadLetter {
  /** Appends the events with the reason; resolves once durable. */
  write(events: readonly IngestionEvent[], reason: string, status: number | undefined): Promise<void>;
  readonly path: string;
}

export function deadLetterFile(path: string, now: () => number): DeadLetter {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    path,
    write(events, reason, status) {
      const metadata = {
        batch_size: events.length,
        sdk_integration: 'otel-langfuse-bridge',
        sdk_name: 'otel-langfuse-bridge',
        sdk_version: VERSION,
        dead_letter: { reason, ...(status === undefined ? {} : { status }), at: new Date(now()).toISOString() },
      };
      const line = `${JSON.stringify({ batch: events, metadata })}\n`;
      const written = tail.then(async () => {
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        const file = await open(path, 'a', 0o600);
        try {
          await file.appendFile(line, 'utf8');
          await file.sync();
        } finally {
          await file.close();
        }
      });
      tail = written.catch(() => undefined);
      return written;
    },
  };
}
