/** `convert`: the command-line face of ../convert.ts (saved ingestion logs <-> OTLP). */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { AttributeDialect } from '../../mapping/to-otel/attributes.js';
import { convert, DEFAULT_IDLE_EVENTS } from '../convert.js';
import type { ExitCode } from '../exit.js';
import { httpUrl, positiveInteger } from '../parse.js';

interface ConvertFlags {
  readonly output?: string;
  readonly endpoint?: string;
  readonly idleEvents: number;
  readonly serviceName?: string;
  readonly attributes?: AttributeDialect;
  readonly environment?: string;
  readonly release?: string;
  readonly legacyTypes?: boolean;
}

export function convertCommand(program: Command, done: (code: ExitCode | Promise<ExitCode>) => void): void {
  program
    .command('convert')
    .summary('saved Langfuse ingestion logs <-> OTLP (the direction follows the data)')
    .description(
      'Convert saved Langfuse ingestion requests (a request body, an array of them, JSON Lines of ' +
        'requests or of events; gzip or not; - for stdin) to OTLP/JSON lines or an OTLP endpoint, or ' +
        'OTLP (JSON, JSON Lines or protobuf) to ingestion request lines. The direction follows the data. ' +
        'Issues go to stderr as JSON lines; exit 0 clean, 1 when some items had issues, 2 on a usage error.',
    )
    .argument('<input...>', 'files, or - for stdin')
    .option('-o, --output <file>', 'write here instead of stdout')
    .option('--endpoint <url>', 'POST the spans to this OTLP/HTTP traces URL (protobuf; headers from OTEL_EXPORTER_OTLP_HEADERS)', httpUrl)
    .option('--idle-events <n>', 'write a trace once <n> events came after its last', positiveInteger, DEFAULT_IDLE_EVENTS)
    .option('--service-name <name>', 'resource service.name of the OTLP output')
    .addOption(new Option('--attributes <dialect>', 'attribute keys in OTLP output').choices(['langfuse', 'genai', 'both']).default('both'))
    .option('--environment <name>', 'OTLP -> ingestion: environment for spans that name none')
    .option('--release <name>', 'OTLP -> ingestion: release for spans that name none')
    .option('--legacy-types', 'OTLP -> ingestion: only span/generation/event types (Langfuse before v3.98.2)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ otel-langfuse-bridge convert requests.jsonl.gz -o traces.otlp.jsonl --service-name chat-api\n' +
        '  $ cat requests.jsonl | otel-langfuse-bridge convert - > traces.otlp.jsonl\n' +
        '  $ otel-langfuse-bridge convert requests.jsonl --endpoint http://localhost:4318/v1/traces\n' +
        '  $ otel-langfuse-bridge convert traces.pb -o batches.jsonl',
    )
    .action((inputs: string[], flags: ConvertFlags) => {
      const optional = <K extends keyof ConvertFlags>(key: K): Partial<Pick<ConvertFlags, K>> =>
        (flags[key] === undefined ? {} : { [key]: flags[key] }) as Partial<Pick<ConvertFlags, K>>;
      done(
        convert(
          inputs,
          {
            idleEvents: flags.idleEvents,
            legacyTypes: flags.legacyTypes === true,
            ...optional('output'),
            ...optional('endpoint'),
            ...optional('serviceName'),
            ...optional('attributes'),
            ...optional('environment'),
            ...optional('release'),
          },
          { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
        ) as Promise<ExitCode>,
      );
    });
}
