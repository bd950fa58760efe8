/**
 * Splits one export's spans into parts of whole traces, so that the exporter can map a part while
 * the requests of the parts before it are in flight. A trace is never split: the mapping builds
 * each trace's trace-create from all of the trace's spans it is given.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { apart } from '../mapping/apart.js';

/**
 * Spans per part of an export: an export of more spans is mapped and sent in parts of whole
 * traces, each part's request going out while the next part is mapped, so waiting for Langfuse
 * overlaps with work instead of following it.
 */
export const SPANS_PER_PART = 128;
/**
 * Least spans in the last two parts of such an export, the last first (whole traces; the other
 * parts share the rest): each shrinking part is mapped while the server reads the one before, and
 * the export ends waiting only for the answer to the small last request.
 */
export const LAST_PARTS_SPANS: readonly number[] = [32, 96];

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
 * trace, at most as many parts as `spansPerPart` gives (fewer where large traces fill them).
 * `lastParts` shapes the end: the last part is the last traces holding at least
 * `lastParts[0]` spans, the part before it the traces before those holding at least
 * `lastParts[1]`, and so on; the other parts share the rest evenly. Shrinking parts let the
 * server read each request while the next, smaller one is mapped, so the export waits at the end
 * only for the answer to a small request. `spans.length <= spansPerPart` gives one part holding
 * `spans` as they are.
 */
export function partsByTrace(spans: readonly ReadableSpan[], spansPerPart: number, lastParts: readonly number[] = []): ReadableSpan[][] {
  if (spans.length <= spansPerPart) return [[...spans]];
  // byTrace and concat apart (see apart.ts): compiled once on their own, not again inside this function.
  const traces = apart(byTrace, spans);
  const partCount = Math.ceil(spans.length / spansPerPart);
  // From the end: each of `lastParts` takes traces until it holds enough; the first trace stays.
  const tail: ReadableSpan[][] = [];
  let end = traces.length;
  let tailSpans = 0;
  for (let p = 0; p < lastParts.length; p++) {
    if (tail.length === partCount - 1 || end === 1) break;
    const wanted = lastParts[p] as number;
    let start = end;
    let size = 0;
    while (start > 1 && size < wanted) size += (traces[--start] as ReadableSpan[]).length;
    if (start === end) break;
    tail.unshift(apart(concat, traces, start, end));
    end = start;
    tailSpans += size;
  }
  const perPart = Math.ceil((spans.length - tailSpans) / (partCount - tail.length));
  const parts: ReadableSpan[][] = [];
  let current: ReadableSpan[] = [];
  for (let t = 0; t < end; t++) {
    const members = traces[t] as ReadableSpan[];
    for (let i = 0; i < members.length; i++) current.push(members[i] as ReadableSpan);
    if (current.length >= perPart) {
      parts.push(current);
      current = [];
    }
  }
  if (current.length > 0) parts.push(current);
  for (let i = 0; i < tail.length; i++) parts.push(tail[i] as ReadableSpan[]);
  return parts;
}

/** The spans of each trace, traces in the order they first appear. */
function byTrace(spans: readonly ReadableSpan[]): ReadableSpan[][] {
  const byId = new Map<string, ReadableSpan[]>();
  const traces: ReadableSpan[][] = [];
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as ReadableSpan;
    const id = traceIdOf(span);
    const members = byId.get(id);
    if (members !== undefined) members.push(span);
    else {
      const list = [span];
      byId.set(id, list);
      traces.push(list);
    }
  }
  return traces;
}

/** The spans of `traces[start]` to `traces[end - 1]`, in one list. */
function concat(traces: readonly ReadableSpan[][], start: number, end: number): ReadableSpan[] {
  const out: ReadableSpan[] = [];
  for (let t = start; t < end; t++) {
    const members = traces[t] as ReadableSpan[];
    for (let i = 0; i < members.length; i++) out.push(members[i] as ReadableSpan);
  }
  return out;
}
