/**
 * One exporter run of the exporter benches (bench/exporter.ts, bench/exporter-otlp.ts), in its own
 * process so that the memory figures are the exporter's alone, langfuse-vercel's process-wide
 * Langfuse singleton starts fresh, and the first phase is a cold start. Started with `fork()` (IPC
 * channel), `--import tsx --expose-gc`, argv `<candidate> <baseUrl>`.
 *
 * Every candidate is driven as a span processor, as an application registers it: each call of 512
 * spans (the BatchSpanProcessor default) goes through `onEnd()`, then `forceFlush()` is awaited,
 * which exports the call as one batch and waits for its answer, as the BatchSpanProcessor awaits
 * one export before the next. Span exporters run under the stock BatchSpanProcessor,
 * `@langfuse/otel` as its own LangfuseSpanProcessor; both with a batch size above the call size,
 * so the call leaves as one export on `forceFlush()`.
 *
 * 1. Cold: exports the first WARMUP_SPANS spans of the fresh process (ids after the measured
 *    ones), tells the parent `{ type: 'warm', ... }` and waits for `{ type: 'go' }` (the parent
 *    waits until the server has them all and resets its counters), then drops them.
 * 2. Warm, measured: GC, baseline memory, then the SPANS spans call by call, then `shutdown()`.
 *    Memory is sampled every 5 ms and once at the end.
 * 3. Sends `{ type: 'done', ... }` with times on the hrtime clock (as decimal strings) and exits.
 */
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Bridge from 'otel-langfuse-bridge';
import { BATCH, BUILT_PACKAGE, CANDIDATES, OTLP_CANDIDATES, SPANS, WARMUP_SPANS } from './exporter-protocol.js';
import type { CandidateKey, DoneMessage, WarmMessage } from './exporter-protocol.js';
import { replicate } from './spans.js';

const KEYS = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' } as const;
/** Above the call size (512): a call leaves as one export on forceFlush(), which waits for it. */
const BATCH_LIMIT = 2048;

/**
 * The package as users run it: the build in dist/ (`npm run bench` builds it first). Importing
 * 'otel-langfuse-bridge' here would load the TypeScript sources through tsx instead (tsconfig
 * paths), which is not what an application runs. The sources only when nothing is built.
 */
async function loadPackage(): Promise<typeof Bridge> {
  if (existsSync(fileURLToPath(BUILT_PACKAGE))) return (await import(BUILT_PACKAGE.href)) as typeof Bridge;
  return import('otel-langfuse-bridge');
}

async function createExporter(which: CandidateKey, baseUrl: string): Promise<SpanExporter> {
  if (which === 'floor') {
    const { FloorExporter } = await import('./floor.js');
    return new FloorExporter({ ...KEYS, baseUrl });
  }
  if (which === 'exact-floor-otlp' || which === 'checked-floor-otlp') {
    const { OtlpCheckedFloorExporter, OtlpExactFloorExporter } = await import('./exporter-otlp-exact-floor.js');
    return which === 'exact-floor-otlp' ? new OtlpExactFloorExporter({ ...KEYS, baseUrl }) : new OtlpCheckedFloorExporter({ ...KEYS, baseUrl });
  }
  if (which === 'floor-otlp') {
    const { OtlpFloorExporter } = await import('./exporter-otlp-floor.js');
    return new OtlpFloorExporter({ ...KEYS, baseUrl });
  }
  if (which === 'ours-ingestion' || which === 'ours-otlp') {
    const { LangfuseSpanExporter } = await loadPackage();
    return new LangfuseSpanExporter({ ...KEYS, baseUrl, protocol: which === 'ours-otlp' ? 'otlp' : 'ingestion' });
  }
  if (which === 'otlp-stock') {
    // Pointed at Langfuse as its docs say for a custom exporter: the v4 header, Basic auth.
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    const auth = Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64');
    return new OTLPTraceExporter({
      url: `${baseUrl}/api/public/otel/v1/traces`,
      headers: { authorization: `Basic ${auth}`, 'x-langfuse-ingestion-version': '4' },
    });
  }
  // Its defaults (flushAt 15, flushInterval 10 s), as `new LangfuseExporter()` in its README.
  const { LangfuseExporter } = await import('langfuse-vercel');
  return new LangfuseExporter({ ...KEYS, baseUrl });
}

async function createProcessor(which: CandidateKey, baseUrl: string): Promise<SpanProcessor> {
  if (which === 'langfuse-otel') {
    const { LangfuseSpanProcessor } = await import('@langfuse/otel');
    return new LangfuseSpanProcessor({ ...KEYS, baseUrl, flushAt: BATCH_LIMIT });
  }
  return new BatchSpanProcessor(await createExporter(which, baseUrl), { maxExportBatchSize: BATCH_LIMIT, maxQueueSize: BATCH_LIMIT });
}

