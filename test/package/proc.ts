/** Child processes for the package test: run to completion, or fail with everything they printed. */
import { spawn, spawnSync } from 'node:child_process';
import type { SpawnOptions, SpawnSyncOptions } from 'node:child_process';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): Ran {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs and throws unless it exits 0. */
export function must(command: string, args: readonly string[], options: SpawnSyncOptions = {}): Ran {
  const r = run(command, args, options);
  if (r.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited ${String(r.status)}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

/** As {@link must}, without blocking this process: for a child that talks to a server in here. */
export function mustAsync(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (status) => {
      if (status === 0) resolve({ status, stdout, stderr });
      else reject(new Error(`${[command, ...args].join(' ')} exited ${String(status)}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    });
  });
}

/**
 * The environment for a child on `node`: that Node first on PATH (so `#!/usr/bin/env node` and
 * npm's scripts use it), and none of the `npm_*` settings of the `npm run` that started us.
 */
export function envFor(node: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  return { ...env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, ...extra };
}

/** npm's own CLI script, to run it on another Node. */
export function npmCli(): string {
  const candidates = [
    process.env.npm_execpath,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ].filter((p): p is string => p !== undefined && p.endsWith('npm-cli.js'));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`npm-cli.js not found (tried ${candidates.join(', ')})`);
  return found;
}
