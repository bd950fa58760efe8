/**
 * The command line's help as users read it: each command's own --help names the environment
 * variables it reads and shows examples; help piped into a reader that goes away (`| head`)
 * ends quietly with exit 0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { watchOutput } from '../helpers/child-output.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function help(command: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', command, '--help'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COLUMNS: '400' } });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('--help', () => {
  test.for([
    ['serve', ['LANGFUSE_BRIDGE_PORT', 'LANGFUSE_BRIDGE_HOST', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'LANGFUSE_PUBLIC_KEY', 'LANGFUSE_SECRET_KEY', 'LANGFUSE_BRIDGE_SPOOL_DIR', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_LOG_LEVEL', 'LANGFUSE_HOST=', 'LANGFUSE_BASEURL=']],
    ['convert', ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_[TRACES_]HEADERS', 'LANGFUSE_BASE_URL', 'LANGFUSE_BASEURL', 'LANGFUSE_HOST', 'LANGFUSE_PUBLIC_KEY', 'LANGFUSE_SECRET_KEY', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_LOG_LEVEL']],
    ['map', ['OTEL_LOG_LEVEL']],
  ] as const)('%s --help names what it reads and has examples', ([command, names]) => {
    const text = help(command).replace(/\s+/g, ' ');
    expect(text).toContain('Examples:');
    expect(names.filter((name) => !text.includes(name))).toEqual([]);
  });

  test('help into a reader that went away: exit 0, nothing on stderr', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'convert', '--help'], { cwd: ROOT });
    child.stdout.destroy(); // the reader is gone before the help is written
    const out = watchOutput(child);
    expect(await out.exited).toBe(0);
    expect(out.text).toBe('');
  });
});
