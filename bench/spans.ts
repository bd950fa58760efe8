/**
 * Benchmark input: the recorded spans of the five real instrumentations (examples/spans),
 * replicated with fresh trace and span ids so every copy is its own trace.
 */
import { readFileSync } from 'node:fs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { spanDumpToReadableSpans } from '../src/mapping/span-dump.js';
import type { SpanDump } from '../src/mapping/span-dump.js';

export const DIALECTS = ['otel', 'traceloop', 'openinference', 'ai-sdk', 'langfuse-tracing'] as const;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** `copies` copies of one dialect's recording, ids rewritten consistently within each copy. */
export function replicate(dialect: string, copies: number): ReadableSpan[] {
  const url = new URL(`../examples/spans/${dialect}.json`, import.meta.url);
  const dump = JSON.parse(readFileSync(url, 'utf8')) as SpanDump[];
  const out: SpanDump[] = [];
  let next = 1;
  for (let c = 0; c < copies; c++) {
    const spanIds = new Map<string, string>();
    const traceIds = new Map<string, string>();
    const spanId = (id: string): string => {
      let v = spanIds.get(id);
      if (v === undefined) spanIds.set(id, (v = hex(next++, 16)));
      return v;
    };
    const traceId = (id: string): string => {
      let v = traceIds.get(id);
      if (v === undefined) traceIds.set(id, (v = hex(c + 1, 16) + id.slice(16)));
      return v;
    };
    for (const span of dump) {
      out.push({
        ...span,
        traceId: traceId(span.traceId),
        spanId: spanId(span.spanId),
        ...(span.parentSpanId === undefined ? {} : { parentSpanId: spanId(span.parentSpanId) }),
      });
    }
  }
  const result = spanDumpToReadableSpans(out);
  if (result.issues.length > 0) throw new Error(`bench input has issues: ${JSON.stringify(result.issues[0])}`);
  return result.value;
}
