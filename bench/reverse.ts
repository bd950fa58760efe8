/**
 * Reverse mapping benchmark: ingestionToSpans vs the stock OTLP protobuf serializer
 * (@opentelemetry/otlp-transformer ProtobufTraceSerializer) on the spans it produced, per recorded
 * batch, each replicated to at least 100,000 events. Target: the mapping at least 3x the
 * serializer's spans/s. Also reports the heap the mapping of the 100k-event input costs.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { IngestionSpanStream, ingestionToSpans } from 'otel-langfuse-bridge/mapping';
import { reverseFloor } from './floor.js';
import { formatRate } from './measure.js';
import { replicateEvents } from '../test/helpers/replicate.js';

/** The recorded batches: the seed (litellm, 2 events) and a langfuse-js v3 batch (11 events). */
export const BATCHES = [
  { name: 'seed (litellm)', file: 'litellm-batch.json' },
  { name: 'langfuse v3', file: 'batches-langfuse-v3.json' },
] as const;

export const MIN_EVENTS = 100_000;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The events of a recorded request body (`{ batch }`) or of an array of them, in order. */
function loadEvents(file: string): Json[] {
  const url = new URL(`../test/fixtures/batches/${file}`, import.meta.url);
  const raw: unknown = JSON.parse(readFileSync(url, 'utf8'));
  const requests = Array.isArray(raw) ? raw : [raw];
  return requests.flatMap((r) => (isObject(r) && Array.isArray(r.batch) ? (r.batch as Json[]) : []));
}

