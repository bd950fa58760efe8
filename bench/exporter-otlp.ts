/**
 * Exporter benchmark, OTLP: the same 10,000 recorded Vercel AI SDK spans to the same loopback fake
 * Langfuse (its OTLP endpoint), in the same run, by `@langfuse/otel`'s LangfuseSpanProcessor (the
 * named baseline: Langfuse's own OTel export, OTLP/JSON, with its span filter and media scan), by
 * the stock `@opentelemetry/exporter-trace-otlp-proto` exporter pointed at Langfuse (no
 * normalisation at all), and by our `LangfuseSpanExporter` with protocol 'otlp' (every dialect
 * normalised into the `langfuse.*` keys) and 'ingestion' (for reference), and by the OTLP floor
 * (bench/exporter-otlp-floor.ts: the least normalisation on our encoder and transport, which
 * tells how much of the target the rules may spend), the exact floor (what ours sends for these
 * spans, by code for their dialect alone) and the checked floor (the exact floor with the checks
 * of the input that ours makes), both in bench/exporter-otlp-exact-floor.ts. Each run is a fresh
 * process: COLD is its first 10,000 spans, WARM the next 10,000 (bench/exporter-runs.ts). Ours is
 * the built package (dist/), as an application loads it; the floor uses internal modules that the
 * package does not export, so it runs from the sources through tsx.
 * Target: ours ('otlp') at least 1x `@langfuse/otel` in both, the median of the rounds' paired
 * ratios. `npx tsx bench/exporter-otlp.ts [rounds]` after `npm run build` runs this section alone.
 */
import { fileURLToPath } from 'node:url';
import { checkExactFloor } from './exporter-otlp-exact-floor.js';
import { BATCH, SPANS, WARMUP_SPANS } from './exporter-protocol.js';
import type { CandidateKey } from './exporter-protocol.js';
import type { RunResult } from './exporter-runs.js';
import { replicate } from './spans.js';
import { count, deliveryProblems, median, mib, oursLoadedFrom, range, runRounds, summarise, table } from './exporter-runs.js';

const CANDIDATES: readonly CandidateKey[] = ['langfuse-otel', 'otlp-stock', 'ours-otlp', 'exact-floor-otlp', 'checked-floor-otlp', 'floor-otlp', 'ours-ingestion'];
const LABELS: Partial<Record<CandidateKey, string>> = {
  'langfuse-otel': '@langfuse/otel 5.11.1 LangfuseSpanProcessor',
  'otlp-stock': 'stock OTLPTraceExporter (proto) 0.223.1',
  'ours-otlp': "LangfuseSpanExporter, protocol 'otlp'",
  'ours-ingestion': "LangfuseSpanExporter, protocol 'ingestion'",
  'floor-otlp': 'floor: least normalisation, our encoder and transport',
  'exact-floor-otlp': 'exact floor: what ours sends, AI SDK rules only',
  'checked-floor-otlp': 'checked floor: the exact floor with our input checks',
};
const BASELINE: CandidateKey = 'langfuse-otel';
const TARGET = 1;

/** Per round, the baseline's time (or `against`'s) over the candidate's: above 1 means the candidate is faster. */
function paired(runs: Map<CandidateKey, RunResult[]>, which: CandidateKey, phase: 'cold' | 'warm', against: CandidateKey = BASELINE): number[] {
  const time = (r: RunResult): number => (phase === 'cold' ? r.warmupMillis : r.millis);
  const base = runs.get(against)!;
  return runs.get(which)!.map((r, i) => time(base[i]!) / time(r));
}

