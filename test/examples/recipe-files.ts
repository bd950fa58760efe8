/**
 * The recipes under examples/recipes as data for ./recipes.test.ts: YAML read with the `yaml`
 * package (merge keys on), Compose projects with their `include`s, the receiver's command lines,
 * and the names `serve` and the CLI know (from its own `--help` and source).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { main } from '../../src/cli/program.js';

export const RECIPES = fileURLToPath(new URL('../../examples/recipes/', import.meta.url));
const CLI_SOURCE = fileURLToPath(new URL('../../src/cli/', import.meta.url));

export type Yaml = Record<string, unknown>;

export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

export function rel(path: string): string {
  return relative(RECIPES, path);
}

/** Every document of a YAML file; throws on any error or warning of the parser. */
export function yamlDocuments(path: string): Yaml[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { merge: true, prettyErrors: true });
  if (!Array.isArray(docs)) throw new Error(`${rel(path)}: not a YAML stream`);
  return docs.map((doc) => {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) throw new Error(`${rel(path)}: ${problems.map((p) => p.message).join('; ')}`);
    return doc.toJS() as Yaml;
  });
}

export function yamlFile(path: string): Yaml {
  const [doc, ...more] = yamlDocuments(path);
  if (doc === undefined || more.length > 0) throw new Error(`${rel(path)}: expected one YAML document`);
  return doc;
}

export interface ComposeService {
  readonly name: string;
  /** The Compose file that defines it, to resolve its relative paths. */
  readonly file: string;
  readonly spec: Yaml;
}

/** A Compose project: its services, those of the files it includes, and every named volume declared. */
export function composeProject(path: string): { services: Map<string, ComposeService>; volumes: Set<string> } {
  const services = new Map<string, ComposeService>();
  const volumes = new Set<string>();
  const load = (file: string): void => {
    const doc = yamlFile(file);
    for (const included of (doc.include ?? []) as string[]) {
      const target = resolve(dirname(file), included);
      if (!existsSync(target)) throw new Error(`${rel(file)} includes ${included}, which is not there`);
      load(target);
    }
    for (const [name, spec] of Object.entries((doc.services ?? {}) as Record<string, Yaml>)) services.set(name, { name, file, spec });
    for (const name of Object.keys((doc.volumes ?? {}) as Yaml)) volumes.add(name);
  };
  load(path);
  return { services, volumes };
}

/** `source:target[:mode]` volume entries of a service: host paths resolved, named volumes by name. */
export function mounts(service: ComposeService): Array<{ source: string; target: string; hostPath?: string }> {
  return ((service.spec.volumes ?? []) as string[]).map((entry) => {
    const [source = '', target = ''] = entry.split(':');
    if (target === '') return { source: '', target: source };
    return source.startsWith('.') ? { source, target, hostPath: resolve(dirname(service.file), source) } : { source, target };
  });
}

/** The host file a service mounts at `target`, if any. */
export function mountedFile(service: ComposeService, target: string): string | undefined {
  return mounts(service).find((m) => m.target === target)?.hostPath;
}

/** A receiver's command line: the arguments after `serve`, or undefined for another command. */
export function serveArguments(args: readonly string[]): string[] | undefined {
  const bin = args.findIndex((a) => /^otel-langfuse-bridge(@.+)?$/.test(a));
  return bin >= 0 && args[bin + 1] === 'serve' ? args.slice(bin + 2) : undefined;
}

/** `--flag value` pairs and lone flags of a `serve` command line. */
export function flagsOf(args: readonly string[]): Map<string, string | undefined> {
  const flags = new Map<string, string | undefined>();
  args.forEach((a, i) => {
    if (!a.startsWith('-')) return;
    const next = args[i + 1];
    flags.set(a, next !== undefined && !next.startsWith('-') ? next : undefined);
  });
  return flags;
}

let serveHelp: string | undefined;
/** The long flags `otel-langfuse-bridge serve --help` lists. */
export async function serveFlags(): Promise<Set<string>> {
  if (serveHelp === undefined) {
    let text = '';
    const io = { stdout: (t: string) => void (text += t), stderr: (t: string) => void (text += t) };
    const code = await main(['serve', '--help'], io);
    if (code !== 0) throw new Error(`serve --help exited ${code}`);
    serveHelp = text;
  }
  return new Set(serveHelp.match(/--[a-z][a-z-]*/g) ?? []);
}

let cliText: string | undefined;
/** Whether the CLI's source names this environment variable (as a string or a property). */
export function cliReadsEnv(name: string): boolean {
  cliText ??= filesUnder(CLI_SOURCE).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(f, 'utf8')).join('\n');
  return new RegExp(`\\b${name}\\b`).test(cliText);
}

/** The host of an `http://host:port/...` URL or a `host:port` endpoint. */
export function hostOf(endpoint: string): string {
  return endpoint.includes('://') ? new URL(endpoint).hostname : (endpoint.split(':')[0] ?? '');
}