/** `global.gc`, exposed at run time (the bench script runs without --expose-gc); undefined if refused. */
function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function millis(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Pass {
  readonly name: string;
  /** One full pass over the input. */
  readonly work: () => unknown;
}

/**
 * Interleaved rounds of exactly one pass per candidate (the inputs are far above timer noise), a
 * collection before each pass so neither pays for the other's garbage. `times` holds the rounds
 * already run (milliseconds per pass, per candidate); rounds go on while the next one is projected
 * to fit in `budgetMillis` (counted from `begin`), up to `maxRounds`. Returns passes per second
 * (median round) per candidate and the number of rounds.
 */
function budgetedCompare(
  passes: readonly Pass[],
  times: number[][],
  gc: (() => void) | undefined,
  begin: bigint,
  budgetMillis: number,
  maxRounds: number,
): { perSecond: number[]; rounds: number } {
  let rounds = times[0]!.length;
  let last = millis(begin);
  while (rounds < maxRounds && millis(begin) + last <= budgetMillis) {
    const roundStart = process.hrtime.bigint();
    passes.forEach((p, i) => {
      gc?.();
      const t = process.hrtime.bigint();
      p.work();
      times[i]!.push(millis(t));
    });
    rounds++;
    last = millis(roundStart);
  }
  return { perSecond: times.map((t) => 1000 / median(t)), rounds };
}

interface MemoryFigures {
  /** Growth of the process's peak RSS during the call (0 if an earlier peak was higher). */
  readonly peakRss: number;
  /** heapUsed right after the call, before any collection: a lower bound of the peak. */
  readonly afterCall: number;
  /** Heap still held once collected, with the result alive: the output spans and issues. */
  readonly retained: number;
}

/**
 * Maps `events` once, measuring the heap around the call (forced collections when `gc` is given)
 * and the call's duration.
 */
function mapMeasured(
  events: readonly Json[],
  gc: (() => void) | undefined,
): { spans: ReadableSpan[]; memory: MemoryFigures; millis: number } {
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const start = process.hrtime.bigint();
  const result = ingestionToSpans(events);
  const took = millis(start);
  const afterCall = process.memoryUsage().heapUsed - heapBefore;
  const peakRss = process.resourceUsage().maxRSS * 1024 - rssBefore;
  gc?.();
  const retained = process.memoryUsage().heapUsed - heapBefore;
  if (result.issues.length > 0) throw new Error(`bench input has issues: ${JSON.stringify(result.issues[0])}`);
  return { spans: result.value, memory: { peakRss, afterCall, retained }, millis: took };
}

function table(rows: readonly string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * Prints the reverse table and the memory figures; returns the worst mapping/serializer ratio.
 * Per batch: a warm-up on the first 1,000 events, then a first round whose mapping pass also gives
 * the serializer's spans and the memory figures, then more rounds while they fit in `budgetMillis`.
 */
export function runReverse(budgetMillis = 10_000, maxRounds = 5): number {
  const gc = exposeGc();
  const rows: string[][] = [
    ['batch', 'events', 'spans', 'ingestionToSpans', '(spans)', 'floor', 'OTLP protobuf serializer', 'ratio', 'floor ratio', 'rounds'],
  ];
  const mem: string[][] = [['batch', 'events', 'spans', 'peak RSS growth', 'heap right after call', 'heap retained', 'retained/span']];
  let worst = Infinity;
  for (const batch of BATCHES) {
    const seed = loadEvents(batch.file);
    const events = replicateEvents(seed, Math.ceil(MIN_EVENTS / seed.length));
    for (let i = 0; i < 3; i++) ProtobufTraceSerializer.serializeRequest(ingestionToSpans(events.slice(0, 1_000)).value);

    const begin = process.hrtime.bigint();
    const first = mapMeasured(events, gc);
    const { spans, memory } = first;
    gc?.();
    const t = process.hrtime.bigint();
    ProtobufTraceSerializer.serializeRequest(spans);
    const serializerMillis = millis(t);
    gc?.();
    const f = process.hrtime.bigint();
    reverseFloor(events);
    const times = [[first.millis], [serializerMillis], [millis(f)]];
    const { perSecond, rounds } = budgetedCompare(
      [
        { name: 'ingestionToSpans', work: () => ingestionToSpans(events) },
        { name: 'ProtobufTraceSerializer', work: () => ProtobufTraceSerializer.serializeRequest(spans) },
        { name: 'floor', work: () => reverseFloor(events) },
      ],
      times,
      gc,
      begin,
      budgetMillis,
      maxRounds,
    );
    const mappingSpans = perSecond[0]! * spans.length;
    const serializerSpans = perSecond[1]! * spans.length;
    const ratio = mappingSpans / serializerSpans;
    // The floor makes one span per event: its rate in the mapping's spans is events/s scaled.
    const floorSpans = perSecond[2]! * spans.length;
    worst = Math.min(worst, ratio);
    rows.push([
      batch.name,
      count(events.length),
      count(spans.length),
      `${formatRate(perSecond[0]! * events.length)} events`,
      `${formatRate(mappingSpans)} spans`,
      `${formatRate(floorSpans)} spans`,
      `${formatRate(serializerSpans)} spans`,
      `${ratio.toFixed(2)}x`,
      `${(floorSpans / serializerSpans).toFixed(2)}x`,
      String(rounds),
    ]);
    mem.push([
      batch.name,
      count(events.length),
      count(spans.length),
      memory.peakRss > 0 ? mib(memory.peakRss) : 'n/a (under an earlier peak)',
      mib(memory.afterCall),
      mib(memory.retained),
      `${count(Math.round(memory.retained / spans.length))} B`,
    ]);
  }
  console.log(`\nReverse mapping, recorded batches replicated to >= ${count(MIN_EVENTS)} events, one pass per round`);
  console.log(`(median of interleaved rounds, GC before each pass${gc ? '' : ' unavailable'})\n`);
  table(rows);
  console.log(`\nworst ratio ${worst.toFixed(2)}x spans/s (target >= 3x): ${worst >= 3 ? 'met' : 'NOT met'}`);
  console.log('floor: each event schema-checked, its fields written as attributes, times parsed, ids derived; no merge, roots or twins (bench/floor.ts)');
  console.log(
    `\nReverse mapping memory, first call on each input (input excluded; heapUsed deltas${gc ? ' after a forced GC' : ', no GC available'}, peak RSS from process.resourceUsage)\n`,
  );
  table(mem);
  runStreaming(gc);
  return worst;
}

const STREAM_CHUNK = 1_000;
const STREAM_WINDOW = 1_000;
const STREAM_SAMPLE_EVERY = 10;

/**
 * The same inputs through IngestionSpanStream, one request of 1,000 events at a time (JSON text,
 * parsed per push), each push's spans serialised with the protobuf serializer and dropped (what a
 * forwarding receiver does), at 1x and 2x the input length. The live heap (after a forced collection every 10 pushes) and the
 * events held open must stay flat while the input grows.
 */
function runStreaming(gc: (() => void) | undefined): void {
  const rows: string[][] = [['batch', 'events', 'spans', 'parse + stream + serialise', 'peak open events', 'peak live heap growth']];
  for (const batch of BATCHES) {
    const seed = loadEvents(batch.file);
    for (const factor of [1, 2]) {
      // The input as the JSON bodies of requests, as a receiver gets them: parsed one at a time.
      const replicated = replicateEvents(seed, Math.ceil((MIN_EVENTS * factor) / seed.length));
      const requests: string[] = [];
      for (let at = 0; at < replicated.length; at += STREAM_CHUNK) requests.push(JSON.stringify(replicated.slice(at, at + STREAM_CHUNK)));
      const eventCount = replicated.length;
      replicated.length = 0;
      gc?.();
      gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const stream = new IngestionSpanStream({ idleEvents: STREAM_WINDOW });
      let spans = 0;
      let peakOpen = 0;
      let peakHeap = 0;
      let issues = 0;
      let busy = 0;
      for (let n = 0; n <= requests.length; n++) {
        const t = process.hrtime.bigint();
        const r = n < requests.length ? stream.push(JSON.parse(requests[n]!) as unknown[]) : stream.end();
        ProtobufTraceSerializer.serializeRequest(r.value);
        busy += millis(t);
        spans += r.value.length;
        issues += r.issues.length;
        peakOpen = Math.max(peakOpen, stream.openEvents);
        if (gc && (n % STREAM_SAMPLE_EVERY === 0 || n === requests.length)) {
          gc();
          peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - heapBefore);
        }
      }
      if (issues > 0) throw new Error(`streamed bench input raised ${issues} issues`);
      rows.push([
        batch.name,
        count(eventCount),
        count(spans),
        `${formatRate((eventCount * 1000) / busy)} events`,
        count(peakOpen),
        gc ? mib(Math.max(0, peakHeap)) : 'n/a (no GC)',
      ]);
    }
  }
  console.log(
    `\nReverse mapping as a stream (IngestionSpanStream, idleEvents ${count(STREAM_WINDOW)}, pushes of ${count(STREAM_CHUNK)} events, each push's spans serialised and dropped)\n`,
  );
  table(rows);
}
