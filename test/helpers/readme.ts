/**
 * README.md as data for the tests that check it against the code: the table under a heading (rows
 * keyed by the header's column names), the backticked tokens of a cell and what they name (flags,
 * environment variables, literal defaults), GitHub's heading anchors, and the property names of a
 * TypeScript interface read from the source with the compiler's parser.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const ROOT = new URL('../../', import.meta.url);

export const README = readFileSync(new URL('README.md', ROOT), 'utf8');

export type Row = Readonly<Record<string, string>>;

function cells(line: string): string[] {
  // Split on the pipes between cells, not on those inside backticks (`a|b`).
  const out: string[] = [];
  let cell = '';
  let code = false;
  for (const ch of line.trim().replace(/^\|/, '').replace(/\|$/, '')) {
    if (ch === '`') code = !code;
    if (ch === '|' && !code) {
      out.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  out.push(cell.trim());
  return out;
}

/** The rows of the first table after the heading line `heading` (exact text, with its #s). */
export function tableAfter(heading: string, text: string = README): Row[] {
  const lines = text.split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) throw new Error(`README has no heading ${JSON.stringify(heading)}`);
  let i = at + 1;
  while (i < lines.length && !(lines[i] as string).startsWith('|')) {
    if ((lines[i] as string).startsWith('#')) throw new Error(`no table under ${heading}`);
    i++;
  }
  const header = cells(lines[i] as string).map((h) => h.toLowerCase());
  const rows: Row[] = [];
  for (i += 2; i < lines.length && (lines[i] as string).startsWith('|'); i++) {
    const values = cells(lines[i] as string);
    rows.push(Object.fromEntries(header.map((h, j) => [h, values[j] ?? ''])));
  }
  return rows;
}

/** The backticked tokens of a cell, in order. */
export function codeTokens(cell: string | undefined): string[] {
  return [...(cell ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
}

/** Environment variable names (and `PREFIX_*` wildcards) a cell names. */
export function envNames(cell: string | undefined): string[] {
  return codeTokens(cell).filter((t) => /^[A-Z][A-Z0-9_]*\*?$/.test(t) && t.includes('_'));
}

/** Long flags (`--port`, `--no-console`) a cell names. */
export function longFlags(cell: string | undefined): string[] {
  return codeTokens(cell).flatMap((t) => [...t.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));
}

/** A JavaScript literal as the README writes one: `3000`, `'otlp'`, `false`, `{ a: 1, b: 2 }`; undefined for prose. */
export function literal(token: string | undefined): { value: unknown } | undefined {
  if (token === undefined) return undefined;
  if (/^-?\d+$/.test(token)) return { value: Number(token) };
  if (/^'[^']*'$/.test(token)) return { value: token.slice(1, -1) };
  if (token === 'true' || token === 'false') return { value: token === 'true' };
  if (/^\{.*\}$/.test(token)) return { value: JSON.parse(token.replace(/([A-Za-z_]\w*):/g, '"$1":').replace(/'/g, '"')) as unknown };
  return undefined;
}

/** The default a cell states: its first token when the cell starts with a literal; undefined for prose or none. */
export function stated(cell: string | undefined): { value: unknown } | undefined {
  const text = (cell ?? '').trim();
  return text.startsWith('`') ? literal(codeTokens(text)[0]) : undefined;
}

/** GitHub's anchor for a heading's text. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The property names of `interface name` in `file` (a path from the repository root). */
export function interfaceKeys(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(new URL(file, ROOT), 'utf8'), ts.ScriptTarget.Latest, true);
  let found: ts.InterfaceDeclaration | undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) found = node;
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (found === undefined) throw new Error(`${file} declares no interface ${name}`);
  if (found.heritageClauses !== undefined) throw new Error(`${name} extends another interface: list its keys too`);
  return found.members.filter(ts.isPropertySignature).map((m) => m.name.getText(source));
}
