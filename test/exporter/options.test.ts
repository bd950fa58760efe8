/**
 * src/exporter/options.ts: every field from option, env and default, alias precedence, bad options
 * (throw, naming the field), bad env values (warn through diag, ignored), and that no message or
 * warning ever contains the secret key.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigurationError as ErrorsConfigurationError } from '../../src/config/errors.js';
import type { LangfuseSpanExporterOptions } from '../../src/exporter/options.js';
import { ConfigurationError, resolveOptions } from '../../src/exporter/options.js';

const PK = 'pk-lf-public-1234';
const SK = 'sk-lf-SECRET-do-not-leak';
const KEYS = { LANGFUSE_PUBLIC_KEY: PK, LANGFUSE_SECRET_KEY: SK };
const predicate = (): boolean => true;

/** Routes diag to an array for the rest of the test. */
function captureDiag(): string[] {
  const lines: string[] = [];
  const log = (...args: unknown[]): void => {
    lines.push(args.map(String).join(' '));
  };
  diag.setLogger({ error: log, warn: log, info: log, debug: log, verbose: log }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return lines;
}
afterEach(() => diag.disable());

describe('resolveOptions: where each field comes from', () => {
  test('defaults', () => {
    expect(resolveOptions({}, KEYS)).toEqual({
      publicKey: PK,
      secretKey: SK,
      baseUrl: 'https://cloud.langfuse.com',
      timeoutMillis: 30_000,
      requestTimeoutMillis: 10_000,
      maxBatchBytes: 3_500_000,
      maxEventBytes: 1_000_000,
      environment: undefined,
      release: undefined,
      spanFilter: 'genai',
      legacyTypes: false,
      protocol: 'otlp',
      output: 'http',
    });
  });

  test.for([
    { field: 'publicKey', value: 'pk-lf-other', expected: 'pk-lf-other' },
    { field: 'secretKey', value: 'sk-lf-other', expected: 'sk-lf-other' },
    { field: 'baseUrl', value: 'https://eu.example.com/langfuse//', expected: 'https://eu.example.com/langfuse' },
    { field: 'timeoutMillis', value: 5_000, expected: 5_000 },
    { field: 'requestTimeoutMillis', value: 2_000, expected: 2_000 },
    { field: 'maxBatchBytes', value: 2_000_000, expected: 2_000_000 },
    { field: 'maxEventBytes', value: 500_000, expected: 500_000 },
    { field: 'environment', value: 'staging', expected: 'staging' },
    { field: 'release', value: 'v1.2.3', expected: 'v1.2.3' },
    { field: 'spanFilter', value: 'all', expected: 'all' },
    { field: 'spanFilter', value: predicate, expected: predicate },
    { field: 'legacyTypes', value: true, expected: true },
    { field: 'protocol', value: 'ingestion', expected: 'ingestion' },
    { field: 'protocol', value: 'otlp', expected: 'otlp' },
    { field: 'output', value: { file: '/tmp/x.jsonl' }, expected: { file: '/tmp/x.jsonl' } },
  ] as const)('option $field wins over env and default', ({ field, value, expected }) => {
    const env = { ...KEYS, LANGFUSE_BASE_URL: 'https://env.example.com', LANGFUSE_TRACING_ENVIRONMENT: 'prod', LANGFUSE_RELEASE: 'env-rel' };
    const resolved = resolveOptions({ [field]: value } as LangfuseSpanExporterOptions, env);
    expect(resolved[field]).toEqual(expected);
  });

  test.for([
    { field: 'publicKey', env: { LANGFUSE_PUBLIC_KEY: ' pk-lf-env ' }, expected: 'pk-lf-env' },
    { field: 'secretKey', env: { LANGFUSE_SECRET_KEY: 'sk-lf-env\n' }, expected: 'sk-lf-env' },
    { field: 'baseUrl', env: { LANGFUSE_BASE_URL: 'http://localhost:3000/' }, expected: 'http://localhost:3000' },
    { field: 'environment', env: { LANGFUSE_TRACING_ENVIRONMENT: 'prod' }, expected: 'prod' },
    { field: 'release', env: { LANGFUSE_RELEASE: 'abc123' }, expected: 'abc123' },
  ] as const)('env fills $field', ({ field, env, expected }) => {
    expect(resolveOptions({}, { ...KEYS, ...env })[field]).toBe(expected);
  });

  test.for([
    { name: 'BASE_URL over BASEURL and HOST', env: { LANGFUSE_BASE_URL: 'https://a.test', LANGFUSE_BASEURL: 'https://b.test', LANGFUSE_HOST: 'https://c.test' }, expected: 'https://a.test' },
    { name: 'BASEURL over HOST', env: { LANGFUSE_BASEURL: 'https://b.test', LANGFUSE_HOST: 'https://c.test' }, expected: 'https://b.test' },
    { name: 'HOST alone', env: { LANGFUSE_HOST: 'https://c.test' }, expected: 'https://c.test' },
    { name: 'empty BASE_URL counts as unset', env: { LANGFUSE_BASE_URL: '  ', LANGFUSE_HOST: 'https://c.test' }, expected: 'https://c.test' },
  ])('baseUrl aliases: $name', ({ env, expected }) => {
    expect(resolveOptions({}, { ...KEYS, ...env }).baseUrl).toBe(expected);
  });

  test('null and undefined options fall through to env', () => {
    const options = { baseUrl: undefined, release: null } as unknown as LangfuseSpanExporterOptions;
    const resolved = resolveOptions(options, { ...KEYS, LANGFUSE_HOST: 'https://h.test', LANGFUSE_RELEASE: 'r' });
    expect([resolved.baseUrl, resolved.release]).toEqual(['https://h.test', 'r']);
  });

  test('a smaller maxBatchBytes lowers the default maxEventBytes', () => {
    expect(resolveOptions({ maxBatchBytes: 500_000 }, KEYS)).toMatchObject({ maxBatchBytes: 500_000, maxEventBytes: 500_000 });
  });

  test('file output needs no keys', () => {
    const resolved = resolveOptions({ output: { file: 'out.jsonl' } }, {});
    expect(resolved).toMatchObject({ output: { file: 'out.jsonl' }, publicKey: undefined, secretKey: undefined });
  });
});

describe('resolveOptions: bad options throw, naming the field', () => {
  test.for([
    { field: 'publicKey', options: { publicKey: '' }, actual: '""' },
    { field: 'publicKey', options: { publicKey: SK }, actual: '<redacted>' },
    { field: 'secretKey', options: { secretKey: 'sk-lf has space' }, actual: '<redacted>' },
    { field: 'secretKey', options: { secretKey: PK }, actual: '<redacted>' },
    { field: 'secretKey', options: { secretKey: 42 }, actual: '42' },
    { field: 'baseUrl', options: { baseUrl: 'ftp://x.test' }, actual: '"ftp://x.test"' },
    { field: 'baseUrl', options: { baseUrl: 'not a url' }, actual: '"not a url"' },
    { field: 'baseUrl', options: { baseUrl: 'https://u:pw@x.test' }, actual: '<redacted>' },
    { field: 'baseUrl', options: { baseUrl: 'https://x.test/?a=1' }, actual: '"https://x.test/?a=1"' },
    { field: 'timeoutMillis', options: { timeoutMillis: 0 }, actual: '0' },
    { field: 'timeoutMillis', options: { timeoutMillis: 2 ** 31 }, actual: '2147483648' },
    { field: 'requestTimeoutMillis', options: { requestTimeoutMillis: 1.5 }, actual: '1.5' },
    { field: 'maxBatchBytes', options: { maxBatchBytes: Number.POSITIVE_INFINITY }, actual: 'Infinity' },
    { field: 'maxEventBytes', options: { maxEventBytes: '1000' }, actual: '"1000"' },
    { field: 'maxEventBytes', options: { maxBatchBytes: 1000, maxEventBytes: 2000 }, actual: '2000' },
    { field: 'environment', options: { environment: 'Prod' }, actual: '"Prod"' },
    { field: 'environment', options: { environment: 'langfuse-x' }, actual: '"langfuse-x"' },
    { field: 'release', options: { release: '' }, actual: '""' },
    { field: 'spanFilter', options: { spanFilter: 'llm' }, actual: '"llm"' },
    { field: 'legacyTypes', options: { legacyTypes: 'yes' }, actual: '"yes"' },
    { field: 'protocol', options: { protocol: 'grpc' }, actual: '"grpc"' },
    { field: 'protocol', options: { protocol: 'OTLP' }, actual: '"OTLP"' },
    { field: 'output', options: { output: { file: '' } }, actual: 'an object' },
    { field: 'output', options: { output: 'grpc' }, actual: '"grpc"' },
  ])('$field: $actual', ({ field, options, actual }) => {
    expect(() => resolveOptions(options as LangfuseSpanExporterOptions, KEYS)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(new RegExp(`^Configuration: ${field} .*\\(actual: ${escape(actual)}\\)$`)) }),
    );
  });

  test('an unknown option throws, listing the known ones', () => {
    expect(() => resolveOptions({ timeout: 5 } as LangfuseSpanExporterOptions, KEYS)).toThrow(/"timeout" is not an option \(known: publicKey/);
  });

  test.for([
    { name: 'both', env: {}, message: /publicKey and secretKey are required .*LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY/ },
    { name: 'public', env: { LANGFUSE_SECRET_KEY: SK }, message: /publicKey is required .*set LANGFUSE_PUBLIC_KEY \(actual: missing\)$/ },
    { name: 'secret', env: { LANGFUSE_PUBLIC_KEY: PK }, message: /secretKey is required .*set LANGFUSE_SECRET_KEY \(actual: missing\)$/ },
  ])('missing keys with output http: $name', ({ env, message }) => {
    expect(() => resolveOptions({}, env)).toThrow(message);
  });

  test('the class is the one errors.ts exports', () => {
    expect.assertions(2);
    try {
      resolveOptions({ timeoutMillis: -1 }, KEYS);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigurationError);
      expect(err).toBeInstanceOf(ErrorsConfigurationError);
    }
  });
});

