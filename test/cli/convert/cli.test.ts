/**
 * `convert` as a user runs it: the CLI in a child process (tsx on src, nothing built). Never
 * destroying data (the output as any input, a missing input, a run that fails), reading logs as
 * they come (a cut first line, a huge line, directories), --dry-run, --since/--until, and OTLP
 * requests over --endpoint batched within their bounds, read back by the independent decoder.
 */
import { execFile, spawnSync } from 'node:child_process';
import { closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, test } from 'vitest';
import { ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import { otlpJsonToSpans } from '../../../src/otlp/otlp-json.js';
import { startOtlpServer } from '../../helpers/loopback.js';
import { decodeTraceRequest } from '../../helpers/otlp-proto.js';
import { replicateEvents } from '../../helpers/replicate.js';
import { recordedRequests, sortedSpanViews } from '../../helpers/spans.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
type Json = Record<string, unknown>;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI, synchronously; `stdinFile` is opened as its stdin (as `< file` does). */
function cli(args: string[], stdin?: { file?: string; text?: string }): Run {
  const fd = stdin?.file === undefined ? undefined : openSync(stdin.file, 'r');
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'convert', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: [fd ?? 'pipe', 'pipe', 'pipe'],
      ...(stdin?.text === undefined ? {} : { input: stdin.text }),
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The CLI while this process serves (a loopback endpoint). */
function cliAsync(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'convert', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'olb-convert-cli-'));
}

const litellm = recordedRequests('litellm-batch.json');
const v3 = recordedRequests('batches-langfuse-v3.json');

/** `copies` copies of the litellm request, each its own trace, as JSON Lines of requests. */
function litellmLog(copies: number): string {
  const events = replicateEvents(litellm.flatMap((q) => q.batch as Json[]), copies);
  const lines: string[] = [];
  for (let i = 0; i < events.length; i += 2) lines.push(JSON.stringify({ batch: events.slice(i, i + 2), metadata: litellm[0]?.metadata }));
  return `${lines.join('\n')}\n`;
}

function spansOfLines(text: string): ReadableSpan[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => otlpJsonToSpans(JSON.parse(l)).value);
}

function issuesOf(stderr: string): Json[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Json);
}

const expectedSpans = (requests: Json[]): ReadableSpan[] =>
  ingestionToSpans(requests.flatMap((q) => q.batch as unknown[]), { batchMetadata: requests[0]?.metadata }).value;

/** The spans of {@link litellmLog}. */
const expectedLog = (copies: number): ReadableSpan[] =>
  expectedSpans([{ batch: replicateEvents(litellm.flatMap((q) => q.batch as Json[]), copies), metadata: litellm[0]?.metadata }]);

describe('convert never destroys data', () => {
  test('the output as any input, in every spelling (same path, ./, .., symlink, hard link, stdin from it, a directory holding it): refused, file unchanged, exit 2', () => {
    const dir = tempDir();
    const file = join(dir, 'log.jsonl');
    const content = litellmLog(2);
    writeFileSync(file, content);
    symlinkSync(file, join(dir, 'link.jsonl'));
    linkSync(file, join(dir, 'hard.jsonl'));
    mkdirSync(join(dir, 'sub'));
    const spellings: Array<[string[], { file?: string }?]> = [
      [[file, '-o', file]],
      [[file, '-o', join(dir, '.', 'log.jsonl')]],
      [[file, '-o', join(dir, 'sub', '..', 'log.jsonl')]],
      [[join(dir, 'link.jsonl'), '-o', file]],
      [[file, '-o', join(dir, 'link.jsonl')]],
      [[join(dir, 'hard.jsonl'), '-o', file]],
      [['-', '-o', file], { file }],
      [[dir, '-o', file]],
    ];
    for (const [args, stdin] of spellings) {
      const r = cli(args, stdin);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/is also an input( \(stdin\))?; nothing written/);
      expect(readFileSync(file, 'utf8')).toBe(content);
    }
  });

  test('a missing input leaves an existing target as it was (exit 1); a readable one replaces it', () => {
    const dir = tempDir();
    const target = join(dir, 'out.jsonl');
    writeFileSync(target, 'precious\n');
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, litellmLog(1));
    const missing = cli([join(dir, 'missing.jsonl'), '-o', target]);
    expect(missing.status).toBe(1);
    expect(issuesOf(missing.stderr)[0]).toMatchObject({ input: join(dir, 'missing.jsonl'), code: 'SKIPPED' });
    expect(missing.stderr).toContain(`${target} not written: input ${join(dir, 'missing.jsonl')} could not be read`);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    const both = cli([good, join(dir, 'missing.jsonl'), '-o', target]);
    expect(both.status).toBe(1);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    const ok = cli([good, '-o', target]);
    expect(ok.status).toBe(0);
    expect(sortedSpanViews(spansOfLines(readFileSync(target, 'utf8')))).toEqual(sortedSpanViews(expectedLog(1)));
  });

  test('a run that fails part way (a gzip file broken in the middle) leaves the target as it was and no temporary file', () => {
    const dir = tempDir();
    const target = join(dir, 'out.jsonl');
    writeFileSync(target, 'precious\n');
    const broken = gzipSync(litellmLog(200));
    const file = join(dir, 'broken.jsonl.gz');
    writeFileSync(file, broken.subarray(0, broken.length >> 1));
    const r = cli([file, '-o', target]);
    expect(r.status).toBe(1);
    expect(issuesOf(r.stderr).some((i) => String(i.message).startsWith('input not readable'))).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort()).toEqual(['broken.jsonl.gz', 'out.jsonl']);
  });
});

