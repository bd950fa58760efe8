/**
 * `serve`: the receiver as a long-running command. Spans go to `--endpoint` (or the OTLP endpoint
 * in the OTel environment), else to an OTLP/JSON lines file and a trace tree on the terminal.
 * SIGTERM / SIGINT: stop accepting, forward what is held, exit 0; a second signal exits at once
 * (the spool keeps what was not sent).
 */
import { diag } from '@opentelemetry/api';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { ConfigurationError } from '../../config/errors.js';
import { keyPairFromEnv } from '../../config/langfuse-env.js';
import type { AttributeDialect } from '../../mapping/to-otel/attributes.js';
import { createReceiver } from '../../receiver/create-receiver.js';
import type { Receiver } from '../../receiver/create-receiver.js';
import { defaultSpoolDir, RECEIVER_DEFAULTS } from '../../receiver/options.js';
import { consoleTreeTarget } from '../../receiver/targets/console-tree.js';
import { fanOut } from '../../receiver/targets/fan-out.js';
import { OtlpJsonLinesFileExporter } from '../../receiver/targets/file-exporter.js';
import { OTLP_PROTOCOLS, otlpEndpointInEnv, otlpTarget } from '../../receiver/targets/otlp.js';
import type { OtlpProtocol } from '../../receiver/targets/otlp.js';
import { spanExporterTarget } from '../../receiver/targets/span-exporter.js';
import type { ReceiverTarget } from '../../receiver/targets/target.js';
import type { ExitCode } from '../exit.js';
import { setUpLogging } from '../logging.js';
import { byteSize, httpUrl, port, positiveInteger } from '../parse.js';

