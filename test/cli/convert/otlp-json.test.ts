/**
 * convert's OTLP/JSON writer (src/cli/convert/otlp-json.ts, json-request.ts) against the stock
 * `JsonTraceSerializer`: the same bytes for the same spans, on the spans the reverse mapping makes
 * and on generated spans with every kind of value, several resources and scopes, events, links,
 * trace states, remote parents and odd numbers; and the request size it counts is the size of the
 * text it writes.
 */
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { JsonRequestBuilder } from '../../../src/cli/convert/json-request.js';
import { makeReadableSpan } from '../../../src/mapping/readable-span.js';
import { spanRecordOf } from '../../../src/mapping/span-record.js';
import { ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import { recordedRequests } from '../../helpers/spans.js';
import { RESOURCES, spanArb } from '../../helpers/span-arbitrary.js';

function ours(spans: readonly ReadableSpan[]): string {
  const builder = new JsonRequestBuilder();
  for (const span of spans) {
    const record = spanRecordOf(span);
    const expected = builder.bytesWith(record);
    builder.add(record);
    expect(builder.bytes).toBe(expected);
  }
  const expectedBytes = builder.bytes;
  const line = builder.take().bytes;
  expect(line.length - 1).toBe(expectedBytes);
  return line.toString('utf8');
}

function stock(spans: readonly ReadableSpan[]): string {
  return `${Buffer.from(JsonTraceSerializer.serializeRequest([...spans]) as Uint8Array).toString('utf8')}\n`;
}

describe('OTLP/JSON writer', () => {
  test('the reverse mapping of the recorded batches: the stock bytes, alone and together', () => {
    const spans = ['litellm-batch.json', 'batches-langfuse-v3.json', 'batches-langfuse-vercel.json'].flatMap((file) => {
      const requests = recordedRequests(file);
      return ingestionToSpans(requests.flatMap((q) => q.batch as unknown[]), { batchMetadata: requests[0]?.metadata }).value;
    });
    expect(spans.length).toBeGreaterThanOrEqual(10);
    expect(ours(spans)).toBe(stock(spans));
    for (const span of spans) expect(ours([span])).toBe(stock([span]));
  });

  test('generated spans of several resources and scopes: the stock bytes', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { minLength: 1, maxLength: 8 }), (spans) => {
        expect(ours(spans)).toBe(stock(spans));
      }),
      { numRuns: 500 },
    );
  });

  test('a remote parent and scope attributes are written as the stock serializer writes them', () => {
    const base = makeReadableSpan({
      name: 'x',
      kind: 1,
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      startTime: [1, 2],
      endTime: [1, 3],
      attributes: {},
      status: { code: 0 },
      resource: RESOURCES[0]!,
      scope: { name: 's' },
    });
    const remote = { ...base, parentSpanContext: { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: 1, isRemote: true } };
    const scoped = { ...base, instrumentationScope: { name: 's', version: '2', schemaUrl: 'https://x', attributes: { a: 1 } } } as ReadableSpan;
    for (const spans of [[remote], [scoped], [remote, scoped, base]]) expect(ours(spans)).toBe(stock(spans));
  });
});
