/**
 * The `convert` command: saved ingestion batches -> OTLP/JSON lines and OTLP -> ingestion batch
 * lines, as a user runs it (a child process for the CLI surface) and through `convert()` for the
 * data checks. Outputs are compared with the pure mappings on the same input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, test } from 'vitest';
import { convert, DEFAULT_IDLE_EVENTS } from '../../src/cli/convert.js';
import type { ConvertOptions } from '../../src/cli/convert.js';
import { otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { ingestionToSpans } from '../../src/mapping/to-otel/index.js';
import { replicateEvents } from '../helpers/replicate.js';
import { DIALECTS, loadExampleSpans } from '../helpers/examples.js';
import { recordedRequests, sortedSpanViews } from '../helpers/spans.js';
import { startOtlpServer } from '../helpers/loopback.js';
import { decodeTraceRequest, encodeWithStockSerializer, stockJson } from '../helpers/otlp-proto.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
type Json = Record<string, unknown>;

const fixture = recordedRequests;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'olb-convert-'));
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(inputs: string[], options: Partial<ConvertOptions> = {}, stdinText?: string | Buffer) {
  const stdout = collect();
  const stderr = collect();
  const stdin = new PassThrough();
  stdin.end(stdinText ?? '');
  const code = await convert(inputs, { idleEvents: DEFAULT_IDLE_EVENTS, ...options }, { stdin, stdout: stdout.stream, stderr: stderr.stream });
  const errLines = stderr.text().trim().split('\n');
  return {
    code,
    lines: stdout.text().split('\n').filter((l) => l !== ''),
    issues: errLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Json),
    summary: errLines.filter((l) => !l.startsWith('{')),
  };
}

/** The spans in OTLP/JSON lines, read back by the JSON reader (whose equivalence to the stock encoding is tested elsewhere). */
function spansOf(lines: readonly string[]): ReadableSpan[] {
  return lines.flatMap((l) => otlpJsonToSpans(JSON.parse(l)).value);
}

describe('convert: ingestion batches -> OTLP/JSON lines', () => {
  test.each(['litellm-batch.json', 'batches-langfuse-v3.json', 'batches-langfuse-vercel.json'])(
    '%s as saved: the spans ingestionToSpans makes, as stock OTLP/JSON',
    async (file) => {
      const requests = fixture(file);
      const r = await run([join(ROOT, 'test/fixtures/batches', file)]);
      expect(r.issues).toEqual([]);
      expect(r.code).toBe(0);
      const expected = ingestionToSpans(requests.flatMap((q) => q.batch as unknown[]), { batchMetadata: requests[0]?.metadata });
      expect(sortedSpanViews(spansOf(r.lines))).toEqual(sortedSpanViews(expected.value));
      // Each line is exactly what the stock JSON serializer writes for its spans.
      for (const line of r.lines) expect(JSON.parse(line)).toEqual(stockJson(otlpJsonToSpans(JSON.parse(line)).value));
      expect(r.summary).toEqual([
        `otel-langfuse-bridge convert: ${requests.reduce((n, q) => n + (q.batch as unknown[]).length, 0)} events -> ${expected.value.length} spans in ${r.lines.length} OTLP requests; 0 issues`,
      ]);
    },
  );

  test('gzipped JSON Lines of requests, a bad line and a foreign document: issues named by line, the rest converted', async () => {
    const dir = tempDir();
    const requests = fixture('batches-langfuse-v3.json');
    const lines = [JSON.stringify(requests[0]), '{oops', JSON.stringify({ hello: 'world' }), ...requests.slice(1).map((q) => JSON.stringify(q))];
    const file = join(dir, 'log.jsonl.gz');
    writeFileSync(file, gzipSync(lines.join('\n')));
    const r = await run([file]);
    expect(r.code).toBe(1);
    expect(r.issues.map((i) => [i.input, i.code])).toEqual([
      [`${file}:2`, 'SKIPPED'],
      [`${file}:3`, 'SKIPPED'],
    ]);
    const expected = ingestionToSpans(requests.flatMap((q) => q.batch as unknown[]), { batchMetadata: requests[0]?.metadata });
    expect(sortedSpanViews(spansOf(r.lines))).toEqual(sortedSpanViews(expected.value));
  });

  test('single events as JSON Lines on stdin, with a small idle window: traces written as they go idle, nothing lost', async () => {
    // Three copies of the v3 batch, each its own trace; the first copy's first event comes last.
    const [first, ...rest] = replicateEvents(fixture('batches-langfuse-v3.json').flatMap((q) => q.batch as Json[]), 3);
    const events = [...rest, first as Json];
    // Requests of at most 2 spans: the lines show the traces written as they go idle.
    const r = await run(['-'], { idleEvents: 2, requestBounds: { maxSpans: 2, maxBytes: 1 << 20 } }, events.map((e) => JSON.stringify(e)).join('\n'));
    expect(r.lines.length).toBeGreaterThan(2);
    // The late event is named (it is also an update without its create, merged on its own). Only
    // the observation it updates is written a second time (as documented); no root is repeated.
    expect(r.issues.filter((i) => i.code === 'LATE_EVENT').map((i) => i.eventId)).toEqual([(first as Json).id]);
    expect(new Set(r.issues.map((i) => i.eventId))).toEqual(new Set([(first as Json).id]));
    const spans = spansOf(r.lines);
    const seen = new Map<string, number>();
    for (const s of spans) seen.set(s.spanContext().spanId, (seen.get(s.spanContext().spanId) ?? 0) + 1);
    const twice = spans.filter((s) => seen.get(s.spanContext().spanId) === 2).map((s) => s.attributes['langfuse.observation.id']);
    expect(twice).toEqual([((first as Json).body as Json).id, ((first as Json).body as Json).id]);
    // Back to Langfuse, every observation of the input is there.
    const back = spansToIngestion(spans).value;
    const ids = (list: Json[]): string[] => [...new Set(list.filter((e) => e.type !== 'trace-create' && e.type !== 'score-create').map((e) => (e.body as Json).id as string))].sort();
    expect(ids(back as unknown as Json[])).toEqual(ids(events));
  });
});