describe('resolveOptions: bad env values warn and are ignored', () => {
  test.for([
    { name: 'bad URL falls back to the next alias', env: { LANGFUSE_BASE_URL: 'ftp://x', LANGFUSE_HOST: 'https://h.test' }, field: 'baseUrl', expected: 'https://h.test', warning: /LANGFUSE_BASE_URL must be an http\(s\) URL \(actual: "ftp:\/\/x"\); ignored/ },
    { name: 'bad URL falls back to the default', env: { LANGFUSE_HOST: 'cloud.langfuse.com' }, field: 'baseUrl', expected: 'https://cloud.langfuse.com', warning: /LANGFUSE_HOST must be an http\(s\) URL/ },
    { name: 'URL with credentials', env: { LANGFUSE_BASE_URL: 'https://u:hunter2@x.test' }, field: 'baseUrl', expected: 'https://cloud.langfuse.com', warning: /credentials .*\(actual: <redacted>\)/ },
    { name: 'bad environment', env: { LANGFUSE_TRACING_ENVIRONMENT: 'Production!' }, field: 'environment', expected: undefined, warning: /LANGFUSE_TRACING_ENVIRONMENT must match/ },
  ] as const)('$name', ({ env, field, expected, warning }) => {
    const lines = captureDiag();
    expect(resolveOptions({}, { ...KEYS, ...env })[field]).toBe(expected);
    expect(lines).toEqual([expect.stringMatching(warning)]);
  });

  test('a bad env key warns, then counts as missing', () => {
    const lines = captureDiag();
    expect(() => resolveOptions({}, { LANGFUSE_PUBLIC_KEY: PK, LANGFUSE_SECRET_KEY: 'sk-lf-a b' })).toThrow(/secretKey is required/);
    expect(lines).toEqual([expect.stringMatching(/LANGFUSE_SECRET_KEY must not contain whitespace .*\(actual: <redacted>\); ignored/)]);
  });

  test('a bad option still throws when env is fine', () => {
    expect(() => resolveOptions({ baseUrl: 'x' }, { ...KEYS, LANGFUSE_BASE_URL: 'https://ok.test' })).toThrow(ConfigurationError);
  });
});

