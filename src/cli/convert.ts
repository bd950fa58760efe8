/**
 * `convert`: saved Langfuse ingestion batches -> OTLP/JSON lines or an OTLP endpoint, and OTLP
 * (JSON or protobuf) -> ingestion batches (design.md 10). The I/O edge over the pure mapping,
 * wired here from the stages in ./convert/: inputs, reading, lines and documents, the two
 * directions, request batching, outputs, progress and the summary.
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Attributes } from '@opentelemetry/api';
import { resourceMerger } from '../config/resource-env.js';
import type { AttributeDialect } from '../mapping/to-otel/attributes.js';
import { otlpJsonToSpans } from '../otlp/otlp-json.js';
import { otlpProtobufToSpans } from '../otlp/otlp-proto.js';
import { DEFAULT_REQUEST_BOUNDS } from './convert/batches.js';
import type { RequestBounds } from './convert/batches.js';
import { classify } from './convert/documents.js';
import type { Classified } from './convert/documents.js';
import { expandInputs, inputThatIsOutput } from './convert/inputs.js';
import type { FileIdentity } from './convert/inputs.js';
import { fileOutput, NO_OUTPUT, OutputError, streamOutput } from './convert/output.js';
import type { LineOutput } from './convert/output.js';
import { createProgress } from './convert/progress.js';
import { readInput } from './convert/read.js';
import { createReporter, summaryLine } from './convert/report.js';
import { otlpHttpExporter } from './convert/endpoint.js';
import { langfuseSink } from './convert/langfuse-sink.js';
import type { LangfuseDestination } from './convert/langfuse-sink.js';
import { countingSink, endpointSink, jsonLinesSink } from './convert/sinks.js';
import { createTraceFilter, RECORD_TIMES, SPAN_TIMES } from './convert/time-window.js';
import type { TimeWindow } from './convert/time-window.js';
import { createToIngestion } from './convert/to-ingestion.js';
import { createToOtlp } from './convert/to-otlp.js';

export { DEFAULT_REQUEST_BOUNDS } from './convert/batches.js';

export interface ConvertOptions {
  /** Output file; stdout when undefined or `-`. Written beside it first, renamed over it when the run succeeds. */
  readonly output?: string;
  /**
   * OTLP/HTTP traces URL (`http://localhost:4318/v1/traces`) to POST the spans to, with the stock
   * protobuf exporter (its retries, timeouts and `OTEL_EXPORTER_OTLP_*` headers), instead of
   * writing OTLP/JSON lines. Ingestion -> OTLP only.
   */
  readonly endpoint?: string;
  /**
   * Replay into Langfuse v4 (spans over OTLP as Langfuse stores observations, scores through the
   * ingestion endpoint) instead of writing OTLP/JSON lines. Ingestion -> OTLP only.
   */
  readonly langfuse?: LangfuseDestination;
  /** Request headers for `endpoint` (auth), over the `OTEL_EXPORTER_OTLP_*HEADERS` ones. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Added to every span's resource (`OTEL_RESOURCE_ATTRIBUTES`), under what the client's own resource says. */
  readonly resourceAttributes?: Attributes;
  /** Events after which an idle trace is written (ingestion -> OTLP). */
  readonly idleEvents: number;
  readonly serviceName?: string;
  readonly attributes?: AttributeDialect;
  /** OTLP -> ingestion options. */
  readonly environment?: string;
  readonly release?: string;
  readonly legacyTypes?: boolean;
  /** Validate, map and count; write and send nothing. */
  readonly dryRun?: boolean;
  /** Keep the traces that start in [since, until). */
  readonly window?: TimeWindow;
  /** Longest line (or protobuf piece) read, in bytes; a longer one is an issue. Default {@link DEFAULT_MAX_LINE_BYTES}. */
  readonly maxLineBytes?: number;
  /** Spans and bytes per OTLP request. Default {@link DEFAULT_REQUEST_BOUNDS}. */
  readonly requestBounds?: RequestBounds;
}

export interface ConvertIo {
  readonly stdin: NodeJS.ReadableStream;
  /** What fd 0 is (`fstat`), to refuse an output that is stdin's file and to size the progress. */
  readonly stdinFile?: FileIdentity;
  readonly stdout: Writable;
  /** Issues (JSON lines) and the summary; the progress too when it is a terminal. */
  readonly stderr: Writable & { readonly isTTY?: boolean };
  /** Milliseconds clock for the progress; default `Date.now`. */
  readonly now?: () => number;
}

/** Default idle window: a trace is written once 10,000 events came after its last one. */
export const DEFAULT_IDLE_EVENTS = 10_000;
/** Default cap of one input line: 32 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;

type Direction = 'to-otlp' | 'to-ingestion';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err);
}

/**
 * Converts every input into `options.output`. The direction follows the data: the first ingestion
 * batch (or event) makes the output OTLP (requests of many traces, within `requestBounds`); the
 * first OTLP request makes it ingestion batch lines. Items of the other kind are issues. Resolves
 * with the exit code: 0 clean, 1 when some items had issues, 2 when the output could not be written.
 */
