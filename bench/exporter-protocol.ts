/** What bench/exporter.ts and its worker process (bench/exporter-worker.ts) share. */

/** `floor`: bench/floor.ts FloorExporter, the least an honest exporter has to do. */
export const CANDIDATES = ['langfuse-vercel', 'ours', 'floor'] as const;
export type CandidateKey = (typeof CANDIDATES)[number];

export const SPANS = 10_000;
/** Enough export calls (16) for V8 to have optimised both exporters' hot paths. */
export const WARMUP_SPANS = 8_000;
export const BATCH = 512;

export interface WarmMessage {
  readonly type: 'warm';
  readonly expectedEvents: number;
  /** process.hrtime.bigint() right before the first warm-up export(). */
  readonly t0: string;
  /** process.hrtime.bigint() when the warm-up's forceFlush() resolved. */
  readonly tFlushed: string;
}

export interface DoneMessage {
  readonly type: 'done';
  readonly spans: number;
  /** One per span plus one trace-create per distinct trace id per export call. */
  readonly expectedEvents: number;
  readonly exportCalls: number;
  /** Export calls whose callback reported anything but SUCCESS. */
  readonly failedExports: number;
  readonly firstError?: string;
  /** process.hrtime.bigint() right before the first export() of the measured phase. */
  readonly t0: string;
  /** process.hrtime.bigint() when shutdown() resolved. */
  readonly tShutdown: string;
  readonly baselineRss: number;
  readonly baselineHeapUsed: number;
  readonly peakRss: number;
  readonly peakHeapUsed: number;
  /** process.resourceUsage().maxRSS in bytes: the lifetime peak, start-up and warm-up included. */
  readonly maxRssLifetime: number;
  readonly samples: number;
}
