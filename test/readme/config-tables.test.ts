/**
 * README.md's configuration tables checked against the code, so the documentation cannot drift:
 * - option names against the TypeScript option interfaces (read by the compiler's parser);
 * - flags, and their defaults, against the commands as commander has them;
 * - defaults against what the code resolves for an empty configuration;
 * - environment variables against what the code reads: every read of the environment (the
 *   variables passed in, and `process.env` itself, swapped for a recording proxy) while the
 *   exporter resolves its options, `serve` starts its receiver, and `convert` and `map` run
 *   in-process; a `PREFIX_*` entry covers the stock OTLP exporter's own variables;
 * - and precedence, for the exporter: with every variable of a row set, the first one wins.
 * Also: every `(#anchor)` link of the README names a heading.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { Option } from 'commander';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { convertCommand } from '../../src/cli/commands/convert.js';
import { mapCommand } from '../../src/cli/commands/map.js';
import { maxHeapMibOf, serveCommand } from '../../src/cli/commands/serve.js';
import { setUpLogging } from '../../src/cli/logging.js';
import { main } from '../../src/cli/program.js';
import { startReceiver } from '../../src/cli/serve/start.js';
import { resolveOptions } from '../../src/exporter/options.js';
import { DEFAULT_MAX_ATTRIBUTE_BYTES } from '../../src/mapping/attribute-bag.js';
import { DEFAULT_OTLP_ATTRIBUTE_BYTES } from '../../src/mapping/to-otel/index.js';
import { resolveReceiverOptions } from '../../src/receiver/options.js';
import type { ReceiverTarget } from '../../src/receiver/targets/target.js';
import { startOtlpServer } from '../helpers/loopback.js';
import type { Row } from '../helpers/readme.js';
import { anchorOf, codeTokens, envNames, interfaceKeys, longFlags, README, stated, tableAfter } from '../helpers/readme.js';

type Env = Record<string, string | undefined>;

const EXPORTER = '### Exporter: `LangfuseSpanExporter` options';
const RECEIVER = '### Receiver: `serve` flags and `createReceiver` options';
const CONVERT = '### `convert` flags';
const MAP = '### `map` flags';

/** `env` recording every name read from it. */
function recording(env: Env, reads: Set<string>): Env {
  return new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') reads.add(key);
      return Reflect.get(target, key);
    },
    has(target, key) {
      if (typeof key === 'string') reads.add(key);
      return Reflect.has(target, key);
    },
  });
}

/** Runs `work` with `process.env` replaced by a recording proxy over `env` alone. */
async function withProcessEnv<T>(env: Env, reads: Set<string>, work: () => Promise<T>): Promise<T> {
  const real = process.env;
  process.env = recording({ PATH: real.PATH, HOME: real.HOME, ...env }, reads) as NodeJS.ProcessEnv;
  try {
    return await work();
  } finally {
    process.env = real;
  }
}

const variableReads = (reads: Set<string>): string[] => [...reads].filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k) && k.includes('_')).sort();

/** The README's variables cover exactly what was read: names listed were read, reads are listed (or under a `PREFIX_*`). */
function expectVariablesMatch(rows: readonly Row[], reads: Set<string>): void {
  const documented = new Set(rows.flatMap((r) => envNames(r['env var'])));
  const wildcards = [...documented].filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1));
  const read = variableReads(reads);
  expect(read.filter((n) => !documented.has(n) && !wildcards.some((w) => n.startsWith(w))), 'read by the code, not in the README').toEqual([]);
  expect([...documented].filter((n) => !n.endsWith('*') && !read.includes(n)), 'in the README, never read by the code').toEqual([]);
  for (const w of wildcards) expect(read.some((n) => n.startsWith(w) && !documented.has(n)), `${w}* covers a variable read`).toBe(true);
}

function commandOf(register: (program: Command, done: () => void) => void): Command {
  const program = new Command();
  register(program, () => undefined);
  return program.commands[0] as Command;
}

/** README flags of a table are exactly the command's, each once. */
function expectFlagsMatch(rows: readonly Row[], command: Command): void {
  const documented = rows.flatMap((r) => longFlags(r.flag));
  expect([...documented].sort()).toEqual(command.options.map((o) => o.long as string).sort());
}

const optionOf = (command: Command, long: string): Option => command.options.find((o) => o.long === long) as Option;