describe('convert reads logs as they come', () => {
  test('a cut first line, on stdin and in a .log file: only that line is an issue', () => {
    const text = litellmLog(3);
    const cut = text.slice(40); // a rotated log: the first line starts mid-way
    const dir = tempDir();
    writeFileSync(join(dir, 'cut.log'), cut);
    for (const r of [cli(['-'], { text: cut }), cli([join(dir, 'cut.log')])]) {
      expect(r.status).toBe(1);
      const issues = issuesOf(r.stderr);
      expect(issues.map((i) => [String(i.input).replace(/^.*cut\.log/, 'file'), i.code])).toEqual([[expect.stringMatching(/^(stdin|file):1$/), 'SKIPPED']]);
      const events = replicateEvents(litellm.flatMap((q) => q.batch as Json[]), 3).slice(2);
      expect(sortedSpanViews(spansOfLines(r.stdout))).toEqual(sortedSpanViews(ingestionToSpans(events, { batchMetadata: litellm[0]?.metadata }).value));
    }
  });

  test('a line over the cap is an issue for that line only; the good lines after it are converted', () => {
    const dir = tempDir();
    const file = join(dir, 'huge.jsonl');
    const huge = JSON.stringify({ batch: [{ id: 'x', type: 'span-create', timestamp: '2025-01-01T00:00:00Z', body: { id: 'h', input: 'y'.repeat(300_000) } }] });
    writeFileSync(file, `${litellmLog(1)}${huge}\n${JSON.stringify(v3[0])}\n`);
    const r = cli([file, '--max-line-bytes', '100000']);
    expect(r.status).toBe(1);
    expect(issuesOf(r.stderr)).toEqual([{ input: `${file}:2`, code: 'SKIPPED', message: `line 2 has ${huge.length} bytes, over the cap of 100000; skipped` }]);
    const expected = [...expectedLog(1), ...expectedSpans([v3[0] as Json])];
    expect(sortedSpanViews(spansOfLines(r.stdout))).toEqual(sortedSpanViews(expected));
  });

  test('several files and a directory in one run (its files in name order, hidden ones left out), gzip or not', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'b.jsonl.gz'), gzipSync(`${JSON.stringify(v3[0])}\n`));
    writeFileSync(join(dir, 'logs', 'a.jsonl'), `${JSON.stringify(litellm[0])}\n`);
    writeFileSync(join(dir, 'logs', '.hidden.jsonl'), 'not json\n');
    const single = join(dir, 'single.json');
    writeFileSync(single, JSON.stringify(recordedRequests('batches-langfuse-vercel.json')));
    const r = cli([join(dir, 'logs'), single]);
    expect(issuesOf(r.stderr)).toEqual([]);
    expect(r.status).toBe(0);
    const expected = [...expectedSpans(litellm), ...expectedSpans([v3[0] as Json]), ...expectedSpans(recordedRequests('batches-langfuse-vercel.json'))];
    expect(sortedSpanViews(spansOfLines(r.stdout))).toEqual(sortedSpanViews(expected));
  });

  test('--dry-run validates and counts, writes nothing', () => {
    const dir = tempDir();
    const target = join(dir, 'out.jsonl');
    const file = join(dir, 'log.jsonl');
    writeFileSync(file, `${litellmLog(2)}not json\n`);
    const r = cli([file, '--dry-run', '-o', target]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(existsSync(target)).toBe(false);
    expect(issuesOf(r.stderr).map((i) => i.input)).toEqual([`${file}:3`]);
    expect(r.stderr.split('\n').at(-2)).toBe('otel-langfuse-bridge convert: 4 events -> 4 spans (dry run, nothing written); 1 issues');
  });

  test('--since/--until keep the traces that start inside the window', () => {
    const events = replicateEvents(litellm.flatMap((q) => q.batch as Json[]), 1);
    const early = { batch: events, metadata: litellm[0]?.metadata };
    const late = JSON.parse(JSON.stringify(v3[0])) as Json; // langfuse v3 batch: 2026
    const text = `${JSON.stringify(early)}\n${JSON.stringify(late)}\n`;
    const all = spansOfLines(cli(['-'], { text }).stdout);
    const startOf = (traceId: string): number => Math.min(...all.filter((s) => s.spanContext().traceId === traceId).map((s) => s.startTime[0]));
    const traces = [...new Set(all.map((s) => s.spanContext().traceId))].sort((a, b) => startOf(a) - startOf(b));
    expect(traces.length).toBeGreaterThan(1);
    const boundary = new Date((startOf(traces[traces.length - 1] as string) - 1) * 1000).toISOString();
    const before = cli(['-', '--until', boundary], { text });
    const after = cli(['-', '--since', boundary], { text });
    expect(before.status).toBe(0);
    const ids = (r: Run): string[] => [...new Set(spansOfLines(r.stdout).map((s) => s.spanContext().traceId))].sort();
    expect(ids(before)).toEqual(traces.slice(0, -1).sort());
    expect(ids(after)).toEqual([traces[traces.length - 1]]);
    expect(after.stderr).toContain(`; ${traces.length - 1} traces outside --since/--until left out; 0 issues`);
    expect(cli(['-', '--since', 'yesterday'], { text }).status).toBe(2);
  });
});

