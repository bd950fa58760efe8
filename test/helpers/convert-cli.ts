/**
 * `convert` from the sources (no build), run with exactly the environment a test gives it plus
 * PATH and HOME: the test machine's own OTEL_* and LANGFUSE_* variables stay out.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ConvertRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function convertWithEnv(args: readonly string[], env: Record<string, string>): Promise<ConvertRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'convert', ...args],
      { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } },
      (err, stdout, stderr) => resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
