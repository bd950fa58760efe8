/**
 * The exporter benches' runner: each candidate in a fresh child process (bench/exporter-worker.ts)
 * against the loopback fake Langfuse (bench/ingestion-server.ts), which runs here, in the parent,
 * so its work is in no exporter's memory figures. A run has a cold phase (the fresh process's
 * first WARMUP_SPANS spans) and a warm, measured phase (the next SPANS spans); each is timed from
 * its first export() to the arrival of its last item at the server ("delivered", not "queued"),
 * the measured phase also to `shutdown()` resolving in the child when that comes later.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUILT_PACKAGE, WARMUP_SPANS } from './exporter-protocol.js';
import type { CandidateKey, DoneMessage, WarmMessage } from './exporter-protocol.js';
import { startIngestionServer } from './ingestion-server.js';
import type { IngestionCounts } from './ingestion-server.js';

const WORKER = fileURLToPath(new URL('./exporter-worker.ts', import.meta.url));

/** Where the worker loads our exporter from (bench/exporter-worker.ts loadPackage), for the benches' headers. */
export function oursLoadedFrom(): string {
  return existsSync(fileURLToPath(BUILT_PACKAGE))
    ? 'ours: the built package (dist/, as an application loads it)'
    : 'ours: dist/ is missing, so the TypeScript sources through tsx (run `npm run build` for figures)';
}
/** Longest a single run may take before it is abandoned. */
const RUN_TIMEOUT_MILLIS = 30_000;
/** After `shutdown()` resolved, how long without any request means nothing more is coming. */
const QUIET_MILLIS = 1_000;

export interface RunResult {
  readonly which: CandidateKey;
  readonly done: DoneMessage;
  /** Milliseconds from the first export() to the last event's arrival (or shutdown, if later). */
  readonly millis: number;
  readonly received: IngestionCounts;
  /** How the wait for the server ended. */
  readonly arrival: 'complete' | 'quiet' | 'timeout';
  /** The same for the warm-up phase, in a fresh process: the cold figure. */
  readonly warmupMillis: number;
  /** CPU time of the exporter's process in the cold phase, in microseconds. */
  readonly coldCpuMicros: number;
}

function isMessage<T extends { type: string }>(m: unknown, type: T['type']): m is T {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
}

/** The environment minus LANGFUSE_* (both exporters read some), so only the options given count. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LANGFUSE_')));
}

async function runOnce(which: CandidateKey): Promise<RunResult> {
  const server = await startIngestionServer();
  const child = fork(WORKER, [which, server.url], {
    // For profiling, not for figures: BENCH_CPU_PROF_DIR=<dir> makes each worker write a V8 CPU
    // profile there; BENCH_FLAGS='--trace-deopt ...' passes Node/V8 flags to each worker (with
    // BENCH_MARK=1 the worker prints a line as each phase ends, with its times on the profile's clock).
    execArgv: [
      '--import', 'tsx', '--expose-gc',
      ...(process.env.BENCH_FLAGS ? process.env.BENCH_FLAGS.split(' ').filter((f) => f !== '') : []),
      ...(process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : []),
    ],
    env: childEnv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MILLIS);
  try {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let warmupMillis = NaN;
    let coldCpuMicros = NaN;
    const done = await new Promise<DoneMessage>((resolve, reject) => {
      child.on('message', (m: unknown) => {
        if (isMessage<WarmMessage>(m, 'warm')) {
          void server.waitForEvents(m.expectedEvents, QUIET_MILLIS, RUN_TIMEOUT_MILLIS).then(() => {
            warmupMillis = elapsedMillis(m.t0, m.tFlushed, server.counts.lastArrival);
            coldCpuMicros = m.cpuMicros;
            server.reset();
            child.send({ type: 'go' });
          });
        } else if (isMessage<DoneMessage>(m, 'done')) {
          resolve(m);
        }
      });
      void exited.then((code) => reject(new Error(`${which} worker exited with code ${code} before reporting`)));
    });
    const arrival = await server.waitForEvents(done.expectedEvents, QUIET_MILLIS, RUN_TIMEOUT_MILLIS);
    const received = server.counts;
    await exited;
    return { which, done, millis: elapsedMillis(done.t0, done.tShutdown, received.lastArrival), received, arrival, warmupMillis, coldCpuMicros };
  } finally {
    clearTimeout(timer);
    await server.close();
  }
}

/** From `t0` to the later of the exporter's own end and the last arrival, all on the hrtime clock. */
function elapsedMillis(t0: string, exporterEnd: string, lastArrival: bigint): number {
  const end = BigInt(exporterEnd) > lastArrival ? BigInt(exporterEnd) : lastArrival;
  return Number(end - BigInt(t0)) / 1e6;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const count = (n: number): string => Math.round(n).toLocaleString('en-US');
export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function table(rows: readonly string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

export interface Summary {
  readonly perSecond: number;
  readonly coldPerSecond: number;
  readonly millis: number;
  readonly peakRss: number;
  readonly heapGrowth: number;
  readonly peakHeapUsed: number;
  readonly maxRssLifetime: number;
}

export function summarise(runs: readonly RunResult[]): Summary {
  return {
    perSecond: median(runs.map((r) => (r.done.spans * 1000) / r.millis)),
    coldPerSecond: median(runs.map((r) => (WARMUP_SPANS * 1000) / r.warmupMillis)),
    millis: median(runs.map((r) => r.millis)),
    peakRss: median(runs.map((r) => r.done.peakRss)),
    heapGrowth: median(runs.map((r) => r.done.peakHeapUsed - r.done.baselineHeapUsed)),
    peakHeapUsed: median(runs.map((r) => r.done.peakHeapUsed)),
    maxRssLifetime: median(runs.map((r) => r.done.maxRssLifetime)),
  };
}

/** Problems with what arrived: missing spans or events, failed exports, malformed requests. */
export function deliveryProblems(r: RunResult): string[] {
  const problems: string[] = [];
  const c = r.received;
  if (r.done.failedExports > 0) problems.push(`${r.done.failedExports} export call(s) failed (${r.done.firstError ?? ''})`);
  if (c.observationIds.size !== r.done.spans) problems.push(`${c.observationIds.size} of ${r.done.spans} spans arrived`);
  if (c.events < r.done.expectedEvents) problems.push(`${c.events} of ${r.done.expectedEvents} expected events arrived`);
  if (c.malformed > 0) problems.push(`${c.malformed} malformed request(s)`);
  if (r.arrival === 'timeout') problems.push('timed out waiting for events');
  return problems;
}

/**
 * `rounds` interleaved rounds of every candidate (the order alternates per round), so a machine
 * whose speed drifts between rounds moves all candidates alike.
 */
export async function runRounds(candidates: readonly CandidateKey[], rounds: number): Promise<Map<CandidateKey, RunResult[]>> {
  const runs = new Map<CandidateKey, RunResult[]>(candidates.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? candidates : [...candidates].reverse();
    for (const which of order) runs.get(which)!.push(await runOnce(which));
  }
  return runs;
}

/** `0.91x-1.32x`. */
export const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(2)}x-${Math.max(...values).toFixed(2)}x`;