describe('convert: ingestion batches -> an OTLP endpoint', () => {
  test('the stock protobuf exporter POSTs the spans with the OTEL_EXPORTER_OTLP_HEADERS; an independent decoder reads them back', async () => {
    const otlp = await startOtlpServer(200);
    const saved = process.env.OTEL_EXPORTER_OTLP_HEADERS;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'authorization=Basic dGVzdA==';
    try {
      const files = ['litellm-batch.json', 'batches-langfuse-v3.json'];
      const r = await run(files.map((f) => join(ROOT, 'test/fixtures/batches', f)), { endpoint: otlp.url });
      expect(r.issues).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.lines).toEqual([]); // nothing on stdout
      expect(otlp.requests.every((q) => q.headers.authorization === 'Basic dGVzdA==' && q.headers['content-type'] === 'application/x-protobuf')).toBe(true);
      const received = otlp.requests.flatMap((q) => otlpJsonToSpans(decodeTraceRequest(q.body)).value);
      const litellm = fixture('litellm-batch.json');
      const v3 = fixture('batches-langfuse-v3.json');
      // Each client's requests keep their own resource (service, SDK, public key).
      const mapped = (requests: Json[]) => ingestionToSpans(requests.flatMap((q) => q.batch as unknown[]), { batchMetadata: requests[0]?.metadata }).value;
      const expected = { value: [...mapped(litellm), ...mapped(v3)] };
      expect(sortedSpanViews(received)).toEqual(sortedSpanViews(expected.value));
      expect(r.summary[0]).toBe(`otel-langfuse-bridge convert: ${2 + 11} events -> ${expected.value.length} spans in ${otlp.requests.length} OTLP requests to ${otlp.url}; 0 issues`);
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
      else process.env.OTEL_EXPORTER_OTLP_HEADERS = saved;
      await otlp.close();
    }
  });

  test('an endpoint that refuses: one issue per failed request, exit 1', async () => {
    const otlp = await startOtlpServer(400);
    try {
      const r = await run([join(ROOT, 'test/fixtures/batches/litellm-batch.json')], { endpoint: otlp.url });
      expect(r.code).toBe(1);
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ code: 'SKIPPED', message: expect.stringMatching(/^OTLP export of 2 spans to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed: /) });
    } finally {
      await otlp.close();
    }
  });
});

