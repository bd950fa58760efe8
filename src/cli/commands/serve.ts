/** `serve`: the receiver (Langfuse clients -> OTLP) as a long-running command. */
import { Option } from 'commander';
import type { Command } from 'commander';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { AttributeDialect } from '../../mapping/to-otel/attributes.js';
import { createReceiver, OtlpJsonLinesFileExporter } from '../../receiver/index.js';
import { DEFAULT_IDLE_EVENTS } from '../convert.js';
import type { ExitCode } from '../exit.js';
import { httpUrl, port, positiveInteger } from '../parse.js';

interface ServeFlags {
  readonly port?: number;
  readonly host?: string;
  readonly quietMillis: number;
  readonly idleEvents: number;
  readonly output: string;
  readonly endpoint?: string;
  readonly serviceName?: string;
  readonly attributes?: AttributeDialect;
}

async function runServe(flags: ServeFlags): Promise<ExitCode> {
  const env = process.env;
  const listenPort = flags.port ?? (env.LANGFUSE_BRIDGE_PORT === undefined ? 3000 : port(env.LANGFUSE_BRIDGE_PORT));
  const publicKey = env.LANGFUSE_BRIDGE_PUBLIC_KEY;
  const secretKey = env.LANGFUSE_BRIDGE_SECRET_KEY;
  const receiver = await createReceiver({
    exporter: flags.endpoint === undefined ? new OtlpJsonLinesFileExporter(flags.output) : new OTLPTraceExporter({ url: flags.endpoint }),
    host: flags.host ?? env.LANGFUSE_BRIDGE_HOST ?? '127.0.0.1',
    port: listenPort,
    quietMillis: flags.quietMillis,
    idleEvents: flags.idleEvents,
    ...(publicKey && secretKey ? { keys: [{ publicKey, secretKey }] } : {}),
    ...(flags.serviceName === undefined ? {} : { serviceName: flags.serviceName }),
    ...(flags.attributes === undefined ? {} : { attributes: flags.attributes }),
  });
  process.stderr.write(
    `otel-langfuse-bridge receiver on ${receiver.url} (set LANGFUSE_BASE_URL=${receiver.url}) -> ${flags.endpoint ?? flags.output}; ` +
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

export function serveCommand(program: Command, done: (code: ExitCode | Promise<ExitCode>) => void): void {
  program
    .command('serve')
    .summary('receive Langfuse ingestion requests and forward them as OTLP')
    .description(
      'Receive Langfuse ingestion requests (POST /api/public/ingestion) from any Langfuse client and ' +
        'forward them as OTLP: to --endpoint, else to the OTLP/JSON lines file -o. ' +
        'Keys: LANGFUSE_BRIDGE_PUBLIC_KEY / LANGFUSE_BRIDGE_SECRET_KEY (none: open, loopback only).',
    )
    .option('--port <n>', 'port (default LANGFUSE_BRIDGE_PORT or 3000)', port)
    .option('--host <h>', 'interface (default LANGFUSE_BRIDGE_HOST or 127.0.0.1)')
    .option('--quiet-millis <n>', 'forward what is held after this long without requests', positiveInteger, 5000)
    .option('--idle-events <n>', 'send a trace once <n> events came after its last', positiveInteger, DEFAULT_IDLE_EVENTS)
    .option('-o, --output <file>', 'the OTLP/JSON lines file when no --endpoint is given', 'otel-langfuse-bridge-traces.jsonl')
    .option('--endpoint <url>', 'POST the spans to this OTLP/HTTP traces URL (protobuf)', httpUrl)
    .option('--service-name <name>', 'resource service.name of the OTLP output')
    .addOption(new Option('--attributes <dialect>', 'attribute keys in OTLP output').choices(['langfuse', 'genai', 'both']))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ otel-langfuse-bridge serve --endpoint http://localhost:4318/v1/traces\n' +
        '  then, in the app: LANGFUSE_HOST=http://127.0.0.1:3000 (Python, litellm) or LANGFUSE_BASEURL=http://127.0.0.1:3000 (JS v3)',
    )
    .action((flags: ServeFlags) => done(runServe(flags)));
}
