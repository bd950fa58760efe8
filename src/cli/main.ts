#!/usr/bin/env node
/**
 * otel-langfuse-bridge command line: see ./program.ts. The same script is the entry of `serve`'s
 * receiver thread (./serve/worker.ts), which it starts with its own heap bound.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { useConvertHeap } from './convert/heap.js';
import { main } from './program.js';
import { isServeWorkerData, runServeWorker } from './serve/worker.js';

if (!isMainThread && isServeWorkerData(workerData)) {
  void runServeWorker(workerData);
} else {
  if (process.argv[2] === 'convert') useConvertHeap(); // first thing (./convert/heap.ts)
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`otel-langfuse-bridge: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