/** Runs the rounds, prints the tables and returns whether the target was met and every span arrived. */
export async function runOtlpExporterBench(rounds = 7, candidates: readonly CandidateKey[] = CANDIDATES): Promise<boolean> {
  if (candidates.includes('exact-floor-otlp') || candidates.includes('checked-floor-otlp')) {
    // The exact floors must send what ours sends, or their figures mean nothing.
    console.log(`exact and checked floors: send what ours sends, span for span (${count(checkExactFloor(replicate('ai-sdk', 60)))} spans compared)`);
  }
  const runs = await runRounds([...new Set([BASELINE, ...candidates])], rounds);
  console.log(
    `\nExporter over OTLP, ${count(SPANS)} recorded AI SDK spans in calls of ${BATCH} (onEnd, then forceFlush awaited), ` +
      `to a loopback fake Langfuse, each run in a fresh process: COLD = its first ${count(WARMUP_SPANS)} spans, WARM = the next ${count(SPANS)}`,
  );
  console.log(`(${oursLoadedFrom()}; median of ${rounds} interleaved rounds; time from the first span handed over to the last span received by the server)\n`);
  const rows = [
    ['exporter', 'cold spans/s', 'warm spans/s', `cold vs ${BASELINE}`, `warm vs ${BASELINE}`, 'CPU µs/span cold', 'CPU µs/span warm', 'peak RSS', 'heap growth'],
  ];
  for (const which of runs.keys()) {
    const s = summarise(runs.get(which)!);
    const cold = paired(runs, which, 'cold');
    const warm = paired(runs, which, 'warm');
    rows.push([
      LABELS[which] ?? which,
      `${count(s.coldPerSecond)}/s`,
      `${count(s.perSecond)}/s`,
      `${median(cold).toFixed(2)}x (${range(cold)})`,
      `${median(warm).toFixed(2)}x (${range(warm)})`,
      (median(runs.get(which)!.map((r) => r.coldCpuMicros)) / WARMUP_SPANS).toFixed(1),
      (median(runs.get(which)!.map((r) => r.done.cpuMicros)) / SPANS).toFixed(1),
      mib(s.peakRss),
      mib(s.heapGrowth),
    ]);
  }
  table(rows);

  let allDelivered = true;
  for (const which of runs.keys()) {
    runs.get(which)!.forEach((r, i) => {
      const problems = deliveryProblems(r);
      if (problems.length === 0) return;
      allDelivered = false;
      console.log(`${which} round ${i + 1}: ${problems.join('; ')}`);
    });
  }
  const detail = [...runs.keys()].map((c) => {
    const r = runs.get(c)![0]!;
    return `${c} ${count(r.received.requests)} requests, ${mib(r.received.bytes)}`;
  });
  console.log(`\nper run (round 1): ${detail.join('; ')}`);
  if (!runs.has('ours-otlp')) return allDelivered;
  const cold = median(paired(runs, 'ours-otlp', 'cold'));
  const warm = median(paired(runs, 'ours-otlp', 'warm'));
  const met = cold >= TARGET && warm >= TARGET;
  console.log(
    `\nspeed: ours ('otlp') / ${BASELINE}: cold ${cold.toFixed(2)}x, warm ${warm.toFixed(2)}x ` +
      `(medians of paired rounds; target >= ${TARGET}x in both): ${met ? 'met' : 'NOT met'}`,
  );
  if (runs.has('checked-floor-otlp')) {
    // The least code that does the work ours must do: where it stands tells what the target asks of that work.
    const floorCold = median(paired(runs, 'checked-floor-otlp', 'cold'));
    const floorWarm = median(paired(runs, 'checked-floor-otlp', 'warm'));
    const oursCold = median(paired(runs, 'ours-otlp', 'cold', 'checked-floor-otlp'));
    const oursWarm = median(paired(runs, 'ours-otlp', 'warm', 'checked-floor-otlp'));
    console.log(
      `checked floor / ${BASELINE}: cold ${floorCold.toFixed(2)}x, warm ${floorWarm.toFixed(2)}x; ` +
        `ours / checked floor: cold ${oursCold.toFixed(2)}x, warm ${oursWarm.toFixed(2)}x`,
    );
  }
  if (!allDelivered) console.log('delivery: NOT every run delivered every span');
  return met && allDelivered;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 7);
  const only = process.argv.slice(3) as CandidateKey[];
  await runOtlpExporterBench(Number.isInteger(rounds) && rounds > 0 ? rounds : 7, only.length > 0 ? only : undefined);
}
