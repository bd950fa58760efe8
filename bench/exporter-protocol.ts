/** What bench/exporter.ts, bench/exporter-otlp.ts and their worker process (bench/exporter-worker.ts) share. */

/**
 * `floor`: bench/floor.ts FloorExporter, the least an honest ingestion exporter has to do.
 * `langfuse-otel`: `@langfuse/otel`'s LangfuseSpanProcessor (its OTLP/JSON exporter), defaults.
 * `otlp-stock`: the stock `@opentelemetry/exporter-trace-otlp-proto` OTLPTraceExporter pointed at Langfuse.
 * `floor-otlp`: bench/exporter-otlp-floor.ts OtlpFloorExporter, the least a normalising OTLP exporter has to do.
 * `exact-floor-otlp`: bench/exporter-otlp-exact-floor.ts OtlpExactFloorExporter, what ours sends for these spans, by code that knows their dialect only.
 * `checked-floor-otlp`: the same module's OtlpCheckedFloorExporter, the exact floor with the checks of the input that ours makes.
 */
export const CANDIDATES = ['langfuse-vercel', 'ours-ingestion', 'floor', 'langfuse-otel', 'otlp-stock', 'ours-otlp', 'floor-otlp', 'exact-floor-otlp', 'checked-floor-otlp'] as const;
export type CandidateKey = (typeof CANDIDATES)[number];

/** Candidates that post OTLP: one item per span, no trace-creates. */
export const OTLP_CANDIDATES: ReadonlySet<CandidateKey> = new Set(['langfuse-otel', 'otlp-stock', 'ours-otlp', 'floor-otlp', 'exact-floor-otlp', 'checked-floor-otlp']);

/** The built package (`npm run bench` builds it first), which the worker loads our exporter from. */
export const BUILT_PACKAGE = new URL('../dist/index.js', import.meta.url);

export const SPANS = 10_000;
/** The cold phase: a fresh process's first 10,000 spans; also warms the hot paths for the measured phase. */
export const WARMUP_SPANS = 10_000;
export const BATCH = 512;

export interface WarmMessage {
  readonly type: 'warm';
  readonly expectedEvents: number;
  /** process.hrtime.bigint() right before the first warm-up export(). */
  readonly t0: string;
  /** process.hrtime.bigint() when the warm-up's last forceFlush() resolved. */
  readonly tFlushed: string;
  /** CPU time (user + system, all threads of the process) of the cold phase, in microseconds. */
  readonly cpuMicros: number;
}

export interface DoneMessage {
  readonly type: 'done';
  readonly spans: number;
  /** Ingestion: one per span plus one trace-create per distinct trace id per export call. OTLP: one per span. */
  readonly expectedEvents: number;
  readonly exportCalls: number;
  /** Export calls whose callback reported anything but SUCCESS. */
  readonly failedExports: number;
  readonly firstError?: string;
  /** process.hrtime.bigint() right before the first export() of the measured phase. */
  readonly t0: string;
  /** process.hrtime.bigint() when shutdown() resolved. */
  readonly tShutdown: string;
  /** CPU time (user + system, all threads of the process) of the measured phase, in microseconds. */
  readonly cpuMicros: number;
  readonly baselineRss: number;
  readonly baselineHeapUsed: number;
  readonly peakRss: number;
  readonly peakHeapUsed: number;
  /** process.resourceUsage().maxRSS in bytes: the lifetime peak, start-up and warm-up included. */
  readonly maxRssLifetime: number;
  readonly samples: number;
}