describe('convert over --endpoint', () => {
  test('requests of many traces within the span and byte bounds, a few in flight; every span arrives once (independent decoder)', async () => {
    const dir = tempDir();
    const file = join(dir, 'log.jsonl');
    const copies = 2_500;
    writeFileSync(file, litellmLog(copies));
    const expected = expectedLog(copies);
    for (const bounds of [[], ['--max-request-spans', '700'], ['--max-request-bytes', '400000']]) {
      const otlp = await startOtlpServer(200);
      try {
        const r = await cliAsync([file, '--endpoint', otlp.url, ...bounds]);
        expect(issuesOf(r.stderr)).toEqual([]);
        expect(r.status).toBe(0);
        const perRequest = otlp.requests.map((q) => otlpJsonToSpans(decodeTraceRequest(q.body)).value);
        const maxSpans = bounds[0] === '--max-request-spans' ? 700 : 2048;
        const maxBytes = bounds[0] === '--max-request-bytes' ? 400_000 : 4 * 1024 * 1024;
        expect(perRequest.every((spans) => spans.length <= maxSpans)).toBe(true);
        expect(otlp.requests.every((q) => q.body.length <= maxBytes)).toBe(true);
        // Full requests but the last: the bounds are what cuts them.
        expect(otlp.requests.length).toBe(bounds.length === 0 ? Math.ceil(expected.length / 2048) : bounds[0] === '--max-request-spans' ? Math.ceil(expected.length / 700) : otlp.requests.length);
        if (bounds[0] === '--max-request-bytes') expect(otlp.requests.length).toBeGreaterThan(3);
        expect(sortedSpanViews(perRequest.flat())).toEqual(sortedSpanViews(expected));
        expect(r.stderr.split('\n').at(-2)).toBe(`otel-langfuse-bridge convert: ${(2 * copies).toLocaleString('en-US')} events -> ${expected.length.toLocaleString('en-US')} spans in ${otlp.requests.length} OTLP requests to ${otlp.url}; 0 issues`);
      } finally {
        await otlp.close();
      }
    }
  });

  test('an endpoint that refuses: each refused request is an issue naming its span count, exit 1', async () => {
    const dir = tempDir();
    const file = join(dir, 'log.jsonl');
    writeFileSync(file, litellmLog(1_500));
    const otlp = await startOtlpServer(400);
    try {
      const r = await cliAsync([file, '--endpoint', otlp.url]);
      expect(r.status).toBe(1);
      const issues = issuesOf(r.stderr);
      // Both were in flight: they may fail in either order.
      expect(issues.map((i) => String(i.message).replace(/ failed: .*/, '')).sort()).toEqual([`OTLP export of 2048 spans to ${otlp.url}`, `OTLP export of 952 spans to ${otlp.url}`]);
      expect(r.stderr.split('\n').at(-2)).toBe(`otel-langfuse-bridge convert: 3,000 events -> 0 spans in 2 OTLP requests to ${otlp.url}; 2 issues`);
    } finally {
      await otlp.close();
    }
  });
});
