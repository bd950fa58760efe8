/**
 * Exporter benchmark: the same 10,000 recorded Vercel AI SDK spans (examples/spans/ai-sdk.json,
 * replicated with fresh ids) exported to a loopback fake Langfuse by `langfuse-vercel`'s
 * `LangfuseExporter` and by our `LangfuseSpanExporter` (the built package), both with their
 * default options. Targets: ours at least 5x theirs in spans/s delivered, and a peak RSS no higher.
 *
 * Each run is a fresh child process (bench/exporter-worker.ts) holding the exporter and the spans;
 * the fake server (bench/ingestion-server.ts) runs here, in the parent, so its parsing is in
 * neither exporter's memory figures. Time runs from the first `export()` call to the arrival of
 * the last event at the server ("delivered", not "queued"); it also covers `shutdown()` resolving
 * in the child when that comes later. Candidates run in 5 interleaved rounds; the table shows
 * medians, and the speed ratio is the median of the rounds' paired ratios (theirs and ours timed
 * seconds apart), which a machine whose speed drifts between rounds moves least.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BATCH, CANDIDATES, SPANS, WARMUP_SPANS } from './exporter-protocol.js';
import type { CandidateKey, DoneMessage, WarmMessage } from './exporter-protocol.js';
import { startIngestionServer } from './ingestion-server.js';
import type { IngestionCounts } from './ingestion-server.js';

const LABELS: Record<CandidateKey, string> = {
  'langfuse-vercel': 'langfuse-vercel LangfuseExporter 3.39.2',
  ours: 'otel-langfuse-bridge LangfuseSpanExporter',
  floor: 'floor (bench/floor.ts FloorExporter)',
};

const WORKER = fileURLToPath(new URL('./exporter-worker.ts', import.meta.url));
/** Longest a single run may take before it is abandoned. */
const RUN_TIMEOUT_MILLIS = 30_000;
/** After `shutdown()` resolved, how long without any request means nothing more is coming. */
const QUIET_MILLIS = 1_000;

const SPEED_TARGET = 5;

