/**
 * One consumer project per OpenTelemetry JS line: a fresh directory that installs the tarball and
 * the line's SDK with npm on the line's Node, then checks the install, the types and the code.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sdkLineSource } from './lines.js';
import type { OtelLine } from './lines.js';
import { envFor, must, npmCli, run } from './proc.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '..', '..');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const FIXTURE = join(REPO, 'test', 'fixtures', 'batches', 'litellm-batch.json');
const CONSUMER_FILES = ['smoke.ts', 'fakes.ts', 'types-check.ts'];

/** Installs; fails on any peer conflict, engine mismatch or invalid tree. Returns what npm printed. */
export function install(line: OtelLine, node: string, tarball: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  const npm = (args: string[]) => run(node, [npmCli(), ...args], { cwd: dir, env: envFor(node) });
  const installed = npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--engine-strict', ...line.dependencies, tarball]);
  const printed = `${installed.stdout}${installed.stderr}`;
  if (installed.status !== 0 || /ERESOLVE|overriding peer|EBADENGINE|invalid/i.test(printed)) {
    throw new Error(`npm install beside ${line.name} failed or warned:\n${printed}`);
  }
  const listed = npm(['ls', '--all']);
  if (listed.status !== 0) throw new Error(`npm ls --all beside ${line.name}:\n${listed.stdout}${listed.stderr}`);
  return printed;
}

function tsconfig(dir: string, name: string, compilerOptions: Record<string, unknown>, include: string[]): string {
  const path = join(dir, name);
  const base = {
    target: 'ES2022',
    lib: ['ES2023'],
    strict: true,
    // Every declaration file is checked once per line (node16 ESM, below); the other resolutions
    // skip that (seconds each). A declaration that fails to resolve still shows: as `any`, which
    // types-check.ts refuses.
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    typeRoots: [join(REPO, 'node_modules', '@types')],
  };
  writeFileSync(path, JSON.stringify({ compilerOptions: { ...base, ...compilerOptions }, include }, null, 2));
  return path;
}

/**
 * Type-checks the consumer files with node16 (ESM, emitting build/ to run; and CommonJS), bundler
 * and node10 resolution. Returns the resolutions checked.
 */
export function typeCheck(line: OtelLine, dir: string): string[] {
  for (const f of CONSUMER_FILES) copyFileSync(join(HERE, 'consumer', f), join(dir, f));
  writeFileSync(join(dir, 'sdk-line.ts'), sdkLineSource(line));
  copyFileSync(FIXTURE, join(dir, 'litellm-batch.json'));
  // The same checks from a CommonJS package: `require` conditions, .d.cts declarations.
  mkdirSync(join(dir, 'cjs'), { recursive: true });
  writeFileSync(join(dir, 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs' }));
  copyFileSync(join(dir, 'types-check.ts'), join(dir, 'cjs', 'types-check.ts'));
  writeFileSync(join(dir, 'cjs', 'sdk-line.ts'), sdkLineSource(line));

  const typed = ['types-check.ts', 'sdk-line.ts'];
  const configs: Array<[string, string]> = [
    ['node16 (ESM)', tsconfig(dir, 'tsconfig.node16.json', { module: 'node16', moduleResolution: 'node16', outDir: 'build', rootDir: '.', skipLibCheck: false }, [...CONSUMER_FILES, 'sdk-line.ts'])],
    ['node16 (CommonJS)', tsconfig(dir, 'tsconfig.node16-cjs.json', { module: 'node16', moduleResolution: 'node16', noEmit: true }, typed.map((f) => `cjs/${f}`))],
    ['bundler', tsconfig(dir, 'tsconfig.bundler.json', { module: 'esnext', moduleResolution: 'bundler', noEmit: true }, typed)],
    ['node10', tsconfig(dir, 'tsconfig.node10.json', { module: 'commonjs', moduleResolution: 'node10', noEmit: true }, typed)],
  ];
  for (const [, config] of configs) must(process.execPath, [TSC, '-p', config], { cwd: dir });
  return configs.map(([name]) => name);
}

/** The compiled smoke test (consumer/smoke.ts) on the line's Node; returns its `ok` lines. */
export function smoke(node: string, dir: string): string {
  // Only traces: the SDK would otherwise also start the metrics and logs pipelines from the env.
  const env = envFor(node, { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' });
  return must(node, [join('build', 'smoke.js')], { cwd: dir, env, timeout: 120_000 }).stdout;
}

/**
 * Importing `.` must not load the HTTP client (undici is loaded at the first send). Checked for the
 * ESM import and the CommonJS require, each in a fresh process: an ESM import of a CommonJS file
 * lands in the same module cache. Returns how many files the CommonJS require loads.
 */
export function moduleGraph(node: string, dir: string): number {
  const loaded = (mode: 'module' | 'commonjs'): number => {
    const code = [
      mode === 'module' ? "import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/');" : '',
      'const before = new Set(Object.keys(require.cache));',
      mode === 'module' ? "await import('otel-langfuse-bridge');" : "require('otel-langfuse-bridge');",
      'const loaded = Object.keys(require.cache).filter((f) => !before.has(f));',
      'console.log(JSON.stringify({ modules: loaded.length, undici: loaded.filter((f) => /[\\\\/]undici[\\\\/]/.test(f)).length }));',
    ].join('\n');
    const out = JSON.parse(must(node, [`--input-type=${mode}`, '-e', code], { cwd: dir, env: envFor(node) }).stdout) as { modules: number; undici: number };
    if (out.undici !== 0) throw new Error(`importing otel-langfuse-bridge (${mode}) loaded ${out.undici} undici files`);
    return out.modules;
  };
  loaded('module');
  return loaded('commonjs');
}
