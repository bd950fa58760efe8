/**
 * The spool's options with their defaults, checked once at open: a bad value is a bug in the
 * caller's code and fails loudly (style.md §3, Configuration).
 */
import { ConfigurationError } from '../../config/errors.js';
import type { SpoolFs } from './spool-fs.js';
import { NODE_FS } from './spool-fs.js';
import type { SpoolOptions } from './types.js';

/** A new segment file once the active one holds 16 MiB. */
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
/** Keys are remembered 10 minutes. */
export const DEFAULT_DEDUPE_WINDOW_MILLIS = 10 * 60 * 1000;
/** At most 1,000,000 keys remembered (about 11 to 23 MB of hash tables). */
export const DEFAULT_MAX_DEDUPE_IDS = 1_000_000;
/** Up to 32 MiB of bodies the consumer has not read are kept in memory. */
export const DEFAULT_READ_AHEAD_BYTES = 32 * 1024 * 1024;

export interface ResolvedOptions {
  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly dedupeWindowMillis: number;
  readonly maxDedupeIds: number;
  readonly readAheadBytes: number;
  readonly now: () => number;
  readonly fs: SpoolFs;
}

function check(name: string, value: number | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigurationError(`Configuration: spool ${name} must be an integer >= ${min} (actual: ${String(value)})`);
  }
  return value;
}

export function resolveOptions(options: SpoolOptions): ResolvedOptions {
  if (typeof options.dir !== 'string' || options.dir === '') throw new ConfigurationError('Configuration: spool dir must be a directory path');
  return {
    dir: options.dir,
    maxBytes: check('maxBytes', options.maxBytes ?? Number.NaN, 1, 0),
    segmentBytes: check('segmentBytes', options.segmentBytes, 1, DEFAULT_SEGMENT_BYTES),
    dedupeWindowMillis: check('dedupeWindowMillis', options.dedupeWindowMillis, 1, DEFAULT_DEDUPE_WINDOW_MILLIS),
    maxDedupeIds: check('maxDedupeIds', options.maxDedupeIds, 1, DEFAULT_MAX_DEDUPE_IDS),
    readAheadBytes: check('readAheadBytes', options.readAheadBytes, 0, DEFAULT_READ_AHEAD_BYTES),
    now: options.now ?? Date.now,
    fs: options.fs ?? NODE_FS,
  };
}
