/**
 * `convert`: saved Langfuse ingestion batches -> OTLP/JSON lines, and OTLP (JSON or protobuf)
 * -> ingestion batches (design.md 10). The I/O edge over the pure mapping: files or stdin, gzip
 * or not, JSON Lines streamed line by line through IngestionSpanStream so memory follows the open
 * traces, not the file.
 */
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_EVENT_BYTES, requestBodyParts, splitIntoRequests } from '../ingestion-api/split.js';
import { isPlainObject } from '../mapping/json.js';
import { otlpJsonToSpans } from '../otlp/otlp-json.js';
import { otlpProtobufToSpans } from '../otlp/otlp-proto.js';
import type { MappingIssue } from '../mapping/result.js';
import type { AttributeDialect } from '../mapping/to-otel/attributes.js';
import { clientIdentity } from '../mapping/to-otel/index.js';
import { IngestionSpanStream } from '../mapping/to-otel/stream.js';
import { spansToIngestion } from '../mapping/to-ingestion/index.js';
import { VERSION } from '../version.js';

export interface ConvertOptions {
  /** Output file; stdout when undefined or `-`. */
  readonly output?: string;
  /**
   * OTLP/HTTP traces URL (`http://localhost:4318/v1/traces`) to POST the spans to, with the stock
   * protobuf exporter (its retries, timeouts and `OTEL_EXPORTER_OTLP_*` headers), instead of
   * writing OTLP/JSON lines. Ingestion -> OTLP only.
   */
  readonly endpoint?: string;
  /** Events after which an idle trace is written (ingestion -> OTLP). */
  readonly idleEvents: number;
  readonly serviceName?: string;
  readonly attributes?: AttributeDialect;
  /** OTLP -> ingestion options. */
  readonly environment?: string;
  readonly release?: string;
  readonly legacyTypes?: boolean;
}

export interface ConvertIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: Writable;
  /** Issues (JSON lines) and the summary; a progress line too when it is a TTY. */
  readonly stderr: Writable & { readonly isTTY?: boolean };
  /** Milliseconds clock for the progress line; default `Date.now`. */
  readonly now?: () => number;
}

/** How often the progress line on a TTY is redrawn. */
const PROGRESS_EVERY_MILLIS = 200;
const CLEAR_LINE = '\r\u001b[K';

/** Default idle window: a trace is written once 10,000 events came after its last one. */
export const DEFAULT_IDLE_EVENTS = 10_000;

type Direction = 'to-otlp' | 'to-ingestion';

/** One readable unit of input: a parsed JSON document or the bytes of a protobuf request. */
type Item = { readonly where: string; readonly json: unknown } | { readonly where: string; readonly bytes: Buffer };

interface Totals {
  events: number;
  spans: number;
  lines: number;
  issues: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** The first chunk of `source` and a stream that replays it and the rest. */
async function peek(source: AsyncIterable<Buffer | string>): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done === true ? Buffer.alloc(0) : Buffer.from(first.value);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield Buffer.from(next.value);
  }
  return { head, stream: Readable.from(replay()) };
}

function firstNonSpace(head: Buffer): number | undefined {
  for (const byte of head) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09 && byte !== 0xef && byte !== 0xbb && byte !== 0xbf) return byte;
  return undefined;
}

/**
 * JSON or OTLP protobuf: by the file name when it says (`.json`, `.jsonl`, `.ndjson`; `.pb`,
 * `.bin`, `.protobuf`; `.gz` after any), else by the content: JSON starts (after whitespace) with
 * `{` or `[`. A protobuf request starts with 0x0a (a newline) and a length, which is `{` or `[`
 * only for a first ResourceSpans of 123 or 91 bytes; then the next byte tells: a protobuf field
 * tag (0x0a, 0x12, 0x1a) followed by a length, where JSON has whitespace or a quote.
 */
function isJsonInput(path: string, head: Buffer): boolean {
  const name = path.toLowerCase();
  if (/\.(pb|bin|protobuf)(\.gz)?$/.test(name)) return false;
  if (/\.(json|jsonl|ndjson)(\.gz)?$/.test(name)) return true;
  const lead = firstNonSpace(head);
  if (lead !== 0x7b && lead !== 0x5b) return false;
  const looksProtobuf =
    head[0] === 0x0a &&
    (head[1] === 0x7b || head[1] === 0x5b) &&
    [0x0a, 0x12, 0x1a].includes(head[2] ?? -1) &&
    ![0x20, 0x09, 0x0d, 0x0a, 0x22, 0x7d].includes(head[3] ?? 0x20);
  return !looksProtobuf;
}

