import { readFileSync } from 'node:fs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { spanDumpToReadableSpans } from '../../src/mapping/span-dump.js';

export const DIALECTS = ['otel', 'traceloop', 'openinference', 'ai-sdk', 'langfuse-tracing'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** The recorded spans of one real instrumentation (examples/spans, copied from the recordings). */
export function loadExampleSpans(dialect: Dialect): ReadableSpan[] {
  const url = new URL(`../../examples/spans/${dialect}.json`, import.meta.url);
  const result = spanDumpToReadableSpans(JSON.parse(readFileSync(url, 'utf8')));
  if (result.issues.length > 0) throw new Error(`example ${dialect} has issues: ${JSON.stringify(result.issues)}`);
  return result.value;
}
