/**
 * `npm start`: the receiver of `serve` with its embedded default sink (a trace tree on the
 * terminal and an OTLP/JSON lines file), on loopback, fed the example logs of examples/logs over
 * HTTP as the Langfuse clients sent them; then it keeps serving and says how to point real apps
 * at it and where else the traces can go. Ctrl-C (SIGINT) or SIGTERM: forward what is held, exit 0.
 *
 * Each run gets a spool of its own in a fresh temporary directory: a spool remembers envelope ids
 * for 10 minutes across restarts, so replaying the same files into the same spool would be
 * answered as duplicates and print nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diag } from '@opentelemetry/api';
import { setUpLogging } from '../src/cli/logging.js';
import type { Env, ServeFlags } from '../src/cli/serve/start.js';
import { startReceiver } from '../src/cli/serve/start.js';
import type { Receiver } from '../src/receiver/create-receiver.js';
import { demoEnv } from './start/demo-env.js';
import { nextSteps } from './start/next-steps.js';
import { logFiles, replayFile } from './start/replay.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const LOGS = join(REPO, 'examples', 'logs');
/** Short, so a user's own traces show soon; the example logs are flushed at once anyway. */
const QUIET_MILLIS = 2_000;

const write = (text: string): boolean => process.stdout.write(text);

/** The receiver on LANGFUSE_BRIDGE_PORT or 3000; on a free port when that one is taken. */
async function startOn(flags: ServeFlags, env: Env): Promise<Receiver> {
  try {
    return await startReceiver(flags, env);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    write(`(port ${env.LANGFUSE_BRIDGE_PORT ?? 3000} is in use; taking a free one)\n`);
    return startReceiver({ ...flags, port: 0 }, env);
  }
}

/** Resolves at the first SIGINT or SIGTERM; later ones are left to the close already under way. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      // A terminal's Ctrl-C can reach us twice (npm forwards what the terminal also sends): the
      // close is bounded by the receiver's drain time, so later signals need not force it.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.on('SIGINT', () => undefined);
      process.on('SIGTERM', () => undefined);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function main(): Promise<number> {
  setUpLogging(process.env);
  const stopped = stopSignal();
  const dir = mkdtempSync(join(tmpdir(), 'otel-langfuse-bridge-start-'));
  const spoolDir = join(dir, 'spool');
  const output = join(dir, 'traces.otlp.jsonl');
  const { env, ignored } = demoEnv(process.env);
  write('otel-langfuse-bridge: a receiver for Langfuse clients that forwards their traces as OpenTelemetry (OTLP).\n');
  const receiver = await startOn({ host: '127.0.0.1', output, spoolDir, quietMillis: QUIET_MILLIS }, env);
  write(`\nReplaying the recorded client requests of ${relative(process.cwd(), LOGS) || LOGS} through it, as the clients sent them:\n`);
  for (const file of logFiles(LOGS)) {
    const r = await replayFile(file, receiver.url);
    write(`  ${relative(LOGS, file).padEnd(24)} ${r.client}: ${r.requests} request(s), ${r.events} events, ${r.accepted} answered 201\n`);
    for (const problem of r.problems) write(`    ${problem}\n`);
  }
  write('\n');
  await receiver.flush(); // the example traces out now, not after the quiet time
  write(nextSteps({ url: receiver.url, output, forwardedSpans: receiver.stats().forwardedSpans, quietMillis: QUIET_MILLIS, ignored }));

  const signal = await stopped;
  diag.info(`otel-langfuse-bridge receiver: ${signal}, stopping`);
  await receiver.close();
  const s = receiver.stats();
  write(`Stopped: ${s.requests} requests, ${s.accepted} events accepted, ${s.forwardedSpans} spans forwarded; they are in ${output}\n`);
  rmSync(spoolDir, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1); // the receiver, if it started, would keep the process alive

  },
);
