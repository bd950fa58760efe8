/**
 * `serve`: the receiver as a long-running command (./serve/: the flags made into a receiver, the
 * worker thread it runs in, and the main thread that supervises it).
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { defaultSpoolDir } from '../../receiver/options.js';
import { OTLP_PROTOCOLS } from '../../receiver/targets/otlp.js';
import type { ExitCode } from '../exit.js';
import { byteSize, httpUrl, port, positiveInteger } from '../parse.js';
import type { Env, ServeFlags } from '../serve/start.js';
import { envNumber } from '../serve/start.js';
import { DEFAULT_MAX_HEAP_MIB, supervise } from '../serve/supervisor.js';

/** The receiver thread's heap bound: --max-heap-mib, else LANGFUSE_BRIDGE_MAX_HEAP_MIB; undefined: the supervisor's default. */
export function maxHeapMibOf(flags: ServeFlags, env: Env): number | undefined {
  return flags.maxHeapMib ?? envNumber(env, 'LANGFUSE_BRIDGE_MAX_HEAP_MIB', positiveInteger);
}

async function runServe(flags: ServeFlags): Promise<ExitCode> {
  const maxHeapMib = maxHeapMibOf(flags, process.env);
  return supervise(maxHeapMib === undefined ? flags : { ...flags, maxHeapMib }, process.env);
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
        'LANGFUSE_BRIDGE_SECRET_KEY, else LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY (none: open, loopback only). Resource: ' +
        "OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES (added under each client's own attributes). Logs: OTEL_LOG_LEVEL.",
    )
    .option('--port <n>', 'port (default LANGFUSE_BRIDGE_PORT or 3000)', port)
    .option('--host <h>', 'interface (default LANGFUSE_BRIDGE_HOST or 127.0.0.1; 0.0.0.0 needs keys)')
    .option('--endpoint <url>', 'OTLP/HTTP traces URL to forward to, e.g. http://localhost:4318/v1/traces', httpUrl)
    .option('--langfuse-url <url>', 'forward to Langfuse v4 at this base URL (e.g. https://cloud.langfuse.com) with each client\'s own key pair', httpUrl)
    .addOption(new Option('--protocol <p>', 'OTLP protocol (default OTEL_EXPORTER_OTLP_PROTOCOL or http/protobuf)').choices(OTLP_PROTOCOLS))
    .option('-o, --output <file>', 'OTLP/JSON lines file when no endpoint is set', 'otel-langfuse-bridge-traces.jsonl')
    .option('--console', 'also print trace trees when forwarding to an endpoint')
    .option('--no-console', 'no trace trees on the terminal (file output only)')
    .option('--spool-dir <dir>', `spool directory (default LANGFUSE_BRIDGE_SPOOL_DIR or ${defaultSpoolDir({})})`)
    .option('--spool-max-bytes <size>', 'spool cap; past it clients get 503 and keep their data (default LANGFUSE_BRIDGE_SPOOL_MAX_BYTES or 1GiB)', byteSize)
    .option('--quiet-millis <n>', 'a trace goes out once quiet this long and complete (default LANGFUSE_BRIDGE_QUIET_MILLIS or 5000)', positiveInteger)
    .option('--max-hold-millis <n>', 'an observation still open goes out marked incomplete after this long (default 900000)', positiveInteger)
    .option('--max-heap-mib <n>', `heap bound of the receiver thread; it is restarted if ever reached (default LANGFUSE_BRIDGE_MAX_HEAP_MIB or ${DEFAULT_MAX_HEAP_MIB})`, positiveInteger)
    .option('--dead-letter <file>', 'where traces the backend refuses for good are kept (default <spool-dir>/dead-letter.jsonl)')
    .option('--service-name <name>', "resource service.name of every span (default OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else each client's integration)")
    .addOption(new Option('--attributes <dialect>', 'attribute keys in the OTLP output').choices(['langfuse', 'genai', 'both']))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ otel-langfuse-bridge serve                                   # trace trees + traces.jsonl, loopback\n' +
        '  $ otel-langfuse-bridge serve --endpoint http://localhost:4318/v1/traces\n' +
        '  $ otel-langfuse-bridge serve --langfuse-url https://cloud.langfuse.com --host 0.0.0.0   # to Langfuse v4, clients keep their keys\n' +
        '  $ LANGFUSE_PUBLIC_KEY=pk-lf-... LANGFUSE_SECRET_KEY=sk-lf-... otel-langfuse-bridge serve --host 0.0.0.0\n' +
        '  $ OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 OTEL_SERVICE_NAME=chat-api otel-langfuse-bridge serve\n' +
        '  then, in the app: LANGFUSE_HOST=http://127.0.0.1:3000 (Python, litellm), LANGFUSE_BASEURL=http://127.0.0.1:3000 (JS v3)\n' +
        '  or LANGFUSE_BASE_URL=http://127.0.0.1:3000 (other clients)',
    )
    .action((flags: ServeFlags) => done(runServe(flags)));
}
