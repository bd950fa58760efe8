/**
 * Exporter benchmark, ingestion protocol: the same 10,000 recorded Vercel AI SDK spans
 * (examples/spans/ai-sdk.json, replicated with fresh ids) exported to a loopback fake Langfuse by
 * `langfuse-vercel`'s `LangfuseExporter` and by our `LangfuseSpanExporter` with protocol
 * 'ingestion' (the built package), both with their default options otherwise. Targets: ours at
 * least 5x theirs in spans/s delivered, and a peak RSS no higher. Runs: bench/exporter-runs.ts.
 * Candidates run in 5 interleaved rounds; the table shows medians, and the speed ratio is the
 * median of the rounds' paired ratios (theirs and ours timed seconds apart), which a machine whose
 * speed drifts between rounds moves least.
 */
import { BATCH, SPANS, WARMUP_SPANS } from './exporter-protocol.js';
import type { CandidateKey } from './exporter-protocol.js';
import { count, deliveryProblems, median, mib, oursLoadedFrom, range, runRounds, summarise, table } from './exporter-runs.js';

const LABELS: Partial<Record<CandidateKey, string>> = {
  'langfuse-vercel': 'langfuse-vercel LangfuseExporter 3.39.2',
  'ours-ingestion': "otel-langfuse-bridge LangfuseSpanExporter (protocol 'ingestion')",
  floor: 'floor (bench/floor.ts FloorExporter)',
};
const CANDIDATES: readonly CandidateKey[] = ['langfuse-vercel', 'ours-ingestion', 'floor'];

const SPEED_TARGET = 5;

/**
 * Runs `rounds` interleaved rounds (the order alternates per round), prints the tables and returns
 * whether both targets were met.
 */
export async function runExporterBench(rounds = 5): Promise<boolean> {
  const runs = await runRounds(CANDIDATES, rounds);
  const theirs = summarise(runs.get('langfuse-vercel')!);
  const ours = summarise(runs.get('ours-ingestion')!);
  const floor = summarise(runs.get('floor')!);
  // Paired per round (both ran within seconds of each other), so a machine that slows down or
  // speeds up between rounds moves both sides of a ratio alike.
  const pairedRatios = (which: CandidateKey): number[] =>
    runs.get(which)!.map((r, i) => runs.get('langfuse-vercel')![i]!.millis / r.millis);
  const roundRatios = pairedRatios('ours-ingestion');
  const floorRatios = pairedRatios('floor');
  const ratio = median(roundRatios);

  console.log(
    `\nExporter, ${count(SPANS)} recorded AI SDK spans in export() calls of ${BATCH}, to a loopback fake Langfuse, ` +
      `each run in a fresh process after a ${count(WARMUP_SPANS)}-span warm-up`,
  );
  console.log(`(${oursLoadedFrom()}; median of ${rounds} interleaved rounds; time from the first export() to the last event received by the server)\n`);
  table([
    ['exporter', 'spans/s delivered', 'time', 'peak RSS', 'peak heapUsed', 'heap growth', 'cold: first spans/s', 'max RSS (process life)'],
    ...(
      [
        ['langfuse-vercel', theirs],
        ['ours-ingestion', ours],
        ['floor', floor],
      ] as const
    ).map(([key, s]) => [
      LABELS[key] ?? key,
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
