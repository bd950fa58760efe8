/** The `map` command end to end, as a user runs it: a child process, exit codes, stdout, stderr. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseIngestionEvent } from '../../src/mapping/schema.js';
import { VERSION } from '../../src/version.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('otel-langfuse-bridge map', () => {
  test('maps every example file to a valid batch, exit 0, nothing on stderr', () => {
    const r = cli('map', 'examples/spans', '--compact');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const batches = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { batch: unknown[]; metadata: unknown });
    expect(batches.map((b) => b.metadata)).toEqual(
      ['ai-sdk', 'langfuse-tracing', 'openinference', 'otel', 'traceloop'].map((name) => ({
        sdk_integration: 'otel-langfuse-bridge',
        source: `examples/spans/${name}.json`,
      })),
    );
    for (const { batch } of batches) for (const event of batch) expect(parseIngestionEvent(event)).toMatchObject({ ok: true });
    expect(batches.reduce((n, b) => n + b.batch.length, 0)).toBe(37);
  });

  test('a bad span and an unreadable file: issues on stderr as JSON lines, good data still out, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'olb-cli-'));
    const good = JSON.parse(readFileSync(join(ROOT, 'examples/spans/otel.json'), 'utf8')) as Array<Record<string, unknown>>;
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ ...good[0], spanId: 'nope' }, good[1]]));
    writeFileSync(join(dir, 'b.json'), '{not json');
    const r = cli('map', dir, '--compact');
    expect(r.status).toBe(1);
    const issues = r.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(issues).toEqual([
      expect.objectContaining({ file: join(dir, 'a.json'), code: 'INVALID_ID', spanId: 'nope' }),
      expect.objectContaining({ file: join(dir, 'b.json'), code: 'SKIPPED' }),
    ]);
    const [batch] = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { batch: Array<{ type: string }> });
    expect(batch?.batch.map((e) => e.type)).toEqual(['trace-create', 'generation-create']);
  });

  test('usage errors exit 2; --help and --version exit 0', () => {
    expect(cli().status).toBe(2);
    expect(cli('map').status).toBe(2);
    expect(cli('frobnicate', 'x').status).toBe(2);
    expect(cli('map', '--bogus-flag', 'x').status).toBe(2);
    const help = cli('--help');
    expect([help.status, help.stdout.startsWith('Usage: otel-langfuse-bridge')]).toEqual([0, true]);
    for (const command of ['serve', 'convert', 'map']) {
      const own = cli(command, '--help');
      expect([own.status, own.stdout.startsWith(`Usage: otel-langfuse-bridge ${command}`), own.stdout.includes('Examples:')]).toEqual([0, true, true]);
    }
    // A usage error names the problem and points at the command's help; it does not print all of it.
    const bad = cli('map', '--bogus-flag', 'x');
    expect(bad.stderr).toContain("unknown option '--bogus-flag'");
    expect(bad.stderr).toContain('--help');
    expect(bad.stderr).not.toContain('Examples:');
    const version = cli('--version');
    expect([version.status, version.stdout]).toEqual([0, `${VERSION}\n`]);
  });

  test('VERSION matches package.json', () => {
    expect(VERSION).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
