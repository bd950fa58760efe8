/**
 * The tarball checker of the package test (./tarball.ts), on small package directories made here:
 * it must pass a sound one and name each defect of a broken one. (The real tarball is checked by
 * `npm run test:package`, which needs the build.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { entryPoints, referencedFiles, tarballProblems } from './tarball.js';

const APACHE = '                                 Apache License\n                           Version 2.0, January 2004\n';
const PKG = {
  license: 'Apache-2.0',
  main: './dist/index.cjs',
  types: './dist/index.d.ts',
  exports: {
    '.': { import: { types: './dist/index.d.ts', default: './dist/index.js' }, require: { types: './dist/index.d.cts', default: './dist/index.cjs' } },
    './package.json': './package.json',
  },
  bin: { tool: './dist/cli/main.js' },
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function packageDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tarball-test-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function sound(): Record<string, string> {
  return {
    'package.json': JSON.stringify(PKG),
    'README.md': '# x',
    LICENSE: APACHE,
    NOTICE: 'bundles:\n  some-lib\n',
    'CHANGELOG.md': '# Changelog',
    'dist/index.js': "import { a } from './chunk-A.js';\nexport { a };\n//# sourceMappingURL=index.js.map",
    'dist/index.js.map': '{}',
    'dist/chunk-A.js': '// node_modules/some-lib/index.js\nexport const a = 1;',
    'dist/index.cjs': "const a = require('./chunk-A.cjs');\nmodule.exports = a;",
    'dist/chunk-A.cjs': 'exports.a = 1;',
    'dist/index.d.ts': "export { a } from './types-X.js';",
    'dist/types-X.d.ts': 'export declare const a: number;',
    'dist/index.d.cts': "export { a } from './types-X.cjs';",
    'dist/types-X.d.cts': 'export declare const a: number;',
    'dist/cli/main.js': "#!/usr/bin/env node\nawait import('../chunk-A.js');",
  };
}

describe('tarballProblems', () => {
  test('a sound package has none', () => {
    expect(tarballProblems(packageDir(sound()))).toEqual([]);
  });

  test('names a dead file, a missing import target, a missing LICENSE and a stray file', () => {
    const files = sound();
    delete files.LICENSE;
    files['dist/cli/main.cjs'] = 'require("../chunk-A.cjs");';
    files['dist/chunk-A.js'] = "export { b } from './chunk-gone.js';";
    files['src/index.ts'] = '';
    expect(tarballProblems(packageDir(files))).toEqual([
      'missing LICENSE',
      'files outside dist/ that no user needs: src/index.ts',
      'dist/chunk-A.js names dist/chunk-gone.js, which is not in the tarball',
      'dead files (no entry point reaches them): dist/cli/main.cjs',
    ]);
  });

  test('names bundled code that NOTICE does not', () => {
    const files = sound();
    files['dist/chunk-A.cjs'] = '// node_modules/@scope/other/lib/x.js\nexports.a = 1;';
    expect(tarballProblems(packageDir(files))).toEqual(['NOTICE does not name @scope/other, bundled into dist/']);
  });

  test('names an entry point that is not there and a licence that is not Apache-2.0', () => {
    const files = sound();
    files['package.json'] = JSON.stringify({ ...PKG, license: 'MIT', typesVersions: { '*': { sub: ['./dist/sub/index.d.ts'] } } });
    expect(tarballProblems(packageDir(files))).toEqual([
      'license is MIT, expected Apache-2.0',
      'package.json names dist/sub/index.d.ts, which is not in the tarball',
    ]);
  });
});

describe('referencedFiles and entryPoints', () => {
  test('read static, side-effect, dynamic and require specifiers, source maps, and declaration targets', () => {
    const js = "import { x } from './a.js';\nimport './b.js';\nexport * from \"../c.js\";\nconst d = await import('./d.js');\nrequire('./e.cjs');\nimport('pkg');\n//# sourceMappingURL=f.js.map";
    expect(referencedFiles('dist/sub/f.js', js).sort()).toEqual(['dist/c.js', 'dist/sub/a.js', 'dist/sub/b.js', 'dist/sub/d.js', 'dist/sub/e.cjs', 'dist/sub/f.js.map']);
    expect(referencedFiles('dist/index.d.cts', "import { A } from './types-X.cjs';\nexport { B } from './types-Y.js';")).toEqual([
      'dist/types-X.d.cts',
      'dist/types-Y.d.ts',
    ]);
    expect(entryPoints(PKG).sort()).toEqual(['dist/cli/main.js', 'dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.ts', 'dist/index.js']);
  });
});