/** Flag defaults: a literal default is commander's, prose (none, off, stdout ...) means commander has none. */
function expectFlagDefaultsMatch(rows: readonly Row[], command: Command): void {
  for (const row of rows) {
    const flags = longFlags(row.flag);
    if (flags.length === 0) continue;
    const option = optionOf(command, flags[0] as string);
    const readme = stated(row.default);
    expect({ flag: option.long, default: readme?.value }).toEqual({ flag: option.long, default: option.defaultValue });
  }
}

afterEach(() => vi.restoreAllMocks());

describe('README: the exporter options table', () => {
  const rows = tableAfter(EXPORTER);

  test('one row per option of LangfuseSpanExporterOptions', () => {
    expect(rows.map((r) => codeTokens(r.option)[0]).sort()).toEqual(interfaceKeys('src/exporter/options.ts', 'LangfuseSpanExporterOptions').sort());
  });

  test('each default is what the exporter resolves (none: undefined)', () => {
    const resolved = resolveOptions({ output: { file: 'x.jsonl' } }, {}) as unknown as Record<string, unknown>;
    const http = resolveOptions({ publicKey: 'pk-lf-1', secretKey: 'sk-lf-1' }, {}) as unknown as Record<string, unknown>;
    for (const row of rows) {
      const option = codeTokens(row.option)[0] as string;
      const actual = option === 'output' ? http.output : resolved[option];
      const readme = stated(row.default);
      if (readme === undefined) expect({ option, prose: row.default, actual }).toEqual({ option, prose: expect.stringMatching(/^none/), actual: undefined });
      else expect({ option, default: readme.value }).toEqual({ option, default: actual });
    }
  });

  test('the variables are exactly those the exporter reads, and the first one set wins', () => {
    const reads = new Set<string>();
    resolveOptions({ output: { file: 'x.jsonl' } }, recording({}, reads));
    expectVariablesMatch(rows, reads);
    const samples: Record<string, (i: number) => string> = {
      publicKey: (i) => `pk-lf-${i}`,
      secretKey: (i) => `sk-lf-${i}`,
      baseUrl: (i) => `https://host${i}.example`,
      environment: (i) => `env-${i}`,
      release: (i) => `release-${i}`,
    };
    for (const row of rows) {
      const option = codeTokens(row.option)[0] as string;
      const names = envNames(row['env var']);
      if (names.length === 0) continue;
      const sample = samples[option];
      expect(sample, `a sample value for ${option}`).toBeDefined();
      for (let first = 0; first < names.length; first++) {
        const env = Object.fromEntries(names.slice(first).map((n, i) => [n, (sample as (i: number) => string)(first + i)]));
        const resolved = resolveOptions({ output: { file: 'x.jsonl' } }, env) as unknown as Record<string, unknown>;
        expect({ option, from: names[first], value: resolved[option] }).toEqual({ option, from: names[first], value: (sample as (i: number) => string)(first) });
      }
    }
  });
});

