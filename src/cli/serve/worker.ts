/**
 * The receiver's thread: `serve` runs the receiver in a worker thread of its own, so its heap has
 * a hard bound (V8 otherwise grows it far past the live data under load) and, if the bound is ever
 * hit, the thread is restarted while the spool keeps every accepted event. It talks to the main
 * thread (./supervisor.ts) in messages.
 */
import { parentPort } from 'node:worker_threads';
import { InvalidArgumentError } from 'commander';
import { ConfigurationError } from '../../config/errors.js';
import { setUpLogging } from '../logging.js';
import type { Env, ServeFlags } from './start.js';
import { startReceiver } from './start.js';

/** What the worker receives when it starts. */
export interface ServeWorkerData {
  readonly otelLangfuseBridgeServe: true;
  readonly flags: ServeFlags;
  readonly env: Env;
}

/** Messages from the worker to the main thread. */
export type FromWorker =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'failed'; readonly message: string; readonly usage: boolean }
  | { readonly type: 'closed'; readonly summary: string };

export function isServeWorkerData(data: unknown): data is ServeWorkerData {
  return typeof data === 'object' && data !== null && (data as ServeWorkerData).otelLangfuseBridgeServe === true;
}

export async function runServeWorker(data: ServeWorkerData): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const send = (message: FromWorker): void => port.postMessage(message);
  setUpLogging(data.env);
  let receiver;
  try {
    receiver = await startReceiver(data.flags, data.env);
  } catch (err) {
    const usage = err instanceof ConfigurationError || err instanceof InvalidArgumentError;
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err), usage });
    return;
  }
  send({ type: 'listening', url: receiver.url });
  const started = receiver;
  port.once('message', () => {
    void started.close().then(() => {
      const s = started.stats();
      send({
        type: 'closed',
        summary:
          `${s.requests} requests, ${s.accepted} events accepted, ${s.duplicates} duplicates, ${s.rejected} rejected, ` +
          `${s.forwardedSpans} spans forwarded, ${s.deadLetteredSpans} dead-lettered, ${s.pendingEvents} events left in the spool`,
      });
      port.close();
    });
  });
}
