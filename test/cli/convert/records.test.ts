/**
 * convert writes the reverse mapping's span records (attributes as lists, never an object) as
 * OTLP/JSON lines and protobuf requests: on generated inputs of every kind and dialect, the bytes
 * the stock serializers write for the `ReadableSpan`s of the public API made of the same events.
 */
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { JsonRequestBuilder } from '../../../src/cli/convert/json-request.js';
import { ProtobufRequestBuilder } from '../../../src/cli/convert/protobuf-request.js';
import { IssueSink } from '../../../src/mapping/result.js';
import { toReadableSpan } from '../../../src/mapping/span-record.js';
import type { SpanRecord } from '../../../src/mapping/span-record.js';
import { createContext, ingestionToSpans, spanRecordsFromMerged } from '../../../src/mapping/to-otel/index.js';
import { mergeEvents } from '../../../src/mapping/to-otel/merge.js';
import { exactSpanView, RECORDED_EVENTS, reverseInputArb, reverseOptionsArb } from '../../helpers/reverse-events.js';

function records(events: readonly unknown[], options: Parameters<typeof createContext>[0]): SpanRecord[] {
  const sink = new IssueSink();
  return spanRecordsFromMerged(mergeEvents(events, sink), createContext(options, sink));
}

function check(events: readonly unknown[], options: Parameters<typeof createContext>[0]): void {
  const spans = records(events, options);
  // The records are the spans of the public API.
  const readable = spans.map(toReadableSpan);
  expect(readable.map(exactSpanView)).toEqual(ingestionToSpans(events, options).value.map(exactSpanView));
  if (spans.length === 0) return;
  const json = new JsonRequestBuilder();
  const proto = new ProtobufRequestBuilder();
  for (const span of spans) {
    json.add(span);
    proto.add(span);
  }
  expect(json.take().bytes.toString('utf8')).toBe(`${Buffer.from(JsonTraceSerializer.serializeRequest(readable) as Uint8Array).toString('utf8')}\n`);
  // The stock protobuf serializer groups scopes by identity: the spans keep their records' scope objects.
  const sharing = readable.map((s, i) => ({ ...s, instrumentationScope: (spans[i] as SpanRecord).scope }) as ReadableSpan);
  expect(Buffer.from(proto.take().body).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(sharing) as Uint8Array))).toBe(true);
}

test('recorded batches and the forward mapping of every recorded dialect: the stock bytes, JSON and protobuf', () => {
  for (const events of RECORDED_EVENTS) for (const attributes of ['langfuse', 'genai', 'both'] as const) check(events, { attributes });
});

test('property: generated inputs in every dialect and hygiene setting: the stock bytes, JSON and protobuf', () => {
  fc.assert(
    fc.property(reverseInputArb, reverseOptionsArb, (events, options) => check(events, options)),
    { numRuns: 300 },
  );
});