describe('convert: OTLP -> ingestion batch lines', () => {
  const spans = DIALECTS.flatMap((d) => loadExampleSpans(d));

  test('an OTLP protobuf request and an OTLP/JSON document give the events spansToIngestion makes, valid batches', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'traces.pb'), encodeWithStockSerializer(spans));
    writeFileSync(join(dir, 'traces.json'), JSON.stringify(stockJson(spans), null, 2));
    const expected = spansToIngestion(spans).value;
    for (const file of ['traces.pb', 'traces.json']) {
      const r = await run([join(dir, file)]);
      expect(r.issues).toEqual([]);
      expect(r.code).toBe(0);
      const batches = r.lines.map((l) => JSON.parse(l) as { batch: unknown[]; metadata: Json });
      expect(batches.flatMap((b) => b.batch)).toEqual(expected);
      expect(batches[0]?.metadata).toMatchObject({ batch_size: expected.length, sdk_integration: 'otel-langfuse-bridge' });
      expect(r.summary[0]).toBe(`otel-langfuse-bridge convert: ${spans.length} spans -> ${expected.length} events in 1 ingestion batches; 0 issues`);
    }
  });

  test('protobuf told by its name or its leading 0x0a, JSON with a byte order mark', async () => {
    const dir = tempDir();
    const bytes = encodeWithStockSerializer(spans);
    expect(bytes[0]).toBe(0x0a);
    writeFileSync(join(dir, 'request.bin'), bytes);
    writeFileSync(join(dir, 'request'), bytes);
    writeFileSync(join(dir, 'bom.json'), `\uFEFF${JSON.stringify(stockJson(spans))}`);
    const expected = spansToIngestion(spans).value;
    for (const file of ['request.bin', 'request', 'bom.json']) {
      const r = await run([join(dir, file)]);
      expect(r.issues).toEqual([]);
      expect(r.lines.flatMap((l) => (JSON.parse(l) as { batch: unknown[] }).batch)).toEqual(expected);
    }
  });

  test('ingestion -> OTLP -> ingestion through two files gives back the merged entities of the recorded batch', async () => {
    const dir = tempDir();
    const otlp = join(dir, 'otlp.jsonl');
    const back = join(dir, 'back.jsonl');
    expect((await run([join(ROOT, 'test/fixtures/batches/litellm-batch.json')], { output: otlp })).code).toBe(0);
    expect((await run([otlp], { output: back })).code).toBe(0);
    const events = readFileSync(back, 'utf8').trim().split('\n').flatMap((l) => (JSON.parse(l) as { batch: Json[] }).batch);
    const generation = events.find((e) => e.type === 'generation-create')?.body as Json;
    expect(generation).toMatchObject({
      id: 'time-16-23-27-220129_chatcmpl-565360d7-965f-4533-9c09-db789af77a7d',
      traceId: 'litellm-test-dbadfdfc-f4e7-4f05-8992-984c37359166',
      model: 'gpt-3.5-turbo',
      usageDetails: { input: 10, output: 10, total: 20 },
      startTime: '2025-02-07T00:23:27.220129000Z',
    });
    expect(events.find((e) => e.type === 'trace-create')?.body).toMatchObject({ name: 'litellm-acompletion' });
  });
});

describe('convert: review fixes', () => {
  test('a JSON Lines file whose first line is cut: that line is an issue, the rest converts', async () => {
    const dir = tempDir();
    const requests = recordedRequests('batches-langfuse-v3.json');
    for (const name of ['cut.jsonl', 'cut.log']) {
      const file = join(dir, name);
      writeFileSync(file, ['{"batch":[{"id":"x","ty', ...requests.map((q) => JSON.stringify(q))].join('\n'));
      const r = await run([file]);
      expect(r.issues.map((i) => [i.input, i.code])).toEqual([[`${file}:1`, 'SKIPPED']]);
      const expected = ingestionToSpans(requests.flatMap((q) => q.batch as unknown[]), { batchMetadata: requests[0]?.metadata });
      expect(sortedSpanViews(spansOf(r.lines))).toEqual(sortedSpanViews(expected.value));
    }
  });

  test('JSON that starts with a blank line, on stdin and in a file without a telling name, is JSON', async () => {
    const text = `\n${JSON.stringify(recordedRequests('litellm-batch.json')[0])}\n`;
    const dir = tempDir();
    writeFileSync(join(dir, 'requests.log'), text);
    for (const r of [await run(['-'], {}, text), await run([join(dir, 'requests.log')])]) {
      expect(r.issues).toEqual([]);
      expect(spansOf(r.lines)).toHaveLength(2);
    }
  });

  test('the output is also an input: refused before anything is written, exit 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'log.jsonl');
    const content = JSON.stringify(recordedRequests('litellm-batch.json')[0]);
    writeFileSync(file, content);
    const stderr = collect();
    const code = await convert([file], { idleEvents: 10, output: join(dir, '.', 'log.jsonl') }, { stdin: new PassThrough(), stdout: collect().stream, stderr: stderr.stream });
    expect(code).toBe(2);
    expect(stderr.text()).toContain('is also an input; nothing written');
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  test("a log mixing clients: each client's spans keep their own service", async () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.jsonl');
    const litellm = recordedRequests('litellm-batch.json')[0] as Json;
    const v3 = recordedRequests('batches-langfuse-v3.json')[0] as Json;
    // Back to the first client after the second: its stream again, not the last one's.
    writeFileSync(file, [JSON.stringify(litellm), JSON.stringify(v3), JSON.stringify(litellm)].join('\n'));
    const r = await run([file]);
    const services = new Set(spansOf(r.lines).map((sp) => `${String(sp.attributes['langfuse.trace.id']).slice(0, 7)} ${String(sp.resource.attributes['service.name'])}`));
    expect([...services].sort()).toEqual(['litellm litellm', `${String(((v3.batch as Json[]).find((e) => e.type === 'trace-create')?.body as Json).id).slice(0, 7)} DEFAULT`].sort());
  });
});

