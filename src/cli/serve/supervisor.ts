/**
 * `serve`'s main thread: starts the receiver's worker thread (./worker.ts) with a bounded heap,
 * turns signals into its shutdown (SIGINT / SIGTERM: stop accepting, forward what is held, exit 0;
 * a second signal: exit at once, the spool keeps the rest), and restarts it should it ever run out
 * of heap (every event it answered 201 for is in the spool and is forwarded by the next one).
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import type { ExitCode } from '../exit.js';
import type { Env, ServeFlags } from './start.js';
import type { FromWorker, ServeWorkerData } from './worker.js';

/** The receiver thread's heap bound (V8 old generation), MiB: live data stays far below it. */
export const DEFAULT_MAX_HEAP_MIB = 160;
/**
 * The receiver thread's young generation, MiB (V8's default for a thread is 48): what a request
 * allocates and drops dies there either way, while held events are promoted sooner. Measured
 * with bench/receiver.ts's load: 39-41k events/s forwarded and 248 MiB of RSS, against 35-36k
 * and 261-265 MiB with 48.
 */
const YOUNG_GENERATION_MIB = 24;
/** Restarts after running out of heap allowed within a minute before `serve` gives up. */
const MAX_RESTARTS_PER_MINUTE = 3;

type Outcome = { kind: 'closed' } | { kind: 'failed'; code: ExitCode } | { kind: 'out-of-memory' } | { kind: 'exited'; code: number };

/**
 * The receiver thread runs this command's own script. From the TypeScript sources (the tests run
 * `tsx src/cli/main.ts`), a worker thread does not take tsx's `--import` hooks on Node 20, so it
 * registers them itself first.
 */
function startWorker(script: string, options: ConstructorParameters<typeof Worker>[1]): Worker {
  if (!script.endsWith('.ts')) return new Worker(script, options);
  const url = JSON.stringify(pathToFileURL(script).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${url}); });`, { ...options, eval: true });
}

/** Runs one worker until it is closed by a signal, fails to start, or dies. */
function runWorker(script: string, data: ServeWorkerData, maxHeapMib: number, onListening: (url: string) => void, signals: { stop?: () => void }): Promise<Outcome> {
  const worker = startWorker(script, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: maxHeapMib, maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB } });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: Outcome): void => {
      if (!settled) resolve(o);
      settled = true;
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'listening') {
        onListening(m.url);
        signals.stop = () => worker.postMessage({ type: 'close' });
      } else if (m.type === 'failed') {
        process.stderr.write(`otel-langfuse-bridge serve: ${m.message}\n`);
        settle({ kind: 'failed', code: m.usage ? 2 : 1 });
      } else {
        diag.info(`otel-langfuse-bridge receiver: ${m.summary}`);
        settle({ kind: 'closed' });
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') settle({ kind: 'out-of-memory' });
      else {
        diag.error(`otel-langfuse-bridge receiver: the receiver thread failed: ${err.message}`);
        settle({ kind: 'exited', code: 1 });
      }
    });
    worker.on('exit', (code) => settle({ kind: 'exited', code }));
  });
}

/**
 * The flags a restarted receiver thread gets: the port the first one listens on (`url`), so that
 * clients find the receiver where it was, also when the system chose it (`--port 0`,
 * `LANGFUSE_BRIDGE_PORT=0`).
 */
export function flagsForRestart(flags: ServeFlags, url: string): ServeFlags {
  return { ...flags, port: Number(new URL(url).port) };
}

export async function supervise(flags: ServeFlags, env: Env): Promise<ExitCode> {
  const script = process.argv[1];
  if (script === undefined) throw new Error('serve: cannot tell which script to run in the receiver thread');
  const maxHeapMib = flags.maxHeapMib ?? DEFAULT_MAX_HEAP_MIB;
  const signals: { stop?: () => void; stopping?: boolean } = {};
  const onSignal = (): void => {
    if (signals.stopping === true) process.exit(1); // a second signal: at once; the spool keeps the rest
    signals.stopping = true;
    diag.info('otel-langfuse-bridge receiver: stopping (a second Ctrl-C exits at once; the spool keeps the rest)');
    signals.stop?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const restarts: number[] = [];
  let workerFlags = flags;
  try {
    for (;;) {
      const outcome = await runWorker(script, { otelLangfuseBridgeServe: true, flags: workerFlags, env: { ...env } }, maxHeapMib, (url) => {
        workerFlags = flagsForRestart(workerFlags, url);
        if (signals.stopping === true) signals.stop?.();
      }, signals);
      if (outcome.kind === 'closed') return 0;
      if (outcome.kind === 'failed') return outcome.code;
      if (outcome.kind === 'exited') return signals.stopping === true ? 0 : 1;
      const now = Date.now();
      restarts.push(now);
      while ((restarts[0] ?? now) < now - 60_000) restarts.shift();
      if (restarts.length > MAX_RESTARTS_PER_MINUTE || signals.stopping === true) {
        diag.error(`otel-langfuse-bridge receiver: out of heap (${maxHeapMib} MiB) ${restarts.length} times within a minute; stopping. Raise --max-heap-mib; the spool keeps every accepted event.`);
        return 1;
      }
      diag.error(`otel-langfuse-bridge receiver: the receiver thread ran out of its heap (${maxHeapMib} MiB); restarting it. Every accepted event is in the spool and goes out from there.`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
