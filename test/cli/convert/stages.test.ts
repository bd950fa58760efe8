/**
 * convert's reading and batching stages on their own: lines under a cap for any chunking, JSON
 * told from protobuf, a protobuf request read in pieces, requests within their bounds (the
 * protobuf bound checked against the stock serializer), and the progress bar on a terminal.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { convert } from '../../../src/cli/convert.js';
import { Batcher } from '../../../src/cli/convert/batches.js';
import { isProtobufInput } from '../../../src/cli/convert/detect.js';
import { JsonRequestBuilder } from '../../../src/cli/convert/json-request.js';
import { lineText, splitLines } from '../../../src/cli/convert/lines.js';
import { readProtobufRequests } from '../../../src/cli/convert/protobuf.js';
import { ProtobufRequestBuilder } from '../../../src/cli/convert/protobuf-request.js';
import { spanRecordOf } from '../../../src/mapping/span-record.js';
import { spansToIngestion } from '../../../src/mapping/to-ingestion/index.js';
import { otlpProtobufToSpans } from '../../../src/otlp/otlp-proto.js';
import { DIALECTS, loadExampleSpans } from '../../helpers/examples.js';
import { encodeWithStockSerializer } from '../../helpers/otlp-proto.js';
import { replicateEvents } from '../../helpers/replicate.js';
import { spanArb } from '../../helpers/span-arbitrary.js';
import { recordedRequests, sortedSpanViews } from '../../helpers/spans.js';

async function* chunksOf(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= at || cut >= bytes.length) continue;
    yield bytes.subarray(at, cut);
    at = cut;
  }
  yield bytes.subarray(at);
}

async function all<T>(groups: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const group of groups) out.push(...group);
  return out;
}

describe('lines', () => {
  test('any text in any chunks: the lines of split("\\n"), a line over the cap as its length only', async () => {
    const lineArb = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constant(''), fc.string({ maxLength: 5 }).map((s) => `${s}\r`));
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 12 }), fc.array(fc.nat(400), { maxLength: 8 }), fc.integer({ min: 1, max: 40 }), async (lines, cuts, cap) => {
        const text = lines.join('\n');
        const got = (await all(splitLines(chunksOf(Buffer.from(text), cuts), cap))).map((l) => ('bytes' in l ? { lineNo: l.lineNo, text: lineText(l) } : l));
        const parts = text === '' ? [] : text.split('\n');
        if (text.endsWith('\n')) parts.pop();
        const expected = parts.map((part, i) => {
          const bytes = Buffer.byteLength(part);
          const clean = part.endsWith('\r') ? part.slice(0, -1) : part;
          return bytes > cap ? { lineNo: i + 1, tooLong: bytes } : { lineNo: i + 1, text: clean };
        });
        expect(got).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('JSON or protobuf', () => {
  const request = Buffer.from(encodeWithStockSerializer(DIALECTS.flatMap((d) => loadExampleSpans(d))));
  const jsonLine = JSON.stringify(recordedRequests('litellm-batch.json')[0]);

  test('protobuf by its leading tags and binary bytes, whatever the name; JSON, cut or not, is never taken for it', () => {
    for (const name of ['-', 'x.log', 'request']) expect(isProtobufInput(name, request)).toBe(true);
    for (let cut = 0; cut < 60; cut++) {
      const text = Buffer.from(`${jsonLine}\n${jsonLine}\n`.slice(cut));
      expect(isProtobufInput('stdin', text)).toBe(false);
    }
    // JSON that starts with a newline and `{` (the bytes a protobuf request may start with) is text.
    expect(isProtobufInput('-', Buffer.from(`\n{\n  "batch": []\n}`))).toBe(false);
    expect(isProtobufInput('x.pb', Buffer.from(jsonLine))).toBe(true);
    expect(isProtobufInput('x.jsonl', request)).toBe(false);
  });

  test('a request read in pieces of at most maxBytes gives the spans of the whole; one that fits comes out byte for byte', async () => {
    const whole = otlpProtobufToSpans(request).value;
    const fits = await all((async function* () {
      for await (const piece of readProtobufRequests(chunksOf(request, [7, 100, 4000]), request.length)) yield [piece];
    })());
    expect(fits).toEqual([{ bytes: request }]);
    for (const maxBytes of [3000, 1200, 600]) {
      const pieces = await all((async function* () {
        for await (const piece of readProtobufRequests(chunksOf(request, [1, 2, 999]), maxBytes)) yield [piece];
      })());
      const spans = pieces.flatMap((p) => ('bytes' in p ? otlpProtobufToSpans(p.bytes).value : []));
      const skipped = pieces.filter((p) => 'issue' in p).length;
      expect(pieces.every((p) => !('bytes' in p) || p.bytes.length <= maxBytes + 600)).toBe(true);
      if (skipped === 0) expect(sortedSpanViews(spans)).toEqual(sortedSpanViews(whole));
      else expect(spans.length + skipped).toBe(whole.length);
      expect(pieces.length).toBeGreaterThan(1);
    }
    // Mapped piece by piece: every observation of the whole, and its traces (a trace cut across
    // pieces gets a trace-create per piece, which Langfuse merges).
    const pieces = await all((async function* () {
      for await (const piece of readProtobufRequests(chunksOf(request, []), 3000)) yield [piece];
    })());
    const events = pieces.flatMap((p) => ('bytes' in p ? spansToIngestion(otlpProtobufToSpans(p.bytes).value).value : []));
    const entities = (list: readonly unknown[], traces: boolean): string[] =>
      [...new Set((list as Array<{ type: string; body: { id: string } }>).filter((e) => (e.type === 'trace-create') === traces).map((e) => `${e.type} ${e.body.id}`))].sort();
    const reference = spansToIngestion(whole).value;
    for (const traces of [true, false]) expect(entities(events, traces)).toEqual(entities(reference, traces));
  });

  test('a truncated request: the pieces before the damage, then one issue', async () => {
    const pieces = await all((async function* () {
      for await (const piece of readProtobufRequests(chunksOf(request.subarray(0, request.length - 10), []), 1000)) yield [piece];
    })());
    expect(pieces.at(-1)).toMatchObject({ issue: expect.stringMatching(/^malformed protobuf: truncated/) });
  });
});

describe('requests within bounds', () => {
  test('a protobuf request is what the stock serializer writes for its spans, and its size is known exactly at every step', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(7), { maxLength: 8 }), (spans, shared) => {
        // Some spans share a scope object (the stock protobuf serializer groups scopes by identity).
        const scoped = spans.map((s, i) => ({ ...s, instrumentationScope: (spans[(shared[i] ?? i) % spans.length] as ReadableSpan).instrumentationScope }) as ReadableSpan);
        const builder = new ProtobufRequestBuilder();
        for (const span of scoped) {
          const expected = builder.bytesWith(spanRecordOf(span));
          builder.add(spanRecordOf(span));
          expect(builder.bytes).toBe(expected);
        }
        const request = builder.take();
        expect(request.spans).toBe(scoped.length);
        expect(Buffer.from(request.body).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(scoped) as Uint8Array))).toBe(true);
        expect(builder.spans).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  test('each OTLP/JSON request within the span and byte bounds (a larger span alone), every span once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(spanArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 200, max: 5000 }), async (spans, maxSpans, maxBytes) => {
        const requests: Array<{ text: string; spans: number }> = [];
        const batcher = new Batcher({ maxSpans, maxBytes }, new JsonRequestBuilder(), async (line, n) => {
          requests.push({ text: line.bytes.toString('utf8'), spans: n });
        });
        const records = spans.map(spanRecordOf);
        await batcher.add(records.slice(0, 10));
        await batcher.add(records.slice(10));
        await batcher.flush();
        for (const r of requests) {
          expect(r.spans).toBeLessThanOrEqual(maxSpans);
          if (r.spans > 1) expect(Buffer.byteLength(r.text) - 1).toBeLessThanOrEqual(maxBytes);
        }
        const ids = requests.flatMap((r) =>
          (JSON.parse(r.text) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ spanId: string }> }> }> }).resourceSpans.flatMap((rs) =>
            rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId)),
          ),
        );
        expect(ids.sort()).toEqual(spans.map((s: ReadableSpan) => s.spanContext().spanId).sort());
        // Each request holds the next spans in order, as the stock serializer writes them (a span
        // measured for a full request and then written into the next one included).
        let from = 0;
        for (const r of requests) {
          const part = spans.slice(from, (from += r.spans));
          expect(r.text).toBe(`${Buffer.from(JsonTraceSerializer.serializeRequest(part) as Uint8Array).toString('utf8')}\n`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('progress on a terminal', () => {
  test('a file of known size: a bar with the bytes read of the total, events, spans, rate and ETA; issues on their own lines; the summary on a clean line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'olb-convert-progress-'));
    const file = join(dir, 'log.jsonl');
    const litellm = recordedRequests('litellm-batch.json');
    const events = replicateEvents(litellm.flatMap((q) => q.batch as Record<string, unknown>[]), 200);
    const lines = [];
    for (let i = 0; i < events.length; i += 2) lines.push(JSON.stringify({ batch: events.slice(i, i + 2), metadata: litellm[0]?.metadata }));
    lines.splice(150, 0, 'not json');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const stderr = new PassThrough();
    const chunks: Buffer[] = [];
    stderr.on('data', (c: Buffer) => chunks.push(c));
    const tty = Object.assign(stderr, { isTTY: true, columns: 160 });
    let clock = 0;
    const stdout = new PassThrough();
    stdout.resume();
    const code = await convert([file], { idleEvents: 50 }, { stdin: new PassThrough(), stdout, stderr: tty, now: () => (clock += 100) });
    expect(code).toBe(1);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toMatch(/converting [█░]+ \d+% \| \d+\.\d MB of 0\.\d MB \| [\d,]+ events \| [\d,]+ spans \| \d+\.\d MB\/s \| ETA \d+m\d\ds/);
    // The issue line starts at the start of a line, whole.
    expect(text).toMatch(/(^|\r|\n)\{"input":"[^"]+log\.jsonl:151","code":"SKIPPED","message":"line 151 is not JSON"\}\n/);
    expect(text.endsWith('otel-langfuse-bridge convert: 400 events -> 400 spans in 1 OTLP requests; 1 issues\n')).toBe(true);
    const beforeSummary = text.slice(0, text.lastIndexOf('otel-langfuse-bridge convert:'));
    // The bar was cleared before the summary: nothing drawn after the last clear but the summary.
    expect(beforeSummary.endsWith('\u001b[0J') || beforeSummary.endsWith('\u001b[K') || beforeSummary.endsWith('\n')).toBe(true);
  });
});
