export type { IssueCode, MappingIssue, MappingResult } from './result.js';
export {
  compareHrTime,
  hrTimeToIso,
  isoToHrTime,
  parseIso,
} from './time.js';
export {
  envelopeId,
  syntheticRootSpanId,
  toLangfuseObservationId,
  toLangfuseTraceId,
  toOtelSpanId,
  toOtelTraceId,
} from './ids.js';
