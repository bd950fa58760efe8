/**
 * The OTLP exporter's cold phase in-process, without a server: a fresh process maps and encodes
 * 10,000 recorded AI SDK spans as `LangfuseSpanExporter` with protocol 'otlp' does (calls of 512,
 * each in parts of whole traces, each part mapped by spansToLangfuseOtlp and encoded by
 * otlpRequests), then 10,000 more (warm). Prints CPU µs/span of both and of the first calls, and
 * the tier-up: the wall time of the first 8 calls against the median call after them (by then V8
 * has optimised the per-span path), and the excess of the first over that median.
 * For finding where cold time goes, not for figures against a baseline (bench/exporter-otlp.ts
 * gives those): `npx tsx bench/exporter-otlp-cold.ts [calls to list] [cold] [map] [exact|checked]`
 * (`cold`: the cold phase alone; `map`: no encoding; `exact`: the exact floor's mapping instead of
 * ours, `checked`: the checked floor's, bench/exporter-otlp-exact-floor.ts), or under
 * `node --import tsx` with V8's flags (`--cpu-prof`, `--trace-opt`, `--trace-turbo-inlining`,
 * `--no-opt`; MARK_PHASES=1 prints a line where each phase starts, to cut their traces by
 * phase). CPU counts every thread of the process,
 * wall only the main one: the difference is mostly V8's optimising compiler (TurboFan) running
 * beside it. `--no-concurrent-recompilation --trace-opt` moves every compile onto the main thread
 * and prints how long each took: their sum from the `--- cold` line on is the compile work of the
 * cold phase (about 130 ms for 10,000 spans at the time of writing, over some eighty-five
 * functions; the exact floor's, about 77 ms over forty); `--print-opt-code` prints the size of
 * each function's optimised code, a steadier measure of the same work (about 170 KB, the exact
 * floor's 110 KB). `--trace-turbo-inlining` tells what each function inlined. `NODE_V8_COVERAGE=dir`
 * counts the calls of every function (JS calls a span: about 250).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { LAST_PARTS_SPANS, partsByTrace, SPANS_PER_PART } from '../src/exporter/parts.js';
import { otlpRequests } from '../src/exporter/otlp-requests.js';
import { spansToLangfuseOtlp } from '../src/mapping/to-langfuse-otlp/index.js';
import { checkedFloorSpans, exactFloorSpans } from './exporter-otlp-exact-floor.js';
import { BATCH, SPANS, WARMUP_SPANS } from './exporter-protocol.js';
import { replicate } from './spans.js';

const MAX_BATCH_BYTES = 3_500_000;

function cpu(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const args = process.argv.slice(3);
/** `map`: the mapping alone, no encoding. */
const encode = !args.includes('map');
/** `exact`: the exact floor's mapping (what ours sends, by code for the AI SDK alone); `checked`: the checked floor's. */
const floor = args.includes('exact') ? exactFloorSpans : args.includes('checked') ? checkedFloorSpans : undefined;

/** One call as the OTLP sender maps and encodes it; the number of spans it sent. */
function exportCall(spans: readonly ReadableSpan[]): number {
  let sent = 0;
  for (const part of partsByTrace(spans, SPANS_PER_PART, LAST_PARTS_SPANS)) {
    const value = floor !== undefined ? { spans: floor(part) } : spansToLangfuseOtlp(part, { legacyTypes: false, maxSpanBytes: 1_000_000 }).value;
    if (!encode) sent += value.spans.length;
    else for (const r of otlpRequests(value.spans, MAX_BATCH_BYTES)) sent += r.ids.length;
  }
  return sent;
}

/** Calls of a phase counted as its tier-up: V8 has optimised the per-span path by then (`--trace-opt`). */
const TIER_UP_CALLS = 8;

interface Phase {
  micros: number;
  wallMicros: number;
  /** CPU µs a span of the first calls (as many as listed). */
  calls: number[];
  /** Wall µs of every call. */
  callWall: number[];
}

function phase(name: string, spans: readonly ReadableSpan[], list: number): Phase {
  // A marker for V8's traces (--trace-opt, --trace-deopt), which go to stdout too.
  // With the monotonic time in µs, the clock of a CPU profile's timestamps (--cpu-prof), to cut it by phase.
  if (process.env.MARK_PHASES) console.log(`--- ${name} ${process.hrtime.bigint() / 1000n}`);
  const calls: number[] = [];
  const callWall: number[] = [];
  const t0 = cpu();
  const w0 = process.hrtime.bigint();
  let sent = 0;
  for (let i = 0; i < spans.length; i += BATCH) {
    const c0 = cpu();
    const cw = process.hrtime.bigint();
    const call = spans.slice(i, i + BATCH);
    sent += exportCall(call);
    callWall.push(Number(process.hrtime.bigint() - cw) / 1000);
    if (calls.length < list) calls.push((cpu() - c0) / call.length);
  }
  const micros = cpu() - t0;
  const wallMicros = Number(process.hrtime.bigint() - w0) / 1000;
  if (sent !== spans.length) throw new Error(`${sent} of ${spans.length} spans sent`);
  return { micros, wallMicros, calls, callWall };
}

/**
 * Wall ms of the first {@link TIER_UP_CALLS} calls, the median wall ms of a call after them, and
 * the excess of the first over that median: what the phase pays before its code is optimised.
 */
function tierUp(p: Phase): string {
  const first = p.callWall.slice(0, TIER_UP_CALLS).reduce((a, b) => a + b, 0) / 1000;
  const rest = p.callWall.slice(TIER_UP_CALLS).sort((a, b) => a - b);
  const steady = (rest[Math.floor(rest.length / 2)] ?? 0) / 1000;
  return `first ${TIER_UP_CALLS} calls ${first.toFixed(1)} ms wall, then ${steady.toFixed(2)} ms a call (excess ${(first - TIER_UP_CALLS * steady).toFixed(1)} ms)`;
}

const list = Number(process.argv[2] ?? 8);
const perCopy = replicate('ai-sdk', 1).length;
const all = replicate('ai-sdk', Math.ceil((SPANS + WARMUP_SPANS) / perCopy));
const cold = phase('cold', all.slice(SPANS, SPANS + WARMUP_SPANS), list);
const warm = args.includes('cold') ? undefined : phase('warm', all.slice(0, SPANS), list);
const line = (p: Phase, spans: number): string =>
  `${(p.micros / spans).toFixed(1)} µs/span CPU, ${(p.wallMicros / spans).toFixed(1)} wall; ${tierUp(p)}; first calls (CPU): ${p.calls.map((c) => c.toFixed(0)).join(' ')}`;
console.log(`cold ${line(cold, WARMUP_SPANS)}`);
if (warm) console.log(`warm ${line(warm, SPANS)}`);
