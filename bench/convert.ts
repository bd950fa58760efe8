/**
 * convert benchmark: a litellm-style JSONL log (bench/convert-log.ts) at about 100 MB and 400 MB,
 * converted by the built CLI (dist/cli/main.js) to OTLP/JSON lines in a file and to a loopback
 * OTLP/HTTP sink, against the named baseline measured in the same rounds: `JSON.parse` +
 * `JSON.stringify` of each line of the same file, read and written the same way (a child process
 * with plain node). Also a floor: the same, writing each line's JSON as many times as the OTLP
 * output is larger than the input (the bytes any converter of this output must write), and the
 * reference converters of bench/convert-floors.ts: the format floor (each event written as an
 * OTLP span with its fields as JSON-text attributes, nothing else), the same with SHA-256 ids and
 * nanosecond times, and a plain converter (that plus the idle-window merge).
 * Each run is a fresh child process; peak RSS is the child's own `maxRSS`. Rounds interleave the
 * candidates; ratios are paired per round. Targets: throughput >= 50% of the baseline, peak RSS
 * < 200 MB at both sizes and flat between them, >= 512 spans per OTLP request.
 *
 *   npm run build && tsx bench/convert.ts [rounds=3] [sizes=100,400]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatFloorScript, PLAIN_CONVERTER_SCRIPT } from './convert-floors.js';
import { writeLitellmLog } from './convert-log.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
/** Reports the child's peak RSS on stderr when it exits. */
const REPORT_RSS = `--import=data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxrss "+process.resourceUsage().maxRSS+"\\n"))`;

/** The baseline (copies = 1) and the floor (copies = output/input bytes): read lines, parse, stringify, write. */
const JSON_LINES_SCRIPT = `
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
const [input, output, copies] = process.argv.slice(1);
const out = createWriteStream(output, { highWaterMark: 1 << 20 });
const factor = Number(copies);
let owed = 0, rest = '';
for await (const chunk of createReadStream(input, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const lines = (rest + chunk).split('\\n');
  rest = lines.pop();
  let text = '';
  for (const line of lines) {
    if (line === '') continue;
    const json = JSON.stringify(JSON.parse(line)) + '\\n';
    owed += factor;
    for (; owed >= 1; owed--) text += json;
  }
  if (!out.write(text)) await once(out, 'drain');
}
if (rest !== '') out.write(JSON.stringify(JSON.parse(rest)) + '\\n');
out.end();
await once(out, 'finish');
`;

interface RunFigures {
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly summary: string;
}

function runChild(args: readonly string[]): Promise<RunFigures> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [REPORT_RSS, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-20_000);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const rss = /maxrss (\d+)/.exec(stderr);
      const summary = /otel-langfuse-bridge convert: [^\n]*/.exec(stderr)?.[0] ?? '';
      if (code !== 0 || rss === null) reject(new Error(`child exited ${code}: ${stderr.slice(-500)}`));
      else resolve({ seconds, maxRssMiB: Number(rss[1]) / 1024, summary });
    });
  });
}