export async function convert(args: readonly string[], options: ConvertOptions, io: ConvertIo): Promise<number> {
  const fail = async (message: string): Promise<number> => {
    io.stderr.write(`otel-langfuse-bridge convert: ${message}\n`);
    return 2;
  };
  const inputs = expandInputs(args, io.stdinFile);
  const sends = options.endpoint !== undefined || options.langfuse !== undefined;
  const toFile = options.output !== undefined && options.output !== '-' && options.dryRun !== true && !sends;
  if (toFile) {
    const clash = inputThatIsOutput(options.output as string, inputs, io.stdinFile);
    if (clash !== undefined) return fail(`the output ${options.output as string} is also an input${clash === 'stdin' ? ' (stdin)' : ''}; nothing written`);
  }
  let output: LineOutput = options.dryRun === true ? NO_OUTPUT : streamOutput(io.stdout);
  if (toFile) {
    try {
      output = await fileOutput(options.output as string, `${process.pid}-${randomBytes(4).toString('hex')}`);
    } catch (err) {
      return fail(`cannot write ${options.output as string}: ${errorText(err)}`);
    }
  }
  const total = inputs.every((i) => i.size !== undefined) ? inputs.reduce((n, i) => n + (i.size ?? 0), 0) : undefined;
  const progress = createProgress(io.stderr, total, io.now ?? Date.now);
  const reporter = createReporter(progress);
  const totals = reporter.totals;
  const filter = createTraceFilter(options.window ?? {});
  const bounds = options.requestBounds ?? DEFAULT_REQUEST_BOUNDS;
  const sink =
    options.dryRun === true
      ? countingSink(reporter)
      : options.langfuse !== undefined
        ? langfuseSink(options.langfuse, bounds, reporter)
        : options.endpoint !== undefined
        ? endpointSink(otlpHttpExporter(options.endpoint, options.headers), options.endpoint, bounds, reporter)
        : jsonLinesSink(output, bounds, reporter);
  const withResource = resourceMerger(options.resourceAttributes ?? {});
  const toOtlp = createToOtlp(options, (records) => withResource(filter.keep(records, RECORD_TIMES)), sink, reporter);
  const toIngestion = createToIngestion(options, (spans) => filter.keep(spans, SPAN_TIMES), options.dryRun === true ? undefined : (line) => output.write(line), reporter);

  let direction: Direction | undefined;
  const wants = async (where: string, wanted: Direction, what: string): Promise<boolean> => {
    direction ??= wanted;
    if (direction === wanted) return true;
    await reporter.report(where, [{ code: 'SKIPPED', message: `${what} in an input converted the other way; skipped` }]);
    return false;
  };
  /** Handles one item; a promise only when there is something to wait for (the common item, events of the direction taken, has none). */
  const handle = (where: string, item: Classified): Promise<void> | undefined => {
    if (item.kind === 'ingestion' && (direction ??= 'to-otlp') === 'to-otlp') return toOtlp.push(where, item.events, item.metadata);
    return (async () => {
      if (item.kind === 'unknown') await reporter.report(where, [{ code: 'SKIPPED', message: 'not an ingestion batch, ingestion event or OTLP request' }]);
      else if (item.kind === 'ingestion') {
        if (await wants(where, 'to-otlp', 'ingestion events')) await toOtlp.push(where, item.events, item.metadata);
      } else if (await wants(where, 'to-ingestion', 'an OTLP request')) await toIngestion(where, otlpJsonToSpans(item.request));
    })();
  };

  let unread: string | undefined;
  let failure: OutputError | undefined;
  try {
    for (const input of inputs) {
      const name = input.path === '-' ? 'stdin' : input.path;
      try {
        const items = await readInput(input.path, io.stdin, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, (bytes) => {
          totals.read += bytes;
        });
        if (items.kind === 'protobuf') {
          for await (const piece of items.pieces) {
            if ('issue' in piece) await reporter.report(name, [{ code: 'INVALID_PROTOBUF', message: piece.issue }]);
            else if (await wants(name, 'to-ingestion', 'OTLP protobuf')) await toIngestion(name, otlpProtobufToSpans(piece.bytes));
            reporter.tick();
          }
        } else {
          for await (const documents of items.groups) {
            for (const doc of documents) {
              if ('error' in doc) await reporter.report(doc.where, [{ code: 'SKIPPED', message: doc.error }]);
              else {
                for (const part of classify(doc.json)) {
                  const pending = handle(doc.where, part);
                  if (pending !== undefined) await pending;
                }
              }
              reporter.tick();
            }
          }
        }
      } catch (err) {
        if (err instanceof OutputError) throw err;
        // An unreadable input (missing file, broken gzip) costs that input only, but the output
        // file is then left as it was: a run that missed an input must not replace it.
        unread ??= name;
        await reporter.report(name, [{ code: 'SKIPPED', message: `input not readable: ${errorText(err)}` }]);
      }
    }
    await toOtlp.end();
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    failure = err;
  }
  totals.skippedTraces = filter.skippedTraces;
  try {
    await output.close(failure === undefined && unread === undefined);
  } catch (err) {
    failure ??= err instanceof OutputError ? err : new OutputError(err);
  }
  await progress.stop();
  if (failure !== undefined) {
    // A reader that went away (`| head`) is not an error of ours; anything else is.
    if (failure.code === 'EPIPE') return totals.issues > 0 ? 1 : 0;
    return fail(`cannot write ${toFile ? (options.output as string) : 'stdout'}: ${failure.message}${toFile ? '; the file was left as it was' : ''}`);
  }
  const notWritten = toFile && unread !== undefined ? `${options.output as string} not written: input ${unread} could not be read` : undefined;
  const to = options.langfuse !== undefined ? `Langfuse ${options.langfuse.baseUrl}` : options.endpoint;
  io.stderr.write(summaryLine(totals, { direction, ...(to === undefined ? {} : { endpoint: to }), dryRun: options.dryRun === true, ...(notWritten ? { notWritten } : {}) }));
  return totals.issues > 0 ? 1 : 0;
}
