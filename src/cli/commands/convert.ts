/**
 * `convert`: the command-line face of ../convert.ts (saved ingestion logs <-> OTLP), with the
 * OpenTelemetry and Langfuse environment: `--endpoint` alone takes the URL from
 * `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, `--langfuse` from the Langfuse variables, and the OTLP
 * output's resource follows `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES`. Without either flag
 * the spans go to stdout or `-o`, whatever the environment says.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { HrTime } from '@opentelemetry/api';
import { langfuseDestination } from '../../config/langfuse-env.js';
import type { LangfuseDestination } from '../../config/langfuse-env.js';
import { otlpProtobufEndpoint } from '../../config/otlp-env.js';
import { envResource } from '../../config/resource-env.js';
import type { AttributeDialect } from '../../mapping/to-otel/attributes.js';
import { convert, DEFAULT_IDLE_EVENTS, DEFAULT_MAX_LINE_BYTES, DEFAULT_REQUEST_BOUNDS } from '../convert.js';
import { stdinIdentity } from '../convert/inputs.js';
import { parseWindowTime } from '../convert/time-window.js';
import type { ExitCode } from '../exit.js';
import { httpUrl, positiveInteger } from '../parse.js';

interface ConvertFlags {
  readonly output?: string;
  /** `true`: `--endpoint` without a URL (the environment's). */
  readonly endpoint?: string | true;
  readonly langfuse?: boolean;
  readonly langfuseUrl?: string;
  readonly idleEvents: number;
  readonly serviceName?: string;
  readonly attributes?: AttributeDialect;
  readonly environment?: string;
  readonly release?: string;
  readonly legacyTypes?: boolean;
  readonly dryRun?: boolean;
  readonly since?: HrTime;
  readonly until?: HrTime;
  readonly maxLineBytes: number;
  readonly maxRequestSpans: number;
  readonly maxRequestBytes: number;
}

function windowTime(text: string): HrTime {
  const t = parseWindowTime(text);
  if (t === undefined) throw new InvalidArgumentError('must be an ISO-8601 date (2025-02-07) or date-time with an offset (2025-02-07T08:00:00Z)');
  return t;
}

const MIB = 1024 * 1024;

/** An --endpoint value; a file name taken for one (`--endpoint logs.jsonl`) is told how to write it. */
function endpointUrl(text: string): string {
  try {
    return httpUrl(text);
  } catch {
    throw new InvalidArgumentError('must be an http(s) URL (for the URL of OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT, give --endpoint alone after the inputs)');
  }
}

/** Where spans are POSTed, if anywhere: `--langfuse-url` / `--langfuse`, `--endpoint [url]`, else nowhere (a file or stdout). */
function destinationOf(flags: ConvertFlags, env: NodeJS.ProcessEnv): { endpoint?: string; langfuse?: LangfuseDestination } {
  if (flags.langfuseUrl !== undefined || flags.langfuse === true) return { langfuse: langfuseDestination(env, flags.langfuseUrl) };
  return flags.endpoint === undefined ? {} : { endpoint: otlpProtobufEndpoint(flags.endpoint === true ? undefined : flags.endpoint, env) };
}