/** A loopback OTLP/HTTP sink that reads every body and answers 200. */
async function startSink(): Promise<{ url: string; requests: number[]; close(): Promise<void> }> {
  const requests: number[] = [];
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      requests.push(bytes);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const mb = (bytes: number): number => bytes / 1e6;
const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const range = (xs: readonly number[], digits = 1): string => `${fmt(Math.min(...xs), digits)}-${fmt(Math.max(...xs), digits)}`;
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

interface SizeResult {
  readonly rows: string[][];
  readonly rss: { file: number[]; endpoint: number[] };
  readonly ratios: { file: number[]; endpoint: number[] };
}

async function benchSize(dir: string, targetMb: number, rounds: number): Promise<SizeResult> {
  const log = join(dir, `litellm-${targetMb}mb.jsonl`);
  const figures = writeLitellmLog(log, targetMb * 1e6);
  const inputMb = mb(figures.bytes);
  const out = join(dir, 'out.jsonl');
  const keys = ['baseline', 'floor', 'format', 'steps', 'plain', 'file', 'endpoint'] as const;
  const t = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<(typeof keys)[number], number[]>;
  const rss = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<(typeof keys)[number], number[]>;
  const ratios = { format: [] as number[], steps: [] as number[], plain: [] as number[], file: [] as number[], endpoint: [] as number[] };
  let outputFactor = 2.5;
  let formatFactor = 0;
  let plainFactor = 0;
  let requestLine = '';
  for (let r = 0; r < rounds; r++) {
    const base = await runChild(['--input-type=module', '-e', JSON_LINES_SCRIPT, log, out, '1']);
    const file = await runChild([CLI, 'convert', log, '-o', out]);
    outputFactor = statSync(out).size / figures.bytes;
    const floor = await runChild(['--input-type=module', '-e', JSON_LINES_SCRIPT, log, out, String(outputFactor)]);
    const format = await runChild(['--input-type=module', '-e', formatFloorScript(false), log, out]);
    formatFactor = statSync(out).size / figures.bytes;
    const steps = await runChild(['--input-type=module', '-e', formatFloorScript(true), log, out]);
    const plain = await runChild(['--input-type=module', '-e', PLAIN_CONVERTER_SCRIPT, log, out]);
    plainFactor = statSync(out).size / figures.bytes;
    const sink = await startSink();
    let endpoint: RunFigures;
    try {
      endpoint = await runChild([CLI, 'convert', log, '--endpoint', sink.url]);
    } finally {
      await sink.close();
    }
    const spans = Number(/-> ([\d,]+) spans/.exec(endpoint.summary)?.[1]?.replace(/,/g, '') ?? 0);
    const total = sink.requests.reduce((a, b) => a + b, 0);
    requestLine = `${sink.requests.length} requests, ${fmt(spans / sink.requests.length, 0)} spans and ${fmt(total / sink.requests.length / 1e6, 2)} MB each on average (largest ${fmt(Math.max(...sink.requests) / 1e6, 2)} MB)`;
    for (const [key, run] of [['baseline', base], ['floor', floor], ['format', format], ['steps', steps], ['plain', plain], ['file', file], ['endpoint', endpoint]] as const) {
      t[key].push(inputMb / run.seconds);
      rss[key].push(run.maxRssMiB);
    }
    ratios.format.push(base.seconds / format.seconds);
    ratios.steps.push(base.seconds / steps.seconds);
    ratios.plain.push(base.seconds / plain.seconds);
    ratios.file.push(base.seconds / file.seconds);
    ratios.endpoint.push(base.seconds / endpoint.seconds);
    console.log(
      `  ${targetMb} MB round ${r + 1}: baseline ${fmt(inputMb / base.seconds)} MB/s, floor ${fmt(inputMb / floor.seconds)}, format floor ${fmt(inputMb / format.seconds)}, with ids and times ${fmt(inputMb / steps.seconds)}, plain converter ${fmt(inputMb / plain.seconds)}, file ${fmt(inputMb / file.seconds)}, endpoint ${fmt(inputMb / endpoint.seconds)}; RSS ${fmt(file.maxRssMiB, 0)}/${fmt(endpoint.maxRssMiB, 0)} MiB`,
    );
  }
  const rows = [
    [`${fmt(inputMb, 0)} MB`, 'baseline: JSON.parse + JSON.stringify per line', `${fmt(median(t.baseline))} (${range(t.baseline)})`, '1x', `${range(rss.baseline, 0)}`],
    [
      '',
      `floor: the same, written ${fmt(outputFactor, 2)}x (the output's size)`,
      `${fmt(median(t.floor))} (${range(t.floor)})`,
      `${fmt(median(t.floor) / median(t.baseline), 2)}x`,
      `${range(rss.floor, 0)}`,
    ],
    ['', `format floor: each event one OTLP span, body fields as JSON-text attributes (output ${fmt(formatFactor, 2)}x)`, `${fmt(median(t.format))} (${range(t.format)})`, `${fmt(median(ratios.format), 2)}x (${range(ratios.format, 2)})`, `${range(rss.format, 0)}`],
    ['', 'format floor + ids (SHA-256) and times (ns)', `${fmt(median(t.steps))} (${range(t.steps)})`, `${fmt(median(ratios.steps), 2)}x (${range(ratios.steps, 2)})`, `${range(rss.steps, 0)}`],
    ['', `plain converter: format floor + ids and times + idle-window merge (output ${fmt(plainFactor, 2)}x)`, `${fmt(median(t.plain))} (${range(t.plain)})`, `${fmt(median(ratios.plain), 2)}x (${range(ratios.plain, 2)})`, `${range(rss.plain, 0)}`],
    ['', `convert -> OTLP/JSON file (output ${fmt(outputFactor, 2)}x)`, `${fmt(median(t.file))} (${range(t.file)})`, `${fmt(median(ratios.file), 2)}x (${range(ratios.file, 2)})`, `${range(rss.file, 0)}`],
    ['', `convert -> --endpoint: ${requestLine}`, `${fmt(median(t.endpoint))} (${range(t.endpoint)})`, `${fmt(median(ratios.endpoint), 2)}x (${range(ratios.endpoint, 2)})`, `${range(rss.endpoint, 0)}`],
  ];
  return { rows, rss: { file: rss.file, endpoint: rss.endpoint }, ratios };
}

function table(rows: readonly string[][]): void {
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i] as number)).join('  '));
}

export async function runConvertBench(rounds = 3, sizes: readonly number[] = [100, 400]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'olb-convert-bench-'));
  try {
    console.log(`\nconvert: litellm-style JSONL logs, ${rounds} interleaved rounds, each run a fresh process (MB/s of input; ratios paired per round)\n`);
    const rows: string[][] = [['input', 'candidate', 'MB/s median (range)', 'vs baseline', 'peak RSS MiB']];
    const results: SizeResult[] = [];
    for (const size of sizes) {
      const result = await benchSize(dir, size, rounds);
      results.push(result);
      rows.push(...result.rows);
    }
    console.log('');
    table(rows);
    const worst = Math.min(...results.flatMap((r) => [median(r.ratios.file), median(r.ratios.endpoint)]));
    const peak = Math.max(...results.flatMap((r) => [...r.rss.file, ...r.rss.endpoint]));
    console.log(`\nthroughput: worst median ratio ${fmt(worst, 2)}x (target >= 0.5x): ${worst >= 0.5 ? 'met' : 'NOT met'}`);
    console.log(`peak RSS: ${fmt(peak, 0)} MiB (target < 200 MiB at every size): ${peak < 200 ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 3);
  const sizes = (process.argv[3] ?? '100,400').split(',').map(Number);
  await runConvertBench(rounds, sizes);
}
