#!/usr/bin/env node
/**
 * otel-langfuse-bridge command line: see ./program.ts. The same script is the entry of `serve`'s
 * receiver thread (./serve/worker.ts), which it starts with its own heap bound. `convert` sets its
 * heap first (./convert/heap.ts), before the rest of the command line is loaded.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { useConvertHeap } from './convert/heap.js';

if (isMainThread && process.argv[2] === 'convert') useConvertHeap();

void (async () => {
  const { isServeWorkerData, runServeWorker } = await import('./serve/worker.js');
  if (!isMainThread && isServeWorkerData(workerData)) {
    void runServeWorker(workerData);
    return;
  }
  const { main } = await import('./program.js');
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`otel-langfuse-bridge: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
})();
