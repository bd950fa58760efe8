/**
 * The inputs of a run: files as named, the files under a directory (recursively, in name order,
 * hidden ones left out), `-` for stdin; with their sizes when known (for the progress), and the
 * check that the output is none of them.
 */
import { fstatSync, readdirSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Input {
  /** A file path, or `-` for stdin. */
  readonly path: string;
  /** Bytes, when known (a file, or stdin redirected from a file). */
  readonly size: number | undefined;
}

/** The identity of a file: its device and inode. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly isFile: boolean;
}

function identity(stats: Stats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, isFile: stats.isFile() };
}

/** What fd 0 is, when it is something `fstat` can tell (a file or a pipe). */
export function stdinIdentity(): FileIdentity | undefined {
  try {
    return identity(fstatSync(0));
  } catch {
    return undefined;
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * The inputs named by `args`. A path that does not exist or cannot be listed is kept as it is:
 * opening it fails later and is reported as that input's issue.
 */
export function expandInputs(args: readonly string[], stdin: FileIdentity | undefined): Input[] {
  const out: Input[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push({ path: arg, size: stdin?.isFile === true ? stdin.size : undefined });
      continue;
    }
    let stats: Stats | undefined;
    try {
      stats = statSync(arg);
    } catch {
      stats = undefined;
    }
    if (stats?.isDirectory() === true) {
      try {
        for (const path of filesUnder(arg)) out.push({ path, size: statSync(path).size });
        continue;
      } catch {
        // unreadable directory: reported when opened
      }
    }
    out.push({ path: arg, size: stats?.isFile() === true ? stats.size : undefined });
  }
  return out;
}

/**
 * The input that is the same file as `output` (by path, or by device and inode, stdin included
 * when it is redirected from that file), if any: writing the output would destroy it.
 */
export function inputThatIsOutput(output: string, inputs: readonly Input[], stdin: FileIdentity | undefined): string | undefined {
  let target: FileIdentity | undefined;
  try {
    target = identity(statSync(output));
  } catch {
    target = undefined; // not there yet: only the same path can clash
  }
  for (const input of inputs) {
    if (input.path === '-') {
      if (target !== undefined && stdin !== undefined && stdin.dev === target.dev && stdin.ino === target.ino) return 'stdin';
      continue;
    }
    if (resolve(input.path) === resolve(output)) return input.path;
    if (target === undefined) continue;
    try {
      const stats = statSync(input.path);
      if (stats.dev === target.dev && stats.ino === target.ino) return input.path;
    } catch {
      // a missing input is no clash
    }
  }
  return undefined;
}
