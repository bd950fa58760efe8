#!/usr/bin/env node
/** otel-langfuse-bridge command line: see ./program.ts. */
import { main } from './program.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`otel-langfuse-bridge: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
