/**
 * What the packed tarball must hold, checked on its extracted `package/` directory: the files a
 * user needs, nothing dead, no import of a file that is not there.
 *
 * Every file under dist/ must be reachable from an entry point of package.json (`exports`, `main`,
 * `types`, `typesVersions`, `bin`) by relative `import`/`export ... from`/`import()`/`require()`
 * specifiers and `sourceMappingURL` comments; every such specifier must name a file in the tarball.
 * NOTICE must name every third-party package whose code the bundler put into dist/ (it marks each
 * module with a `// node_modules/<package>/...` comment).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';

/** Files a user of the package reads, besides dist/. */
export const REQUIRED_FILES = ['package.json', 'README.md', 'LICENSE', 'NOTICE', 'CHANGELOG.md'] as const;

interface PackageJson {
  readonly license?: string;
  readonly main?: string;
  readonly module?: string;
  readonly types?: string;
  readonly exports?: unknown;
  readonly typesVersions?: Record<string, Record<string, string[]>>;
  readonly bin?: Record<string, string>;
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(root, full) : [relative(root, full).split('\\').join('/')];
  });
}

function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [];
}

/** The entry points package.json names, as tarball paths. */
export function entryPoints(pkg: PackageJson): string[] {
  const named = [
    pkg.main,
    pkg.module,
    pkg.types,
    ...leaves(pkg.exports),
    ...Object.values(pkg.bin ?? {}),
    ...Object.values(pkg.typesVersions ?? {}).flatMap((map) => Object.values(map).flat()),
  ];
  return [...new Set(named.filter((p): p is string => p !== undefined && p !== './package.json').map((p) => posix.normalize(p)))];
}

const SPECIFIER = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  /\brequire\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  /\/\/# sourceMappingURL=([^\s]+)/g,
];

/** A declaration file's `./x.js` names `./x.d.ts` (and `.cjs` names `.d.cts`). */
function declarationTarget(specifier: string): string {
  return specifier.replace(/\.js$/, '.d.ts').replace(/\.cjs$/, '.d.cts').replace(/\.mjs$/, '.d.mts');
}

/** The relative files one file names. */
export function referencedFiles(path: string, text: string): string[] {
  const isDeclaration = /\.d\.[cm]?ts$/.test(path);
  const found: string[] = [];
  for (const pattern of SPECIFIER) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1] as string;
      const target = isDeclaration && !specifier.endsWith('.map') ? declarationTarget(specifier) : specifier;
      found.push(posix.normalize(posix.join(posix.dirname(path), target)));
    }
  }
  return found;
}

/** Problems with the extracted package directory; empty when it is as it should be. */
export function tarballProblems(packageDir: string): string[] {
  const problems: string[] = [];
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as PackageJson;
  const files = new Set(listFiles(packageDir));
  for (const f of REQUIRED_FILES) if (!files.has(f)) problems.push(`missing ${f}`);
  if (pkg.license !== 'Apache-2.0') problems.push(`license is ${String(pkg.license)}, expected Apache-2.0`);
  if (files.has('LICENSE') && !readFileSync(join(packageDir, 'LICENSE'), 'utf8').includes('Apache License\n                           Version 2.0')) {
    problems.push('LICENSE is not the Apache License 2.0 text');
  }
  const outside = [...files].filter((f) => !f.startsWith('dist/') && !(REQUIRED_FILES as readonly string[]).includes(f));
  if (outside.length > 0) problems.push(`files outside dist/ that no user needs: ${outside.join(', ')}`);

  const reached = new Set<string>();
  const stack = entryPoints(pkg);
  for (const entry of stack) if (!files.has(entry)) problems.push(`package.json names ${entry}, which is not in the tarball`);
  while (stack.length > 0) {
    const path = stack.pop() as string;
    if (reached.has(path) || !files.has(path)) continue;
    reached.add(path);
    if (path.endsWith('.map')) continue;
    for (const target of referencedFiles(path, readFileSync(join(packageDir, path), 'utf8'))) {
      if (!files.has(target)) problems.push(`${path} names ${target}, which is not in the tarball`);
      else stack.push(target);
    }
  }
  if (files.has('NOTICE')) {
    const named = new Set(readFileSync(join(packageDir, 'NOTICE'), 'utf8').split('\n').map((l) => l.trim()));
    for (const bundled of bundledPackages(packageDir, [...files])) if (!named.has(bundled)) problems.push(`NOTICE does not name ${bundled}, bundled into dist/`);
  }
  const dead = [...files].filter((f) => f.startsWith('dist/') && !reached.has(f));
  if (dead.length > 0) problems.push(`dead files (no entry point reaches them): ${dead.join(', ')}`);
  return problems;
}

/** Third-party packages the bundler put into the JavaScript files under dist/. */
export function bundledPackages(packageDir: string, files: readonly string[]): string[] {
  const found = new Set<string>();
  for (const f of files.filter((p) => p.startsWith('dist/') && /\.[cm]?js$/.test(p))) {
    for (const m of readFileSync(join(packageDir, f), 'utf8').matchAll(/^\/\/ node_modules\/((?:@[^/\s]+\/)?[^/\s]+)\//gm)) found.add(m[1] as string);
  }
  return [...found].sort();
}
