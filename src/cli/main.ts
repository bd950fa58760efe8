#!/usr/bin/env node
/**
 * otel-langfuse-bridge command line.
 *   map <file|dir>...   span dumps (JSON) -> Langfuse ingestion batches on stdout
 * Exit codes: 0 clean, 1 some items had issues, 2 usage error.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spanDumpToReadableSpans } from '../mapping/span-dump.js';
import { spansToIngestion } from '../mapping/to-ingestion/index.js';
import type { MappingIssue } from '../mapping/result.js';
import { VERSION } from '../version.js';

const USAGE = `Usage: otel-langfuse-bridge <command> [options]

Commands:
  map <file|dir>...   Map OTel span dumps (JSON arrays of finished spans, as in examples/spans)
                      to Langfuse ingestion batches, printed as JSON on stdout.

Options:
  --legacy-types      Only span/generation/event types (Langfuse servers before v3.98.2)
  --environment <e>   Environment for spans that name none
  --release <r>       Release for spans that name none
  --compact           One batch per line instead of indented JSON
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

export function main(argv: string[]): number {
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
  if (command !== 'map' || rest.length === 0) {
    process.stderr.write(`${command === 'map' ? 'map needs at least one file or directory' : `unknown command "${command}"`}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return runMap(rest, values);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
