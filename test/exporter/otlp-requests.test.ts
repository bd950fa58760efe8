/**
 * src/exporter/otlp-requests.ts: one export's Langfuse spans as OTLP request bodies under the
 * per-request cap, every span once, in order, each body read back by the independent decoder.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { otlpRequests } from '../../src/exporter/otlp-requests.js';
import { spansToLangfuseOtlp } from '../../src/mapping/to-langfuse-otlp/index.js';
import { loadExampleSpans } from '../helpers/examples.js';
import { storedSpans } from '../helpers/fake-langfuse-otlp.js';
import { decodeTraceRequest } from '../helpers/otlp-proto.js';
import { span } from '../mapping/to-ingestion/build.js';

/** Spans with inputs of the given sizes (multi-byte text, so UTF-8 and UTF-16 sizes differ), mapped. */
function spansOfSizes(sizes: readonly number[]): ReadableSpan[] {
  const raw = sizes.map((size, i) =>
    span({ spanId: (i + 1).toString(16).padStart(16, '0'), name: `s${i}`, attributes: { 'gen_ai.request.model': 'm', 'input.value': 'é'.repeat(size) } }),
  );
  return spansToLangfuseOtlp(raw, { maxSpanBytes: 0 }).value.spans;
}

const idsIn = (body: Uint8Array): string[] => storedSpans(decodeTraceRequest(body)).map((s) => String(s.span.spanId));

describe('otlpRequests', () => {
  test('the common case: one request holding every span', () => {
    const spans = spansToLangfuseOtlp(loadExampleSpans('ai-sdk')).value.spans;
    const requests = otlpRequests(spans, 3_500_000);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.ids).toEqual(spans.map((s) => s.spanContext().spanId));
    expect(idsIn(requests[0]!.body)).toEqual(requests[0]?.ids);
  });

  test('property: every request under the cap unless it holds one span; every span once, in order; bodies decode to their ids', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 20_000, max: 400_000 }), (sizes, cap) => {
        const spans = spansOfSizes(sizes);
        const requests = otlpRequests(spans, cap);
        expect(requests.flatMap((r) => r.ids)).toEqual(spans.map((s) => s.spanContext().spanId));
        for (const r of requests) {
          if (r.ids.length > 1) expect(r.body.length).toBeLessThanOrEqual(cap);
          expect(idsIn(r.body)).toEqual(r.ids);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('spans the mapping did not make (no size bound of their own) are measured', () => {
    const spans = loadExampleSpans('openinference');
    const requests = otlpRequests(spans, 20_000);
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.flatMap((r) => r.ids)).toEqual(spans.map((s) => s.spanContext().spanId));
    for (const r of requests) if (r.ids.length > 1) expect(r.body.length).toBeLessThanOrEqual(20_000);
  });

  test('no spans, no requests', () => {
    expect(otlpRequests([], 3_500_000)).toEqual([]);
  });
});
