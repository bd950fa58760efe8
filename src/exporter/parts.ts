/**
 * Splits one export's spans into parts of whole traces, so that the exporter can map a part while
 * the requests of the parts before it are in flight. A trace is never split: the mapping builds
 * each trace's trace-create from all of the trace's spans it is given.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The span's trace id, or '' when its context cannot be read (the mapping then reports it). */
function traceIdOf(span: ReadableSpan): string {
  try {
    return span.spanContext().traceId;
  } catch {
    return '';
  }
}

/**
 * Parts of at least `spansPerPart` spans (the last one may be smaller, a single trace may be
 * larger), traces in the order they first appear, spans in their order within each trace.
 * `spans.length <= spansPerPart` gives one part holding `spans` as they are.
 */
export function partsByTrace(spans: readonly ReadableSpan[], spansPerPart: number): ReadableSpan[][] {
  if (spans.length <= spansPerPart) return [[...spans]];
  const traces = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const id = traceIdOf(span);
    const members = traces.get(id);
    if (members === undefined) traces.set(id, [span]);
    else members.push(span);
  }
  const parts: ReadableSpan[][] = [];
  let current: ReadableSpan[] = [];
  for (const members of traces.values()) {
    for (const span of members) current.push(span);
    if (current.length >= spansPerPart) {
      parts.push(current);
      current = [];
    }
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
