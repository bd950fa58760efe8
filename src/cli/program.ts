/**
 * The command line: one file per command under ./commands, wired here. Every command resolves to
 * an exit code; usage errors exit 2 with the error and a pointer to that command's --help. Every
 * command logs through `diag` at `OTEL_LOG_LEVEL` (./logging.ts).
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { convertCommand } from './commands/convert.js';
import { mapCommand } from './commands/map.js';
import { serveCommand } from './commands/serve.js';
import type { ExitCode } from './exit.js';
import { setUpLogging } from './logging.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A reader that went away (`--help | head`) is not an error: the rest of the help is not wanted. */
function ignoreEpipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}

const PROCESS_IO: CliIo = {
  stdout: (text) => {
    if (!process.stdout.listeners('error').includes(ignoreEpipe)) process.stdout.on('error', ignoreEpipe);
    process.stdout.write(text);
  },
  stderr: (text) => process.stderr.write(text),
};

/** Runs the command line on `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<ExitCode> {
  let result: ExitCode | Promise<ExitCode> = 0;
  const done = (code: ExitCode | Promise<ExitCode>): void => {
    result = code;
  };
  const program = new Command('otel-langfuse-bridge')
    .description('OpenTelemetry <-> Langfuse: receive legacy Langfuse ingestion, forward OTLP; convert saved logs.')
    .version(VERSION, '-v, --version')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError()
    .exitOverride();
  for (const register of [serveCommand, convertCommand, mapCommand]) register(program, done);
  for (const command of program.commands) command.exitOverride().showHelpAfterError('(add --help for usage)');
  // OTEL_LOG_LEVEL for every command; a command whose stdout is data logs to stderr only.
  program.hook('preAction', (_program, action) => setUpLogging(process.env, action.name() === 'serve' ? 'console' : 'stderr'));
  program.addHelpText('after', '\nRun `otel-langfuse-bridge <command> --help` for a command\'s options and examples.');
  try {
    if (argv.length === 0) {
      io.stderr(program.helpInformation());
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return result;
}