interface RunResult {
  readonly which: CandidateKey;
  readonly done: DoneMessage;
  /** Milliseconds from the first export() to the last event's arrival (or shutdown, if later). */
  readonly millis: number;
  readonly received: IngestionCounts;
  /** How the wait for the server ended. */
  readonly arrival: 'complete' | 'quiet' | 'timeout';
  /** The same for the warm-up phase, in a fresh process: the cold figure. */
  readonly warmupMillis: number;
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
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: childEnv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MILLIS);
  try {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let warmupMillis = NaN;
    const done = await new Promise<DoneMessage>((resolve, reject) => {
      child.on('message', (m: unknown) => {
        if (isMessage<WarmMessage>(m, 'warm')) {
          void server.waitForEvents(m.expectedEvents, QUIET_MILLIS, RUN_TIMEOUT_MILLIS).then(() => {
            warmupMillis = elapsedMillis(m.t0, m.tFlushed, server.counts.lastArrival);
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
    return { which, done, millis: elapsedMillis(done.t0, done.tShutdown, received.lastArrival), received, arrival, warmupMillis };
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function table(rows: readonly string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

interface Summary {
  readonly perSecond: number;
  readonly coldPerSecond: number;
  readonly millis: number;
  readonly peakRss: number;
  readonly heapGrowth: number;
  readonly peakHeapUsed: number;
  readonly maxRssLifetime: number;
}

function summarise(runs: readonly RunResult[]): Summary {
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
function deliveryProblems(r: RunResult): string[] {
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
 * Runs `rounds` interleaved rounds (the order alternates per round), prints the tables and returns
 * whether both targets were met.
 */
export async function runExporterBench(rounds = 5): Promise<boolean> {
  const runs = new Map<CandidateKey, RunResult[]>(CANDIDATES.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? CANDIDATES : [...CANDIDATES].reverse();
    for (const which of order) runs.get(which)!.push(await runOnce(which));
  }
  const theirs = summarise(runs.get('langfuse-vercel')!);
  const ours = summarise(runs.get('ours')!);
  const floor = summarise(runs.get('floor')!);
  // Paired per round (both ran within seconds of each other), so a machine that slows down or
  // speeds up between rounds moves both sides of a ratio alike.
  const pairedRatios = (which: CandidateKey): number[] =>
    runs.get(which)!.map((r, i) => runs.get('langfuse-vercel')![i]!.millis / r.millis);
  const roundRatios = pairedRatios('ours');
  const floorRatios = pairedRatios('floor');
  const ratio = median(roundRatios);
  const range = (values: readonly number[]): string =>
    `${Math.min(...values).toFixed(2)}x-${Math.max(...values).toFixed(2)}x`;

  console.log(
    `\nExporter, ${count(SPANS)} recorded AI SDK spans in export() calls of ${BATCH}, to a loopback fake Langfuse, ` +
      `each run in a fresh process after a ${count(WARMUP_SPANS)}-span warm-up`,
  );
  console.log(`(median of ${rounds} interleaved rounds; time from the first export() to the last event received by the server)\n`);
  table([
    ['exporter', 'spans/s delivered', 'time', 'peak RSS', 'peak heapUsed', 'heap growth', 'cold: first spans/s', 'max RSS (process life)'],
    ...(
      [
        ['langfuse-vercel', theirs],
        ['ours', ours],
        ['floor', floor],
      ] as const
    ).map(([key, s]) => [
      LABELS[key],
      `${count(s.perSecond)}/s`,
      `${count(s.millis)} ms`,
      mib(s.peakRss),
      mib(s.peakHeapUsed),
      mib(s.heapGrowth),
      `${count(s.coldPerSecond)}/s`,
      mib(s.maxRssLifetime),
    ]),
  ]);
  console.log(
    `\npeak RSS, peak heapUsed: sampled every 5 ms (and at the end) in the exporter's own process during the measured phase, ` +
      `input spans included; heap growth: peak heapUsed over heapUsed right before the phase, after a GC; cold: the ` +
      `${count(WARMUP_SPANS)} warm-up spans, the first the process exports; max RSS: getrusage, start-up and warm-up included`,
  );

  console.log('\nWhat the server received, per run (requests, bytes, events by type)\n');
  const detail: string[][] = [['exporter', 'round', 'requests', 'bytes', 'events', 'trace-create', 'span-create', 'generation-create', 'other', 'spans', 'check']];
  let allDelivered = true;
  for (const which of CANDIDATES) {
    runs.get(which)!.forEach((r, i) => {
      const c = r.received;
      const known = ['trace-create', 'span-create', 'generation-create'];
      const other = [...c.byType].filter(([t]) => !known.includes(t));
      const problems = deliveryProblems(r);
      if (problems.length > 0) allDelivered = false;
      detail.push([
        which,
        String(i + 1),
        count(c.requests),
        mib(c.bytes),
        count(c.events),
        count(c.byType.get('trace-create') ?? 0),
        count(c.byType.get('span-create') ?? 0),
        count(c.byType.get('generation-create') ?? 0),
        other.length === 0 ? '0' : other.map(([t, n]) => `${t} ${count(n)}`).join(', '),
        count(c.observationIds.size),
        problems.length === 0 ? `ok (${count(r.done.expectedEvents)} expected)` : problems.join('; '),
      ]);
    });
  }
  table(detail);

  const speedMet = ratio >= SPEED_TARGET;
  const memoryMet = ours.peakRss <= theirs.peakRss;
  console.log(
    `\nspeed: ours/theirs ${ratio.toFixed(2)}x spans/s, median of the ${rounds} rounds' paired ratios ` +
      `(rounds: ${roundRatios.map((x) => `${x.toFixed(2)}x`).join(', ')}; target >= ${SPEED_TARGET}x): ${speedMet ? 'met' : 'NOT met'}`,
  );
  console.log(
    `memory: peak RSS ours ${mib(ours.peakRss)} vs theirs ${mib(theirs.peakRss)} ` +
      `(heap growth ${mib(ours.heapGrowth)} vs ${mib(theirs.heapGrowth)}; ` +
      `target: ours no more than theirs): ${memoryMet ? 'met' : 'NOT met'}`,
  );
  console.log(
    `floor: ${median(floorRatios).toFixed(2)}x theirs (rounds ${range(floorRatios)}): the least an exporter that calls back only once the server ` +
      'answered has to do (copy attributes with JSON payloads parsed, two ISO times, a SHA-256 id; one JSON body and one POST per part, in the parts ours makes, each sent while the next is mapped)',
  );
  if (!allDelivered) console.log('delivery: NOT every run delivered every span (see the check column)');
  return speedMet && memoryMet && allDelivered;
}
