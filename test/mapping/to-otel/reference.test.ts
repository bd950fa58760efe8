/**
 * The reverse mapping against its frozen reference (test/helpers/reverse-reference/, the code
 * before it was made faster): on generated inputs of every kind, in every dialect and hygiene
 * setting, the same spans (every field, attribute order included) and the same issues in the
 * same order, whole (ingestionToSpans) and streamed in chunks with small idle windows (late events).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { MappingIssue } from '../../../src/mapping/result.js';
import { ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import { toReadableSpan } from '../../../src/mapping/span-record.js';
import { IngestionRecordStream, IngestionSpanStream } from '../../../src/mapping/to-otel/stream.js';
import type { IngestionStreamOptions } from '../../../src/mapping/to-otel/stream.js';
import { ingestionToSpans as referenceToSpans } from '../../helpers/reverse-reference/index.js';
import { IngestionSpanStream as ReferenceStream } from '../../helpers/reverse-reference/stream.js';
import { exactSpanView, RECORDED_EVENTS, reverseInputArb, reverseOptionsArb } from '../../helpers/reverse-events.js';

interface Streamish {
  push(events: readonly unknown[]): { value: ReadableSpan[]; issues: readonly MappingIssue[] };
  flush(): { value: ReadableSpan[]; issues: readonly MappingIssue[] };
  end(): { value: ReadableSpan[]; issues: readonly MappingIssue[] };
}

/** Every span and issue a stream gives, call by call. */
function streamed(stream: Streamish, events: readonly unknown[], chunks: readonly number[], flushAt: number): string[] {
  const out: string[] = [];
  const record = (r: { value: ReadableSpan[]; issues: readonly MappingIssue[] }, call: string): void => {
    out.push(call, ...r.value.map(exactSpanView), ...r.issues.map((i) => JSON.stringify(i)));
  };
  for (let at = 0, c = 0; at < events.length; c++) {
    const size = Math.max(1, chunks[c % chunks.length] ?? 1);
    record(stream.push(events.slice(at, at + size)), `push ${c}`);
    at += size;
    if (c === flushAt) record(stream.flush(), 'flush');
  }
  record(stream.end(), 'end');
  record(stream.push(events.slice(0, 1)), 'after end');
  return out;
}

/** Each event as JSON.parse gives it back (what convert reads); events JSON cannot write are left out. */
function asParsedJson(events: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const event of events) {
    try {
      const text = JSON.stringify(event);
      if (text !== undefined) out.push(JSON.parse(text));
    } catch {
      // a bigint or a cycle: not something a JSON line holds
    }
  }
  return out;
}

/** The record stream of convert (events taken as JSON.parse made them), seen as spans. */
class JsonRecordStream implements Streamish {
  private readonly _records: IngestionRecordStream;
  constructor(options: IngestionStreamOptions) {
    this._records = new IngestionRecordStream(options, true);
  }
  push(events: readonly unknown[]) {
    const r = this._records.push(events);
    return { value: r.value.map(toReadableSpan), issues: r.issues };
  }
  flush() {
    const r = this._records.flush();
    return { value: r.value.map(toReadableSpan), issues: r.issues };
  }
  end() {
    const r = this._records.end();
    return { value: r.value.map(toReadableSpan), issues: r.issues };
  }
}

describe('the reverse mapping equals its reference', () => {
  test('recorded batches and the forward mapping of every recorded dialect, in every dialect', () => {
    for (const events of RECORDED_EVENTS) {
      for (const attributes of ['langfuse', 'genai', 'both'] as const) {
        const ours = ingestionToSpans(events, { attributes });
        const reference = referenceToSpans(events, { attributes });
        expect(ours.value.map(exactSpanView)).toEqual(reference.value.map(exactSpanView));
        expect(ours.issues).toEqual(reference.issues);
      }
    }
  });

  test('property: ingestionToSpans gives the same spans and issues as the reference', () => {
    fc.assert(
      fc.property(reverseInputArb, reverseOptionsArb, (events, options) => {
        const ours = ingestionToSpans(events, options);
        const reference = referenceToSpans(events, options);
        expect(ours.value.map(exactSpanView)).toEqual(reference.value.map(exactSpanView));
        expect(ours.issues).toEqual(reference.issues);
      }),
      { numRuns: 400 },
    );
  });

  test('property: IngestionSpanStream gives the same spans and issues, call by call, as the reference', () => {
    fc.assert(
      fc.property(
        reverseInputArb,
        reverseOptionsArb,
        fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: -1, max: 6 }),
        (events, options, idleEvents, chunks, flushAt) => {
          const streamOptions: IngestionStreamOptions = idleEvents === undefined ? options : { ...options, idleEvents };
          const ours = streamed(new IngestionSpanStream(streamOptions), events, chunks, flushAt);
          const reference = streamed(new ReferenceStream(streamOptions), events, chunks, flushAt);
          expect(ours).toEqual(reference);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: convert\'s record stream, on events as JSON.parse makes them (kept, not copied), gives what the reference gives', () => {
    fc.assert(
      fc.property(
        reverseInputArb.map(asParsedJson),
        reverseOptionsArb,
        fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        (events, options, idleEvents, chunks) => {
          const streamOptions: IngestionStreamOptions = idleEvents === undefined ? options : { ...options, idleEvents };
          const reference = streamed(new ReferenceStream(streamOptions), events, chunks, -1);
          const ours = streamed(new JsonRecordStream(streamOptions), events, chunks, -1);
          expect(ours).toEqual(reference);
        },
      ),
      { numRuns: 300 },
    );
  });
});
