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
 * Parts of whole traces, in the order the traces first appear, spans in their order within each
 * trace: as many parts as `spansPerPart` gives (one more only where a single large trace needs
 * it). With `lastPartSpans`, the last traces holding at least that many spans form the last part
 * and the others share the rest evenly: once the last part is mapped, the export waits only for
 * the answer to a small request. `spans.length <= spansPerPart` gives one part holding `spans` as
 * they are.
 */
export function partsByTrace(spans: readonly ReadableSpan[], spansPerPart: number, lastPartSpans = 0): ReadableSpan[][] {
  if (spans.length <= spansPerPart) return [[...spans]];
  const byId = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const id = traceIdOf(span);
    const members = byId.get(id);
    if (members === undefined) byId.set(id, [span]);
    else members.push(span);
  }
  const traces = [...byId.values()];
  let lastStart = traces.length;
  let lastSize = 0;
  while (lastStart > 1 && lastSize < lastPartSpans) lastSize += (traces[--lastStart] as ReadableSpan[]).length;
  const partCount = Math.ceil(spans.length / spansPerPart);
  const perPart = lastSize === 0 ? spansPerPart : Math.ceil((spans.length - lastSize) / (partCount - 1));
  const parts: ReadableSpan[][] = [];
  let current: ReadableSpan[] = [];
  for (let t = 0; t < lastStart; t++) {
    for (const span of traces[t] as ReadableSpan[]) current.push(span);
    if (current.length >= perPart) {
      parts.push(current);
      current = [];
    }
  }
  if (current.length > 0) parts.push(current);
  if (lastSize > 0) parts.push(traces.slice(lastStart).flat());
  return parts;
}