describe('resolveOptions: the secret key never shows', () => {
  const secretArb = fc
    .tuple(fc.constantFrom('sk-lf-', ''), fc.string({ minLength: 8, maxLength: 60 }))
    .map(([p, s]) => p + s)
    .filter((s) => s.trim().length >= 8);
  // The secret key comes from the option, the env or both, and is also typed into other fields.
  const sources = fc.subarray(['secretKey', 'env-secret'] as const, { minLength: 1 });
  const misplaced = fc.subarray(['publicKey', 'baseUrl', 'environment', 'release', 'outputFile', 'env-url', 'env-env', 'env-public'] as const);

  test('in no thrown message and no warning, wherever it is put', () => {
    fc.assert(
      fc.property(secretArb, sources, misplaced, fc.boolean(), (secret, from, also, decorate) => {
        const where: readonly string[] = [...from, ...also];
        const value = decorate ? `https://x.test/${secret}` : secret;
        const options: Record<string, unknown> = {};
        const env: Record<string, string> = {};
        if (where.includes('secretKey')) options.secretKey = secret;
        if (where.includes('publicKey')) options.publicKey = value;
        if (where.includes('baseUrl')) options.baseUrl = value;
        if (where.includes('environment')) options.environment = value;
        if (where.includes('release')) options.release = { toString: () => secret };
        if (where.includes('outputFile')) options.output = { file: secret, extra: secret };
        if (where.includes('env-secret')) env.LANGFUSE_SECRET_KEY = ` ${secret} `;
        if (where.includes('env-url')) env.LANGFUSE_BASE_URL = value;
        if (where.includes('env-env')) env.LANGFUSE_TRACING_ENVIRONMENT = value;
        if (where.includes('env-public')) env.LANGFUSE_PUBLIC_KEY = secret;
        const lines = captureDiag();
        try {
          resolveOptions(options as LangfuseSpanExporterOptions, env);
        } catch (err) {
          lines.push(String(err), (err as Error).message);
        }
        for (const line of lines) expect(line).not.toContain(secret.trim());
      }),
      { numRuns: 500 },
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
