/** `map`: OTel span dumps (JSON, as in examples/spans) -> Langfuse ingestion batches on stdout. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { MappingIssue } from '../../mapping/result.js';
import { spanDumpToReadableSpans } from '../../mapping/span-dump.js';
import { spansToIngestion } from '../../mapping/to-ingestion/index.js';
import type { ExitCode } from '../exit.js';

interface MapFlags {
  readonly legacyTypes?: boolean;
  readonly environment?: string;
  readonly release?: string;
  readonly compact?: boolean;
}

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

function runMap(paths: readonly string[], flags: MapFlags): ExitCode {
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
      legacyTypes: flags.legacyTypes === true,
      ...(flags.environment === undefined ? {} : { environment: flags.environment }),
      ...(flags.release === undefined ? {} : { release: flags.release }),
    });
    const issues = [...spans.issues, ...mapped.issues];
    writeIssues(file, issues);
    issueCount += issues.length;
    const batch = { batch: mapped.value, metadata: { sdk_integration: 'otel-langfuse-bridge', source: file } };
    process.stdout.write(`${JSON.stringify(batch, null, flags.compact === true ? undefined : 2)}\n`);
  }
  return issueCount > 0 ? 1 : 0;
}

export function mapCommand(program: Command, done: (code: ExitCode | Promise<ExitCode>) => void): void {
  program
    .command('map')
    .summary('OTel span dumps (JSON) -> Langfuse ingestion batches on stdout')
    .description(
      'Map OTel span dumps (JSON arrays of finished spans, as in examples/spans) to Langfuse ingestion ' +
        'batches, one per file, printed as JSON on stdout. Issues go to stderr as JSON lines. Logs: OTEL_LOG_LEVEL, on stderr.',
    )
    .argument('<file|dir...>', 'span dump files, or directories of *.json files')
    .option('--legacy-types', 'only span/generation/event types (Langfuse servers before v3.98.2)')
    .option('--environment <name>', 'environment for spans that name none')
    .option('--release <name>', 'release for spans that name none')
    .option('--compact', 'one batch per line instead of indented JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ otel-langfuse-bridge map examples/spans\n' +
        '  $ otel-langfuse-bridge map spans.json --compact --legacy-types --environment prod',
    )
    .action((paths: string[], flags: MapFlags) => done(runMap(paths, flags)));
}