export function convertCommand(program: Command, done: (code: ExitCode | Promise<ExitCode>) => void): void {
  program
    .command('convert')
    .summary('saved Langfuse ingestion logs <-> OTLP (the direction follows the data)')
    .description(
      'Convert saved Langfuse ingestion requests (a request body, an array of them, JSON Lines of ' +
        'requests or of events; gzip or not; files, directories, - for stdin) to OTLP/JSON lines or an OTLP endpoint, or ' +
        'OTLP (JSON, JSON Lines or protobuf) to ingestion request lines. The direction follows the data. ' +
        `Each OTLP request holds the spans of many traces, at most ${DEFAULT_REQUEST_BOUNDS.maxSpans} spans and ` +
        `${DEFAULT_REQUEST_BOUNDS.maxBytes / MIB} MiB (OTLP/JSON bytes; an upper bound of the protobuf bytes over --endpoint), ` +
        'unless set below. An output file is written beside its target and renamed over it only when every input was read. ' +
        'Issues go to stderr as JSON lines; exit 0 clean, 1 when some items had issues, 2 on a usage or output error. ' +
        'Logs: OTEL_LOG_LEVEL, on stderr.',
    )
    .argument('<input...>', 'files, directories (their files, in name order), or - for stdin')
    .option('-o, --output <file>', 'write here instead of stdout (never one of the inputs)')
    .option(
      '--endpoint [url]',
      'POST the spans to this OTLP/HTTP traces URL (protobuf; headers from OTEL_EXPORTER_OTLP_[TRACES_]HEADERS); alone: ' +
        'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, else http://localhost:4318/v1/traces',
      endpointUrl,
    )
    .addOption(
      new Option(
        '--langfuse-url <url>',
        'replay into Langfuse v4 at this base URL (e.g. https://cloud.langfuse.com): each observation once over OTLP, ' +
          'scores through the ingestion endpoint; keys LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY',
      )
        .argParser(httpUrl)
        .conflicts(['endpoint', 'langfuse']),
    )
    .addOption(
      new Option(
        '--langfuse',
        '--langfuse-url with the base URL of LANGFUSE_BASE_URL (or LANGFUSE_BASEURL, LANGFUSE_HOST; default https://cloud.langfuse.com)',
      ).conflicts('endpoint'),
    )
    .option('--dry-run', 'validate, map and count; write and send nothing')
    .option('--since <time>', 'keep only traces that start at or after this time (ISO-8601)', windowTime)
    .option('--until <time>', 'keep only traces that start before this time (ISO-8601)', windowTime)
    .option('--idle-events <n>', 'write a trace once <n> events came after its last', positiveInteger, DEFAULT_IDLE_EVENTS)
    .option('--service-name <name>', "resource service.name of the OTLP output (default OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else each client's integration)")
    .addOption(new Option('--attributes <dialect>', 'attribute keys in OTLP output').choices(['langfuse', 'genai', 'both']).default('both'))
    .option('--max-request-spans <n>', 'spans per OTLP request', positiveInteger, DEFAULT_REQUEST_BOUNDS.maxSpans)
    .option('--max-request-bytes <n>', 'bytes per OTLP request (a single larger span goes alone)', positiveInteger, DEFAULT_REQUEST_BOUNDS.maxBytes)
    .option('--max-line-bytes <n>', 'longest input line (or protobuf piece) read; a longer one is an issue and skipped', positiveInteger, DEFAULT_MAX_LINE_BYTES)
    .option('--environment <name>', 'OTLP -> ingestion: environment for spans that name none')
    .option('--release <name>', 'OTLP -> ingestion: release for spans that name none')
    .option('--legacy-types', 'OTLP -> ingestion: only span/generation/event types (Langfuse before v3.98.2)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ otel-langfuse-bridge convert requests.jsonl.gz -o traces.otlp.jsonl --service-name chat-api\n' +
        '  $ otel-langfuse-bridge convert logs/ old.jsonl -o traces.otlp.jsonl --since 2025-02-01 --until 2025-03-01\n' +
        '  $ cat requests.jsonl | otel-langfuse-bridge convert - > traces.otlp.jsonl\n' +
        '  $ otel-langfuse-bridge convert requests.jsonl --dry-run\n' +
        '  $ otel-langfuse-bridge convert requests.jsonl --endpoint http://localhost:4318/v1/traces\n' +
        '  $ OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 otel-langfuse-bridge convert requests.jsonl --endpoint\n' +
        '  $ LANGFUSE_PUBLIC_KEY=pk-lf-... LANGFUSE_SECRET_KEY=sk-lf-... otel-langfuse-bridge convert logs/ --langfuse-url https://cloud.langfuse.com\n' +
        '  $ otel-langfuse-bridge convert traces.pb -o batches.jsonl',
    )
    .action((inputs: string[], flags: ConvertFlags, command: Command) => {
      const resource = envResource(process.env);
      const destination = destinationOf(flags, process.env);
      const serviceName = flags.serviceName ?? resource.serviceName;
      // Towards Langfuse, its own keys only (nothing twice in metadata.attributes), unless asked otherwise.
      const toLangfuse = flags.langfuse === true || flags.langfuseUrl !== undefined;
      const attributes = toLangfuse && command.getOptionValueSource('attributes') !== 'cli' ? 'langfuse' : flags.attributes;
      const optional = <K extends keyof ConvertFlags>(key: K): Partial<Pick<ConvertFlags, K>> =>
        (flags[key] === undefined ? {} : { [key]: flags[key] }) as Partial<Pick<ConvertFlags, K>>;
      const stdinFile = inputs.includes('-') ? stdinIdentity() : undefined;
      done(
        convert(
          inputs,
          {
            idleEvents: flags.idleEvents,
            legacyTypes: flags.legacyTypes === true,
            dryRun: flags.dryRun === true,
            maxLineBytes: flags.maxLineBytes,
            requestBounds: { maxSpans: flags.maxRequestSpans, maxBytes: flags.maxRequestBytes },
            window: { ...optional('since'), ...optional('until') },
            ...optional('output'),
            ...destination,
            ...(serviceName === undefined ? {} : { serviceName }),
            ...(attributes === undefined ? {} : { attributes }),
            resourceAttributes: resource.attributes,
            ...optional('environment'),
            ...optional('release'),
          },
          { stdin: process.stdin, ...(stdinFile ? { stdinFile } : {}), stdout: process.stdout, stderr: process.stderr },
        ) as Promise<ExitCode>,
      );
    });
}