describe('convert: output failures', () => {
  test('an output file that cannot be created: a clear message, exit 2, no throw', async () => {
    const stderr = collect();
    const code = await convert([join(ROOT, 'test/fixtures/batches/litellm-batch.json')], { idleEvents: 10, output: '/nonexistent-dir/x/out.jsonl' }, { stdin: new PassThrough(), stdout: collect().stream, stderr: stderr.stream });
    expect(code).toBe(2);
    expect(stderr.text()).toMatch(/^otel-langfuse-bridge convert: cannot write \/nonexistent-dir\/x\/out\.jsonl: ENOENT/);
  });

  test('a reader that goes away (EPIPE): conversion stops quietly; another write error: exit 2', async () => {
    for (const [code, exit] of [['EPIPE', 0], ['ENOSPC', 2]] as const) {
      let writes = 0;
      const stdout = new Writable({
        write(_chunk, _enc, done) {
          writes++;
          done(Object.assign(new Error(`write ${code}`), { code }));
        },
      });
      const stderr = collect();
      const input = Array.from({ length: 50 }, () => JSON.stringify(recordedRequests('litellm-batch.json')[0])).join('\n');
      const stdin = new PassThrough();
      stdin.end(input);
      const result = await convert(['-'], { idleEvents: 1 }, { stdin, stdout, stderr: stderr.stream });
      expect(result).toBe(exit);
      expect(writes).toBe(1); // nothing written after the failure
      expect(stderr.text()).toBe(exit === 0 ? '' : `otel-langfuse-bridge convert: cannot write stdout: write ${code}\n`);
    }
  });
});

describe('convert: progress on a terminal', () => {
  test('a status line redrawn in place, cleared before every issue and before the summary', async () => {
    const events = recordedRequests('batches-langfuse-v3.json').flatMap((q) => q.batch as Json[]);
    const stdin = new PassThrough();
    stdin.end([...events.map((e) => JSON.stringify(e)), 'not json', JSON.stringify(events[0])].join('\n'));
    const stderr = collect();
    const tty = Object.assign(stderr.stream, { isTTY: true });
    let clock = 0;
    const code = await convert(['-'], { idleEvents: DEFAULT_IDLE_EVENTS }, { stdin, stdout: collect().stream, stderr: tty, now: () => (clock += 150) });
    expect(code).toBe(1);
    const text = stderr.text();
    const CLEAR = '\r\u001b[K';
    expect(text.split(CLEAR).some((part) => /^converting: \d+ events, 0 spans, 0 issues$/.test(part))).toBe(true);
    // Every issue line and the summary start on a cleared line.
    const [beforeIssue] = text.split('{"input":"stdin:12"');
    expect(beforeIssue?.endsWith(CLEAR)).toBe(true);
    expect(text.endsWith(`${CLEAR}otel-langfuse-bridge convert: 12 events -> 5 spans in 1 OTLP requests; 1 issues\n`)).toBe(true);
  });
});

describe('convert: the command line', () => {
  function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test('converts a file to -o, prints the summary, exit 0', () => {
    const out = join(tempDir(), 'out.jsonl');
    const r = cli('convert', 'test/fixtures/batches/litellm-batch.json', '-o', out, '--service-name', 'replay');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('otel-langfuse-bridge convert: 2 events -> 2 spans in 1 OTLP requests; 0 issues\n');
    const spans = spansOf(readFileSync(out, 'utf8').trim().split('\n'));
    expect(spans.map((s) => s.resource.attributes['service.name'])).toEqual(['replay', 'replay']);
  });

  test('usage errors exit 2; a missing file is an issue, exit 1', () => {
    expect(cli('convert').status).toBe(2);
    expect(cli('convert', 'x.json', '--idle-events', '0').status).toBe(2);
    expect(cli('convert', 'x.json', '--attributes', 'zipkin').status).toBe(2);
    const missing = cli('convert', 'no/such/file.json');
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stderr.split('\n')[0] ?? '')).toMatchObject({ input: 'no/such/file.json', code: 'SKIPPED' });
  });
});