/**
 * A first line that opens a document spread over lines, as pretty-printed JSON does (`{`, `[`,
 * `{"batch": [`), not a JSON line cut short (`{"batch":[{"id":"x","ty`).
 */
function opensDocument(line: string): boolean {
  const t = line.trim();
  return (t.startsWith('{') || t.startsWith('[')) && /[[{,:]$/.test(t);
}

/**
 * The items of one input: JSON Lines one line at a time; a single (pretty-printed) JSON document
 * whole; anything not starting with `{` or `[` as one OTLP protobuf request.
 */
async function* readItems(path: string, stdin: NodeJS.ReadableStream): AsyncGenerator<Item> {
  const name = path === '-' ? 'stdin' : path;
  const raw = path === '-' ? stdin : createReadStream(path);
  let { head, stream } = await peek(raw as AsyncIterable<Buffer>);
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) ({ head, stream } = await peek(stream.pipe(createGunzip())));
  if (!isJsonInput(path, head)) {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    if (bytes.length > 0) yield { where: name, bytes };
    return;
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const linesByName = /\.(jsonl|ndjson)(\.gz)?$/.test(path.toLowerCase());
  let lineNo = 0;
  // JSON Lines, unless the first line is the opening of one document spread over lines.
  let document: string[] | undefined;
  let first = true;
  for await (const text of lines) {
    lineNo++;
    const line = lineNo === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text; // a byte order mark
    if (document !== undefined) {
      document.push(line);
      continue;
    }
    if (line.trim() === '') continue;
    const item = lineItem(name, lineNo, line);
    if (first && item.json instanceof LineError && !linesByName && opensDocument(line)) document = [line];
    else yield item;
    first = false;
  }
  if (document === undefined) return;
  let whole: unknown;
  try {
    whole = JSON.parse(document.join('\n')) as unknown;
  } catch {
    // Not one document after all: read it as JSON Lines, so one bad line costs only itself.
    for (const [i, text] of document.entries()) if (text.trim() !== '') yield lineItem(name, i + 1, text);
    return;
  }
  yield { where: name, json: whole };
}

/** One JSON line, parsed, or the error to report for it. */
function lineItem(name: string, lineNo: number, line: string): { where: string; json: unknown } {
  const where = `${name}:${lineNo}`;
  try {
    return { where, json: JSON.parse(line) as unknown };
  } catch {
    return { where, json: new LineError(`line ${lineNo} is not JSON`) };
  }
}

/** An input line or document that is not JSON, passed on to be reported where it was found. */
class LineError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** What a parsed document holds: ingestion events (with the request metadata) or an OTLP request. */
type Classified =
  | { readonly kind: 'ingestion'; readonly events: unknown[]; readonly metadata?: unknown }
  | { readonly kind: 'otlp'; readonly request: unknown }
  | { readonly kind: 'unknown' };

function classify(doc: unknown): Classified[] {
  if (Array.isArray(doc)) {
    // An array of events is one request; an array of requests (or OTLP requests) is several.
    if (doc.length > 0 && doc.every((e) => isPlainObject(e) && typeof e.type === 'string' && 'body' in e)) {
      return [{ kind: 'ingestion', events: doc }];
    }
    return doc.flatMap(classify);
  }
  if (!isPlainObject(doc)) return [{ kind: 'unknown' }];
  if (Array.isArray(doc.resourceSpans)) return [{ kind: 'otlp', request: doc }];
  if (Array.isArray(doc.batch)) return [{ kind: 'ingestion', events: doc.batch, metadata: doc.metadata }];
  if (typeof doc.type === 'string' && 'body' in doc) return [{ kind: 'ingestion', events: [doc] }];
  return [{ kind: 'unknown' }];
}

async function write(out: Writable, text: string | Uint8Array): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** True when both paths name one existing file (or the same path). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them does not exist yet
  }
}

/** The output cannot be written any more (closed pipe, full disk): conversion stops. */
class OutputError extends Error {}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err);
}