function batches(spans: readonly ReadableSpan[]): ReadableSpan[][] {
  const out: ReadableSpan[][] = [];
  for (let i = 0; i < spans.length; i += BATCH) out.push(spans.slice(i, i + BATCH));
  return out;
}

/**
 * Items the server counts: one per span over OTLP; over the ingestion endpoint one event per span
 * and one trace-create per trace per call.
 */
function expectedEvents(calls: readonly ReadableSpan[][], otlp: boolean): number {
  return calls.reduce((n, call) => n + call.length + (otlp ? 0 : new Set(call.map((s) => s.spanContext().traceId)).size), 0);
}

/** One call: its spans ended, then a forceFlush that exports them and waits for the answer. */
async function exportOnce(processor: SpanProcessor, spans: readonly ReadableSpan[]): Promise<Error | undefined> {
  for (const span of spans) processor.onEnd(span);
  try {
    await processor.forceFlush();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'go') {
        process.off('message', onMessage);
        resolve();
      }
    };
    process.on('message', onMessage);
  });
}

function send(message: WarmMessage | DoneMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('bench/exporter-worker.ts must be started with fork() (no IPC channel)'));
      return;
    }
    process.send(message, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

async function main(): Promise<void> {
  const [which, baseUrl] = process.argv.slice(2);
  if (!CANDIDATES.includes(which as CandidateKey) || baseUrl === undefined) {
    throw new Error(`usage: exporter-worker.ts <${CANDIDATES.join('|')}> <baseUrl>`);
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  // replicate() numbers ids from 1 in every call, so the first SPANS spans are exactly
  // replicate('ai-sdk', n).slice(0, SPANS); the spans after them (later ids) are the warm-up.
  const perCopy = replicate('ai-sdk', 1).length;
  const all = replicate('ai-sdk', Math.ceil((SPANS + WARMUP_SPANS) / perCopy));
  const measured = batches(all.slice(0, SPANS));
  const warmup = batches(all.slice(SPANS, SPANS + WARMUP_SPANS));
  all.length = 0;
  const otlp = OTLP_CANDIDATES.has(which as CandidateKey);
  const processor = await createProcessor(which as CandidateKey, baseUrl);

  if (process.env.BENCH_MARK) console.log(`--- MARK ${which} ${process.pid} start ${process.hrtime.bigint() / 1000n}`);
  const cpuCold = process.cpuUsage();
  const tWarm = process.hrtime.bigint();
  for (const call of warmup) await exportOnce(processor, call);
  const tFlushed = process.hrtime.bigint();
  const cold = process.cpuUsage(cpuCold);
  // BENCH_MARK=1: a line to cut V8 traces and CPU profiles by phase (times in µs, the profiles' clock).
  if (process.env.BENCH_MARK) console.log(`--- MARK ${which} ${process.pid} cold ${tWarm / 1000n} ${tFlushed / 1000n}`);
  const go = waitForGo();
  await send({ type: 'warm', expectedEvents: expectedEvents(warmup, otlp), t0: tWarm.toString(), tFlushed: tFlushed.toString(), cpuMicros: cold.user + cold.system });
  // The warm-up spans are not part of the measured phase's memory.
  warmup.length = 0;
  await go;

  gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeapUsed = baseline.heapUsed;
  let samples = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    samples++;
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeapUsed) peakHeapUsed = m.heapUsed;
  };
  const sampler = setInterval(sample, 5);

  let failedExports = 0;
  let firstError: string | undefined;
  const cpuWarm = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const call of measured) {
    const error = await exportOnce(processor, call);
    if (error !== undefined) {
      failedExports++;
      firstError ??= error.message;
    }
  }
  await processor.shutdown();
  const tShutdown = process.hrtime.bigint();
  const warm = process.cpuUsage(cpuWarm);
  if (process.env.BENCH_MARK) console.log(`--- MARK ${which} ${process.pid} warm ${t0 / 1000n} ${tShutdown / 1000n}`);
  sample();
  clearInterval(sampler);

  await send({
    type: 'done',
    spans: SPANS,
    expectedEvents: expectedEvents(measured, otlp),
    exportCalls: measured.length,
    failedExports,
    ...(firstError === undefined ? {} : { firstError }),
    t0: t0.toString(),
    tShutdown: tShutdown.toString(),
    cpuMicros: warm.user + warm.system,
    baselineRss: baseline.rss,
    baselineHeapUsed: baseline.heapUsed,
    peakRss,
    peakHeapUsed,
    maxRssLifetime: process.resourceUsage().maxRSS * 1024,
    samples,
  });
  // Nothing else is wanted from this process; do not wait for idle keep-alive sockets.
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
