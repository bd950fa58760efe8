/**
 * One exporter run of the exporter bench (bench/exporter.ts), in its own process so that the
 * memory figures are the exporter's alone and langfuse-vercel's process-wide Langfuse singleton
 * starts fresh. Started with `fork()` (IPC channel), `--import tsx --expose-gc`, argv
 * `<ours|langfuse-vercel> <baseUrl>`.
 *
 * 1. Warm-up: exports WARMUP_SPANS other spans (ids after the measured ones) the same way,
 *    forceFlush, tells the parent `{ type: 'warm', ... }` and waits for `{ type: 'go' }` (the
 *    parent waits until the server has them all and resets its counters), then drops them.
 * 2. Measured: GC, baseline memory, then `export()` in batches of 512 (the BatchSpanProcessor
 *    default), each awaited as the BatchSpanProcessor awaits one export before the next, then
 *    `shutdown()`. Memory is sampled every 5 ms and once at the end.
 * 3. Sends `{ type: 'done', ... }` with times on the hrtime clock (as decimal strings) and exits.
 */
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BATCH, CANDIDATES, SPANS, WARMUP_SPANS } from './exporter-protocol.js';
import type { CandidateKey, DoneMessage, WarmMessage } from './exporter-protocol.js';
import { replicate } from './spans.js';

const KEYS = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' } as const;

async function createExporter(which: CandidateKey, baseUrl: string): Promise<SpanExporter> {
  if (which === 'floor') {
    const { FloorExporter } = await import('./floor.js');
    return new FloorExporter({ ...KEYS, baseUrl });
  }
  if (which === 'ours') {
    const { LangfuseSpanExporter } = await import('otel-langfuse-bridge');
    return new LangfuseSpanExporter({ ...KEYS, baseUrl });
  }
  // Its defaults (flushAt 15, flushInterval 10 s), as `new LangfuseExporter()` in its README.
  const { LangfuseExporter } = await import('langfuse-vercel');
  return new LangfuseExporter({ ...KEYS, baseUrl });
}

function batches(spans: readonly ReadableSpan[]): ReadableSpan[][] {
  const out: ReadableSpan[][] = [];
  for (let i = 0; i < spans.length; i += BATCH) out.push(spans.slice(i, i + BATCH));
  return out;
}

/** Events an exporter that sends one event per span and one trace-create per trace per call sends. */
function expectedEvents(calls: readonly ReadableSpan[][]): number {
  return calls.reduce((n, call) => n + call.length + new Set(call.map((s) => s.spanContext().traceId)).size, 0);
}

function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
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
  const exporter = await createExporter(which as CandidateKey, baseUrl);

  const tWarm = process.hrtime.bigint();
  for (const call of warmup) await exportOnce(exporter, call);
  await exporter.forceFlush?.();
  const tFlushed = process.hrtime.bigint();
  const go = waitForGo();
  await send({ type: 'warm', expectedEvents: expectedEvents(warmup), t0: tWarm.toString(), tFlushed: tFlushed.toString() });
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
  const t0 = process.hrtime.bigint();
  for (const call of measured) {
    const result = await exportOnce(exporter, call);
    if (result.code !== 0) {
      failedExports++;
      firstError ??= result.error?.message ?? `code ${result.code}`;
    }
  }
  await exporter.shutdown();
  const tShutdown = process.hrtime.bigint();
  sample();
  clearInterval(sampler);

  await send({
    type: 'done',
    spans: SPANS,
    expectedEvents: expectedEvents(measured),
    exportCalls: measured.length,
    failedExports,
    ...(firstError === undefined ? {} : { firstError }),
    t0: t0.toString(),
    tShutdown: tShutdown.toString(),
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