/**
 * Converts every input into `options.output`. The direction follows the data: the first
 * ingestion batch (or event) makes the output OTLP/JSON lines (one `ExportTraceServiceRequest` per
 * line, what the Collector's `otlpjsonfile` receiver reads); the first OTLP request makes it
 * ingestion batch lines (`{"batch":[...],"metadata":{...}}`, what the exporter's file output
 * writes and `POST /api/public/ingestion` takes). Items of the other kind are issues.
 * Resolves with the exit code: 0 clean, 1 when some items had issues.
 */
export async function convert(inputs: readonly string[], options: ConvertOptions, io: ConvertIo): Promise<number> {
  const toFile = options.output !== undefined && options.output !== '-';
  let out: Writable = io.stdout;
  if (toFile && inputs.some((input) => input !== '-' && sameFile(input, options.output as string))) {
    await write(io.stderr, `otel-langfuse-bridge convert: the output ${options.output as string} is also an input; nothing written\n`);
    return 2;
  }
  if (toFile) {
    try {
      out = (await open(options.output as string, 'w')).createWriteStream();
    } catch (err) {
      await write(io.stderr, `otel-langfuse-bridge convert: cannot write ${options.output as string}: ${errorText(err)}\n`);
      return 2;
    }
  }
  // Once the output fails, every later write throws OutputError and the conversion stops.
  let outputFailure: unknown;
  const onOutputError = (err: unknown): void => {
    outputFailure ??= err;
  };
  out.on('error', onOutputError);
  const emit = async (text: string | Uint8Array): Promise<void> => {
    if (outputFailure === undefined) {
      try {
        await write(out, text);
        return;
      } catch (err) {
        outputFailure ??= err;
      }
    }
    throw new OutputError(errorText(outputFailure));
  };
  const totals: Totals = { events: 0, spans: 0, lines: 0, issues: 0 };
  // On a terminal, one status line redrawn in place (cleared before anything else is written).
  const now = io.now ?? Date.now;
  const tty = io.stderr.isTTY === true;
  let progressShown = false;
  let lastProgress = now();
  const clearProgress = async (): Promise<void> => {
    if (!progressShown) return;
    progressShown = false;
    await write(io.stderr, CLEAR_LINE);
  };
  const progress = async (): Promise<void> => {
    if (!tty || now() - lastProgress < PROGRESS_EVERY_MILLIS) return;
    lastProgress = now();
    const n = (x: number): string => x.toLocaleString('en-US');
    await write(io.stderr, `${CLEAR_LINE}converting: ${n(totals.events)} events, ${n(totals.spans)} spans, ${n(totals.issues)} issues`);
    progressShown = true;
  };
  const report = async (where: string, issues: readonly MappingIssue[]): Promise<void> => {
    if (issues.length > 0) await clearProgress();
    totals.issues += issues.length;
    for (const issue of issues) await write(io.stderr, `${JSON.stringify({ input: where, ...issue })}\n`);
  };
  let direction: Direction | undefined;
  // One stream per client identity in the log, so each client's spans keep its own resource.
  const streams = new Map<string, IngestionSpanStream>();
  const streamFor = (metadata: unknown): IngestionSpanStream => {
    const identity = clientIdentity(metadata);
    const key = JSON.stringify(identity);
    let stream = streams.get(key);
    if (stream === undefined) {
      stream = new IngestionSpanStream({
        idleEvents: options.idleEvents,
        ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
        ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
        batchMetadata: identity,
      });
      streams.set(key, stream);
    }
    return stream;
  };

  const exporter: SpanExporter | undefined = options.endpoint === undefined ? undefined : new OTLPTraceExporter({ url: options.endpoint });
  const writeSpans = async (spans: ReadableSpan[]): Promise<void> => {
    if (spans.length === 0) return;
    if (exporter !== undefined) {
      const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
      if (result.code === ExportResultCode.SUCCESS) totals.spans += spans.length;
      else {
        const why = result.error?.message.slice(0, 300) ?? 'unknown error';
        await report('export', [{ code: 'SKIPPED', message: `OTLP export of ${spans.length} spans to ${options.endpoint ?? ''} failed: ${why}` }]);
      }
      totals.lines++;
      return;
    }
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    if (bytes === undefined) return;
    await emit(bytes);
    await emit('\n');
    totals.spans += spans.length;
    totals.lines++;
  };

  const handle = async (where: string, item: Classified): Promise<void> => {
    if (item.kind === 'unknown') {
      await report(where, [{ code: 'SKIPPED', message: 'not an ingestion batch, ingestion event or OTLP request' }]);
      return;
    }
    const wanted: Direction = item.kind === 'ingestion' ? 'to-otlp' : 'to-ingestion';
    direction ??= wanted;
    if (direction !== wanted) {
      const message = `${item.kind === 'ingestion' ? 'ingestion events' : 'an OTLP request'} in an input converted the other way; skipped`;
      await report(where, [{ code: 'SKIPPED', message }]);
      return;
    }
    if (item.kind === 'ingestion') {
      totals.events += item.events.length;
      const r = streamFor(item.metadata).push(item.events);
      await report(where, r.issues);
      await writeSpans(r.value);
    } else {
      await writeIngestion(where, otlpJsonToSpans(item.request));
    }
  };

  const writeIngestion = async (where: string, decoded: { value: ReadableSpan[]; issues: readonly MappingIssue[] }): Promise<void> => {
    await report(where, decoded.issues);
    const mapped = spansToIngestion(decoded.value, {
      ...(options.environment === undefined ? {} : { environment: options.environment }),
      ...(options.release === undefined ? {} : { release: options.release }),
      legacyTypes: options.legacyTypes === true,
    });
    await report(where, mapped.issues);
    totals.spans += decoded.value.length;
    const { requests, pieces } = splitIntoRequests(mapped.value, { maxBatchBytes: DEFAULT_MAX_BATCH_BYTES, maxEventBytes: DEFAULT_MAX_EVENT_BYTES });
    for (const [i, batch] of requests.entries()) {
      const metadata = { batch_size: batch.length, sdk_integration: 'otel-langfuse-bridge', sdk_name: 'otel-langfuse-bridge', sdk_version: VERSION };
      // From the texts the split already made.
      await emit(`${requestBodyParts(pieces[i] as string[], JSON.stringify(metadata)).join('')}\n`);
      totals.events += batch.length;
      totals.lines++;
    }
  };

  try {
    for (const input of inputs) {
      try {
        for await (const item of readItems(input, io.stdin)) {
          if ('bytes' in item) {
            direction ??= 'to-ingestion';
            if (direction !== 'to-ingestion') await report(item.where, [{ code: 'SKIPPED', message: 'OTLP protobuf in an input converted to OTLP; skipped' }]);
            else await writeIngestion(item.where, otlpProtobufToSpans(item.bytes));
          } else if (item.json instanceof LineError) {
            await report(item.where, [{ code: 'SKIPPED', message: item.json.message }]);
          } else {
            for (const part of classify(item.json)) await handle(item.where, part);
          }
          await progress();
        }
      } catch (err) {
        if (err instanceof OutputError) throw err;
        // An unreadable input (missing file, broken gzip) costs that input only.
        await report(input, [{ code: 'SKIPPED', message: `input not readable: ${errorText(err)}` }]);
      }
    }
    for (const stream of streams.values()) {
      const rest = stream.end();
      await report('end', rest.issues);
      await writeSpans(rest.value);
    }
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
  } finally {
    await exporter?.shutdown();
    if (toFile) {
      out.end();
      await finished(out).catch(onOutputError);
    }
    out.off('error', onOutputError);
  }
  await clearProgress();
  if (outputFailure !== undefined) {
    // A reader that went away (`| head`) is not an error of ours; anything else is.
    if ((outputFailure as { code?: unknown }).code === 'EPIPE') return totals.issues > 0 ? 1 : 0;
    await write(io.stderr, `otel-langfuse-bridge convert: cannot write ${toFile ? (options.output as string) : 'stdout'}: ${errorText(outputFailure)}\n`);
    return 2;
  }
  const what =
    direction === 'to-ingestion'
      ? `${totals.spans.toLocaleString('en-US')} spans -> ${totals.events.toLocaleString('en-US')} events in ${totals.lines.toLocaleString('en-US')} ingestion batches`
      : `${totals.events.toLocaleString('en-US')} events -> ${totals.spans.toLocaleString('en-US')} spans in ${totals.lines.toLocaleString('en-US')} OTLP requests${exporter ? ` to ${options.endpoint ?? ''}` : ''}`;
  await write(io.stderr, `otel-langfuse-bridge convert: ${what}; ${totals.issues.toLocaleString('en-US')} issues\n`);
  return totals.issues > 0 ? 1 : 0;
}
