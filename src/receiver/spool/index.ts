export { createSpool } from './create-spool.js';
export {
  DEFAULT_DEDUPE_WINDOW_MILLIS,
  DEFAULT_MAX_DEDUPE_IDS,
  DEFAULT_READ_AHEAD_BYTES,
  DEFAULT_SEGMENT_BYTES,
} from './options.js';
export type { SpoolFile, SpoolFs } from './spool-fs.js';
export { SpoolFullError } from './types.js';
export type { AppendInput, AppendResult, RecordRef, Spool, SpooledRecord, SpoolOptions, SpoolStats } from './types.js';
