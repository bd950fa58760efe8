#!/usr/bin/env node
/**
 * otel-langfuse-bridge command line.
 *   map <file|dir>...   span dumps (JSON) -> Langfuse ingestion batches on stdout
 *   convert <input>...  ingestion batch logs <-> OTLP (see convert.ts)
 * Exit codes: 0 clean, 1 some items had issues, 2 usage error.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { createReceiver, OtlpJsonLinesFileExporter } from '../receiver/index.js';
import { convert, DEFAULT_IDLE_EVENTS } from './convert.js';
import { spanDumpToReadableSpans } from '../mapping/span-dump.js';
import { spansToIngestion } from '../mapping/to-ingestion/index.js';
import type { MappingIssue } from '../mapping/result.js';
import { VERSION } from '../version.js';

const USAGE = `Usage: otel-langfuse-bridge <command> [options]

Commands:
  serve               Receive Langfuse ingestion requests (POST /api/public/ingestion) from any
                      Langfuse client and forward them as OTLP: to --endpoint, else to the
                      OTLP/JSON lines file -o (default otel-langfuse-bridge-traces.jsonl).
                      Keys: LANGFUSE_BRIDGE_PUBLIC_KEY / LANGFUSE_BRIDGE_SECRET_KEY (none: open,
                      loopback only).
  map <file|dir>...   Map OTel span dumps (JSON arrays of finished spans, as in examples/spans)
                      to Langfuse ingestion batches, printed as JSON on stdout.
  convert <input>...  Convert saved Langfuse ingestion batches (a request body, an array of
                      them, JSON Lines of requests or of events; gzip or not; - for stdin) to
                      OTLP/JSON lines, or OTLP (JSON, JSON Lines or protobuf) to ingestion batch
                      lines. The direction follows the data.

Options:
  --legacy-types      Only span/generation/event types (Langfuse servers before v3.98.2)
  --environment <e>   Environment for spans that name none
  --release <r>       Release for spans that name none
  --compact           map: one batch per line instead of indented JSON
  --port <n>          serve: port (default LANGFUSE_BRIDGE_PORT or 3000)
  --host <h>          serve: interface (default LANGFUSE_BRIDGE_HOST or 127.0.0.1)
  --quiet-millis <n>  serve: forward what is held after this long without requests (default 5000)
  -o, --output <f>    convert: write to <f> instead of stdout; serve: the OTLP/JSON lines file
  --endpoint <url>    convert, serve: POST the spans to this OTLP/HTTP traces URL (protobuf);
                      headers (auth) from OTEL_EXPORTER_OTLP_HEADERS / _TRACES_HEADERS
  --idle-events <n>   convert, serve: send a trace once <n> events came after its last (default ${DEFAULT_IDLE_EVENTS})
  --service-name <s>  convert, serve: resource service.name of the OTLP output
  --attributes <a>    convert, serve: langfuse | genai | both (default both) attribute keys in OTLP output
  -h, --help          Show this help
  -v, --version       Show the version

Issues (bad or lossy input) are written to stderr as JSON lines. Exit code 0 when clean,
1 when some items had issues, 2 on a usage error.`;

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(path, name));
}

function writeIssues(file: string, issues: readonly MappingIssue[]): void {
  for (const issue of issues) process.stderr.write(`${JSON.stringify({ file, ...issue })}\n`);
}

function runMap(paths: string[], values: Record<string, unknown>): number {
  let issueCount = 0;
  for (const file of paths.flatMap(listFiles)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      writeIssues(file, [{ code: 'SKIPPED', message: `not readable JSON: ${(err as Error).message}` }]);
      issueCount++;
      continue;
    }
    const spans = spanDumpToReadableSpans(json);
    const mapped = spansToIngestion(spans.value, {
      legacyTypes: values['legacy-types'] === true,
      ...(typeof values.environment === 'string' ? { environment: values.environment } : {}),
      ...(typeof values.release === 'string' ? { release: values.release } : {}),
    });
    const issues = [...spans.issues, ...mapped.issues];
    writeIssues(file, issues);
    issueCount += issues.length;
    const batch = { batch: mapped.value, metadata: { sdk_integration: 'otel-langfuse-bridge', source: file } };
    process.stdout.write(`${JSON.stringify(batch, null, values.compact === true ? undefined : 2)}\n`);
  }
  return issueCount > 0 ? 1 : 0;
}

const DIALECTS = ['langfuse', 'genai', 'both'] as const;

function runConvert(inputs: string[], values: Record<string, unknown>): number | Promise<number> {
  const idle = values['idle-events'] === undefined ? DEFAULT_IDLE_EVENTS : Number(values['idle-events']);
  if (!Number.isSafeInteger(idle) || idle < 1) {
    process.stderr.write(`--idle-events must be a positive integer\n\n${USAGE}\n`);
    return 2;
  }
  const attributes = values.attributes;
  if (attributes !== undefined && !DIALECTS.includes(attributes as (typeof DIALECTS)[number])) {
    process.stderr.write(`--attributes must be one of ${DIALECTS.join(', ')}\n\n${USAGE}\n`);
    return 2;
  }
  const text = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const endpoint = text('endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    process.stderr.write(`--endpoint must be an http(s) URL\n\n${USAGE}\n`);
    return 2;
  }
  const options = {
    idleEvents: idle,
    legacyTypes: values['legacy-types'] === true,
    ...(text('output') === undefined ? {} : { output: text('output') }),
    ...(text('endpoint') === undefined ? {} : { endpoint: text('endpoint') }),
    ...(text('service-name') === undefined ? {} : { serviceName: text('service-name') }),
    ...(attributes === undefined ? {} : { attributes: attributes as (typeof DIALECTS)[number] }),
    ...(text('environment') === undefined ? {} : { environment: text('environment') }),
    ...(text('release') === undefined ? {} : { release: text('release') }),
  };
  return convert(inputs, options, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
}

function positiveInt(v: unknown, fallback: number): number | undefined {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

async function runServe(values: Record<string, unknown>): Promise<number> {
  const env = process.env;
  const text = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const port = positiveInt(text('port') ?? env.LANGFUSE_BRIDGE_PORT, 3000);
  const quietMillis = positiveInt(text('quiet-millis'), 5000);
  const idleEvents = positiveInt(text('idle-events'), DEFAULT_IDLE_EVENTS);
  if (port === undefined || port > 65535 || quietMillis === undefined || quietMillis < 1 || idleEvents === undefined || idleEvents < 1) {
    process.stderr.write(`--port, --quiet-millis and --idle-events must be positive integers\n\n${USAGE}\n`);
    return 2;
  }
  const attributes = text('attributes');
  if (attributes !== undefined && !DIALECTS.includes(attributes as (typeof DIALECTS)[number])) {
    process.stderr.write(`--attributes must be one of ${DIALECTS.join(', ')}\n\n${USAGE}\n`);
    return 2;
  }
  const endpoint = text('endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    process.stderr.write(`--endpoint must be an http(s) URL\n\n${USAGE}\n`);
    return 2;
  }
  const file = text('output') ?? 'otel-langfuse-bridge-traces.jsonl';
  const publicKey = env.LANGFUSE_BRIDGE_PUBLIC_KEY;
  const secretKey = env.LANGFUSE_BRIDGE_SECRET_KEY;
  const receiver = await createReceiver({
    exporter: endpoint === undefined ? new OtlpJsonLinesFileExporter(file) : new OTLPTraceExporter({ url: endpoint }),
    host: text('host') ?? env.LANGFUSE_BRIDGE_HOST ?? '127.0.0.1',
    port,
    quietMillis,
    idleEvents,
    ...(publicKey && secretKey ? { keys: [{ publicKey, secretKey }] } : {}),
    ...(text('service-name') === undefined ? {} : { serviceName: text('service-name') }),
    ...(attributes === undefined ? {} : { attributes: attributes as (typeof DIALECTS)[number] }),
  });
  process.stderr.write(
    `otel-langfuse-bridge receiver on ${receiver.url} (set LANGFUSE_BASE_URL=${receiver.url}) -> ${endpoint ?? file}; ` +
      `${publicKey && secretKey ? 'Basic auth on' : 'open (loopback)'}; Ctrl-C to stop\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receiver.close();
  const s = receiver.stats();
  process.stderr.write(
    `otel-langfuse-bridge receiver: ${s.requests} requests, ${s.accepted} events accepted, ${s.rejected} rejected, ` +
      `${s.forwardedSpans} spans forwarded, ${s.failedSpans} failed\n`,
  );
  return s.failedSpans > 0 ? 1 : 0;
}

export function main(argv: string[]): number | Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'legacy-types': { type: 'boolean' },
        environment: { type: 'string' },
        release: { type: 'string' },
        compact: { type: 'boolean' },
        output: { type: 'string', short: 'o' },
        endpoint: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'quiet-millis': { type: 'string' },
        'idle-events': { type: 'string' },
        'service-name': { type: 'string' },
        attributes: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (command === 'serve') return runServe(values);
  if ((command !== 'map' && command !== 'convert') || rest.length === 0) {
    const why = command === 'map' || command === 'convert' ? `${command} needs at least one input` : `unknown command "${command}"`;
    process.stderr.write(`${why}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return command === 'map' ? runMap(rest, values) : runConvert(rest, values);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
}

void Promise.resolve(main(process.argv.slice(2))).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