interface ServeFlags {
  readonly port?: number;
  readonly host?: string;
  readonly endpoint?: string;
  readonly protocol?: OtlpProtocol;
  readonly output: string;
  readonly console?: boolean;
  readonly spoolDir?: string;
  readonly spoolMaxBytes?: number;
  readonly quietMillis?: number;
  readonly maxHoldMillis?: number;
  readonly deadLetter?: string;
  readonly serviceName?: string;
  readonly attributes?: AttributeDialect;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Where spans go: the flag, else the OTel environment's endpoint, else a file and the terminal. */
function targetOf(flags: ServeFlags, env: Env): ReceiverTarget {
  const terminal = consoleTreeTarget((text) => process.stdout.write(text));
  if (flags.endpoint !== undefined || otlpEndpointInEnv(env)) {
    const otlp = otlpTarget({ ...(flags.endpoint === undefined ? {} : { url: flags.endpoint }), ...(flags.protocol === undefined ? {} : { protocol: flags.protocol }) }, env);
    return flags.console === true ? fanOut([otlp, terminal]) : otlp;
  }
  const file = spanExporterTarget(new OtlpJsonLinesFileExporter(flags.output), `OTLP/JSON lines file ${flags.output}`);
  return flags.console === false ? file : fanOut([file, terminal]);
}

const envNumber = (env: Env, name: string, parse: (t: string) => number): number | undefined => {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : parse(v);
};

async function start(flags: ServeFlags, env: Env): Promise<Receiver> {
  const keys = keyPairFromEnv(env);
  const spoolDir = flags.spoolDir ?? defaultSpoolDir(env);
  const receiver = await createReceiver({
    exporter: targetOf(flags, env),
    host: flags.host ?? env.LANGFUSE_BRIDGE_HOST ?? '127.0.0.1',
    port: flags.port ?? envNumber(env, 'LANGFUSE_BRIDGE_PORT', port) ?? 3000,
    spoolDir,
    ...(keys === undefined ? {} : { keys: [keys] }),
    spoolMaxBytes: flags.spoolMaxBytes ?? envNumber(env, 'LANGFUSE_BRIDGE_SPOOL_MAX_BYTES', byteSize) ?? RECEIVER_DEFAULTS.spoolMaxBytes,
    quietMillis: flags.quietMillis ?? envNumber(env, 'LANGFUSE_BRIDGE_QUIET_MILLIS', positiveInteger) ?? RECEIVER_DEFAULTS.quietMillis,
    ...(flags.maxHoldMillis === undefined ? {} : { maxHoldMillis: flags.maxHoldMillis }),
    ...(flags.deadLetter === undefined ? {} : { deadLetterFile: flags.deadLetter }),
    ...(flags.serviceName ?? env.OTEL_SERVICE_NAME ? { serviceName: (flags.serviceName ?? env.OTEL_SERVICE_NAME) as string } : {}),
    ...(flags.attributes === undefined ? {} : { attributes: flags.attributes }),
  });
  const url = receiver.url;
  diag.info(
    `otel-langfuse-bridge receiver on ${url} -> ${receiver.target}; ${keys ? `Basic auth with ${keys.source}` : 'open (loopback only)'}; spool ${spoolDir}\n` +
      `  Point your apps here: LANGFUSE_HOST=${url} (Python SDK v2, litellm), LANGFUSE_BASEURL=${url} (JS/TS SDK v3, langfuse-vercel), ` +
      `LANGFUSE_BASE_URL=${url} (others)${keys ? ', with the same key pair' : ''}. Ctrl-C to stop.`,
  );
  return receiver;
}

async function runServe(flags: ServeFlags): Promise<ExitCode> {
  setUpLogging();
  let receiver: Receiver;
  try {
    receiver = await start(flags, process.env);
  } catch (err) {
    const usage = err instanceof ConfigurationError || err instanceof InvalidArgumentError;
    process.stderr.write(`otel-langfuse-bridge serve: ${err instanceof Error ? err.message : String(err)}\n`);
    return usage ? 2 : 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      // A second signal: exit at once; the spool keeps whatever was not sent.
      process.once('SIGINT', () => process.exit(1));
      process.once('SIGTERM', () => process.exit(1));
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  diag.info('otel-langfuse-bridge receiver: stopping (a second Ctrl-C exits at once; the spool keeps the rest)');
  await receiver.close();
  const s = receiver.stats();
  diag.info(
    `otel-langfuse-bridge receiver: ${s.requests} requests, ${s.accepted} events accepted, ${s.duplicates} duplicates, ${s.rejected} rejected, ` +
      `${s.forwardedSpans} spans forwarded, ${s.deadLetteredSpans} dead-lettered, ${s.pendingEvents} events left in the spool`,
  );
  return 0;
}

export function serveCommand(program: Command, done: (code: ExitCode | Promise<ExitCode>) => void): void {
  program
    .command('serve')
    .summary('receive Langfuse ingestion requests and forward complete traces as OTLP')
    .description(
      'Receive Langfuse ingestion requests (POST /api/public/ingestion) from any Langfuse client (Python SDK v2, litellm, ' +
        'JS/TS SDK v3, langfuse-vercel, Dify, REST) and forward each complete trace as OTLP: to --endpoint (or ' +
        'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT), else to the OTLP/JSON lines file -o and a trace tree ' +
        'on the terminal. Every event is on disk (the spool) before it is answered 201. Keys: LANGFUSE_BRIDGE_PUBLIC_KEY / ' +
        'LANGFUSE_BRIDGE_SECRET_KEY, else LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY (none: open, loopback only). Logs: OTEL_LOG_LEVEL.',
    )
    .option('--port <n>', 'port (default LANGFUSE_BRIDGE_PORT or 3000)', port)
    .option('--host <h>', 'interface (default LANGFUSE_BRIDGE_HOST or 127.0.0.1; 0.0.0.0 needs keys)')
    .option('--endpoint <url>', 'OTLP/HTTP traces URL to forward to, e.g. http://localhost:4318/v1/traces', httpUrl)
    .addOption(new Option('--protocol <p>', 'OTLP protocol (default OTEL_EXPORTER_OTLP_PROTOCOL or http/protobuf)').choices(OTLP_PROTOCOLS))
    .option('-o, --output <file>', 'OTLP/JSON lines file when no endpoint is set', 'otel-langfuse-bridge-traces.jsonl')
    .option('--console', 'also print trace trees when forwarding to an endpoint')
    .option('--no-console', 'no trace trees on the terminal (file output only)')
    .option('--spool-dir <dir>', `spool directory (default LANGFUSE_BRIDGE_SPOOL_DIR or ${defaultSpoolDir({})})`)
    .option('--spool-max-bytes <size>', 'spool cap; past it clients get 503 and keep their data (default LANGFUSE_BRIDGE_SPOOL_MAX_BYTES or 1GiB)', byteSize)
    .option('--quiet-millis <n>', 'a trace goes out once quiet this long and complete (default LANGFUSE_BRIDGE_QUIET_MILLIS or 5000)', positiveInteger)
    .option('--max-hold-millis <n>', 'an observation still open goes out marked incomplete after this long (default 900000)', positiveInteger)
    .option('--dead-letter <file>', 'where traces the backend refuses for good are kept (default <spool-dir>/dead-letter.jsonl)')
    .option('--service-name <name>', 'resource service.name of every span (default OTEL_SERVICE_NAME, else each client\'s integration)')
    .addOption(new Option('--attributes <dialect>', 'attribute keys in the OTLP output').choices(['langfuse', 'genai', 'both']))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ otel-langfuse-bridge serve                                   # trace trees + traces.jsonl, loopback\n' +
        '  $ otel-langfuse-bridge serve --endpoint http://localhost:4318/v1/traces\n' +
        '  $ LANGFUSE_PUBLIC_KEY=pk-lf-... LANGFUSE_SECRET_KEY=sk-lf-... otel-langfuse-bridge serve --host 0.0.0.0\n' +
        '  then, in the app: LANGFUSE_HOST=http://127.0.0.1:3000 (Python, litellm) or LANGFUSE_BASEURL=http://127.0.0.1:3000 (JS v3)',
    )
    .action((flags: ServeFlags) => done(runServe(flags)));
}