describe('README: the receiver table (serve flags, createReceiver options)', () => {
  const rows = tableAfter(RECEIVER);
  const serve = commandOf(serveCommand);

  test('one row per option of ReceiverOptions, one mention per serve flag', () => {
    expect(rows.flatMap((r) => codeTokens(r.option).slice(0, 1)).sort()).toEqual(interfaceKeys('src/receiver/options.ts', 'ReceiverOptions').sort());
    expectFlagsMatch(rows, serve);
  });

  test("createReceiver's defaults are what it resolves; serve's are commander's or the ones its --help names", () => {
    const target: ReceiverTarget = { description: 'none', export: async () => ({ kind: 'ok' }), shutdown: async () => undefined };
    const resolved = resolveReceiverOptions({ exporter: target }) as unknown as Record<string, unknown>;
    for (const row of rows) {
      const option = codeTokens(row.option)[0];
      const value = option === undefined ? undefined : resolved[option];
      const checkable = typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && !value.includes('/')) || (typeof value === 'object' && value !== null && !Array.isArray(value));
      if (option !== undefined && checkable) expect({ option, default: stated(row.default)?.value }).toEqual({ option, default: value });
      const flag = longFlags(row.flag)[0];
      if (flag === undefined) continue;
      const commander = optionOf(serve, flag);
      const serveDefault = /serve: (`[^`]+`)/.exec(row.default ?? '')?.[1];
      const readme = serveDefault === undefined ? (option === undefined ? stated(row.default) : undefined) : stated(serveDefault);
      if (commander.defaultValue !== undefined) expect({ flag, default: readme?.value }).toEqual({ flag, default: commander.defaultValue });
      else if (readme !== undefined) expect(commander.description, `${flag}: --help names the default`).toContain(String(readme.value));
    }
  });

  test('the variables are exactly those serve reads', async () => {
    const reads = new Set<string>();
    const dir = mkdtempSync(join(tmpdir(), 'olb-readme-'));
    const otlp = await startOtlpServer(200);
    try {
      await withProcessEnv({}, reads, async () => {
        setUpLogging(recording({ OTEL_LOG_LEVEL: 'NONE' }, reads)); // quiet: the receivers' start lines
        maxHeapMibOf({ output: 'x' }, recording({}, reads));
        // The file output with the spool under LANGFUSE_BRIDGE_SPOOL_DIR; an OTLP endpoint with the spool under XDG_STATE_HOME.
        for (const env of [
          { LANGFUSE_BRIDGE_PORT: '0', LANGFUSE_BRIDGE_SPOOL_DIR: join(dir, 'a') },
          { LANGFUSE_BRIDGE_PORT: '0', XDG_STATE_HOME: join(dir, 'b'), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url.replace('/v1/traces', '') },
        ]) {
          vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
          const receiver = await startReceiver({ output: join(dir, 'traces.jsonl') }, recording(env, reads));
          await receiver.close();
          vi.restoreAllMocks();
        }
      });
    } finally {
      await otlp.close();
    }
    expectVariablesMatch(rows, reads);
  });
});

describe('README: the convert and map tables', () => {
  const convertRows = tableAfter(CONVERT);
  const mapRows = tableAfter(MAP);
  const convert = commandOf(convertCommand);
  const map = commandOf(mapCommand);

  test('one row per flag, with commander defaults', () => {
    expectFlagsMatch(convertRows, convert);
    expectFlagDefaultsMatch(convertRows, convert);
    expectFlagsMatch(mapRows, map);
    expectFlagDefaultsMatch(mapRows, map);
  });

  test('the variables are exactly those convert and map read', async () => {
    const [convertReads, mapReads] = [new Set<string>(), new Set<string>()];
    const otlp = await startOtlpServer(200);
    const log = 'examples/logs/litellm.jsonl';
    const quiet = (): void => {
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    };
    try {
      for (const [args, env] of [
        [[log, '--dry-run'], {}],
        [[log, '--endpoint'], { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url.replace('/v1/traces', '') }],
        [[log, '--langfuse', '--dry-run'], { LANGFUSE_PUBLIC_KEY: 'pk-lf-1', LANGFUSE_SECRET_KEY: 'sk-lf-1' }],
      ] as const) {
        quiet();
        const code = await withProcessEnv(env, convertReads, () => main(['convert', ...args]));
        vi.restoreAllMocks();
        expect({ args, code }).toEqual({ args, code: 0 });
      }
      expect(otlp.requests).toHaveLength(1);
      quiet();
      const code = await withProcessEnv({}, mapReads, () => main(['map', 'examples/spans/otel.json', '--compact']));
      vi.restoreAllMocks();
      expect(code).toBe(0);
    } finally {
      await otlp.close();
    }
    expectVariablesMatch(convertRows, convertReads);
    expectVariablesMatch(mapRows, mapReads);
  });
});

describe('README: the mapping option tables', () => {
  test('spansToIngestion and ingestionToSpans: one row per option, the attribute caps as the code has them', () => {
    const forward = tableAfter('### Spans → events: `spansToIngestion`');
    const reverse = tableAfter('### Events → spans: `ingestionToSpans`');
    expect(forward.map((r) => codeTokens(r.option)[0]).sort()).toEqual(interfaceKeys('src/mapping/to-ingestion/traces.ts', 'ToIngestionOptions').sort());
    expect(reverse.map((r) => codeTokens(r.option)[0]).sort()).toEqual(interfaceKeys('src/mapping/to-otel/index.ts', 'ToOtelOptions').sort());
    const cap = (rows: Row[]): unknown => stated(rows.find((r) => r.option === '`maxAttributeBytes`')?.default)?.value;
    expect([cap(forward), cap(reverse)]).toEqual([DEFAULT_MAX_ATTRIBUTE_BYTES, DEFAULT_OTLP_ATTRIBUTE_BYTES]);
  });
});

describe('README: links', () => {
  test('every (#anchor) link names a heading', () => {
    const anchors = new Set(README.split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => anchorOf(l.replace(/^#+ /, ''))));
    const links = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(10);
    expect(links.filter((a) => !anchors.has(a))).toEqual([]);
  });
});

