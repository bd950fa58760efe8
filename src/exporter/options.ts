/**
 * LangfuseSpanExporter options, resolved as `option ?? env ?? default` (style.md §3, Configuration).
 * A bad option in code is a bug and throws; a bad env value warns through `diag` and is ignored, so
 * a deployment typo does not crash a running app. Key values are never printed.
 */
import { diag } from '@opentelemetry/api';
import { httpBase } from '../ingestion-api/base-url.js';
import { ConfigurationError } from '../config/errors.js';
import type { SpanFilterMode } from './span-filter.js';

// One class with src/config/errors.ts, so `instanceof ConfigurationError` holds for every caller.
export { ConfigurationError };

/** Langfuse Cloud (EU), the default `baseUrl`. */
export const DEFAULT_BASE_URL = 'https://cloud.langfuse.com';
/** Milliseconds; the BatchSpanProcessor's own export timeout, so our deadline never outlives it. */
export const DEFAULT_TIMEOUT_MILLIS = 30_000;
/** Milliseconds per POST. */
export const DEFAULT_REQUEST_TIMEOUT_MILLIS = 10_000;
/** Bytes per POST body: Langfuse documents 3.5 MB per batch (its Next.js body limit is 4.5 MB, langfuse-ingestion.md §4.2). */
export const DEFAULT_MAX_BATCH_BYTES = 3_500_000;
/** Bytes per event (design.md §8). */
export const DEFAULT_MAX_EVENT_BYTES = 1_000_000;
/** setTimeout fires at once for larger delays (Node's TimeoutOverflowWarning): the cap of every number. */
const MAX_INT32 = 2_147_483_647;
/** Langfuse's environment rule (`@langfuse/core` isValidEnvironment, genai-conventions.md §5). */
const ENVIRONMENT_RE = /^(?!langfuse)[a-z0-9_-]{1,40}$/;

export interface LangfuseSpanExporterOptions {
  /** Langfuse public key (`pk-lf-…`). Default: env `LANGFUSE_PUBLIC_KEY`. Required for output 'http'. */
  publicKey?: string;
  /** Langfuse secret key (`sk-lf-…`). Default: env `LANGFUSE_SECRET_KEY`. Required for output 'http'. Never logged. */
  secretKey?: string;
  /**
   * Langfuse base URL, http(s), optionally with a path prefix; trailing slashes are removed.
   * Default: env `LANGFUSE_BASE_URL`, then `LANGFUSE_BASEURL`, then `LANGFUSE_HOST`, then
   * `https://cloud.langfuse.com`.
   */
  baseUrl?: string;
  /**
   * How spans reach Langfuse over 'http'. `'otlp'` (the default): OTLP protobuf to
   * `{baseUrl}/api/public/otel/v1/traces` with `x-langfuse-ingestion-version: 4`, every dialect
   * normalised into the `langfuse.*` keys: for Langfuse Cloud and self-hosted v4. `'ingestion'`:
   * legacy batches to `{baseUrl}/api/public/ingestion`, for self-hosted v2/v3 and v4 in the
   * `legacy`/`dual` write mode. Output `{ file }` always writes ingestion batches.
   */
  protocol?: 'otlp' | 'ingestion';
  /** Deadline of one whole `export()` call, retries included, in milliseconds. Default 30_000. */
  timeoutMillis?: number;
  /** Timeout of one POST, in milliseconds. Default 10_000. */
  requestTimeoutMillis?: number;
  /** Byte cap of one POST body. Default 3_500_000. */
  maxBatchBytes?: number;
  /**
   * Byte cap of one event, or of one span with protocol 'otlp' (larger ones get their largest
   * input, output or metadata value truncated with a marker). Default 1_000_000; ≤ maxBatchBytes.
   */
  maxEventBytes?: number;
  /** Environment for spans that carry none (`^(?!langfuse)[a-z0-9_-]{1,40}$`). Default: env `LANGFUSE_TRACING_ENVIRONMENT`. */
  environment?: string;
  /** Release for spans that carry none. Default: env `LANGFUSE_RELEASE`. */
  release?: string;
  /** Which spans to send: 'genai' (GenAI spans and their ancestors, the default), 'all', or a predicate. */
  spanFilter?: SpanFilterMode;
  /** Map agent/tool/chain/… observations to plain spans, for Langfuse servers older than v3 types. Default false. */
  legacyTypes?: boolean;
  /** 'http' (POST to Langfuse, the default) or `{ file }`: append JSON Lines batches to that path. */
  output?: 'http' | { file: string };
}

interface ResolvedCommon {
  readonly baseUrl: string;
  readonly timeoutMillis: number;
  readonly requestTimeoutMillis: number;
  readonly maxBatchBytes: number;
  readonly maxEventBytes: number;
  readonly environment: string | undefined;
  readonly release: string | undefined;
  readonly spanFilter: SpanFilterMode;
  readonly legacyTypes: boolean;
  readonly protocol: 'otlp' | 'ingestion';
}

/** Every option resolved for output 'http': the keys are guaranteed. */
export type HttpOptions = ResolvedCommon & { readonly output: 'http'; readonly publicKey: string; readonly secretKey: string };
/** Every option resolved for a file output. */
export type FileOptions = ResolvedCommon & {
  readonly output: { readonly file: string };
  readonly publicKey: string | undefined;
  readonly secretKey: string | undefined;
};
/** Every option resolved; the keys are guaranteed only when output is 'http'. */
export type ResolvedOptions = HttpOptions | FileOptions;

type Checked<T> = { ok: true; value: T } | { ok: false; problem: string; redact?: boolean };
type Check<T> = (value: unknown) => Checked<T>;

/** Keyed by every option name, so the compiler keeps the unknown-option check complete. */
const KNOWN: Record<keyof LangfuseSpanExporterOptions, true> = {
  publicKey: true, secretKey: true, baseUrl: true, timeoutMillis: true, requestTimeoutMillis: true, maxBatchBytes: true,
  maxEventBytes: true, environment: true, release: true, spanFilter: true, legacyTypes: true, output: true, protocol: true,
};
const KEY_FIELDS = new Set(['publicKey', 'secretKey', 'LANGFUSE_PUBLIC_KEY', 'LANGFUSE_SECRET_KEY']);

const logger = diag.createComponentLogger({ namespace: 'otel-langfuse-bridge' });

/** What validation needs besides the value: the env, and the secret values to scrub from messages. */
type Ctx = { readonly env: Record<string, string | undefined>; readonly secrets: readonly string[] };

/**
 * Resolves every field as `option ?? env ?? default` and validates it.
 * @param env usually `process.env`; read only for the names documented on each option.
 * @throws ConfigurationError `Configuration: <field> <problem> (actual: <value>)` for a bad option, or
 *   when output is 'http' and a key is missing from both options and env. Keys are never printed.
 */
export function resolveOptions(options: LangfuseSpanExporterOptions, env: Record<string, string | undefined>): ResolvedOptions {
  const o = (typeof options === 'object' && options !== null ? options : {}) as Record<string, unknown>;
  // A secret typed into the wrong field (or the wrong variable) must not be echoed either.
  const secrets = [o.secretKey, env.LANGFUSE_SECRET_KEY, env.LANGFUSE_SECRET_KEY?.trim()];
  const ctx: Ctx = { env, secrets: secrets.filter((s): s is string => typeof s === 'string' && s !== '') };
  if (o !== options) fail(ctx, 'options', 'must be an object', options);
  for (const name of Object.keys(o)) {
    if (!Object.hasOwn(KNOWN, name)) {
      throw new ConfigurationError(`Configuration: ${JSON.stringify(name.slice(0, 40))} is not an option (known: ${Object.keys(KNOWN).join(', ')})`);
    }
  }
  const pick = <T>(field: keyof LangfuseSpanExporterOptions, envNames: readonly string[], check: Check<T>): T | undefined =>
    resolveField(ctx, field, o[field], envNames, check);

  const publicKey = pick('publicKey', ['LANGFUSE_PUBLIC_KEY'], keyCheck('sk-lf-', 'a secret key'));
  const secretKey = pick('secretKey', ['LANGFUSE_SECRET_KEY'], keyCheck('pk-lf-', 'a public key'));
  const output = pick('output', [], outputCheck) ?? 'http';
  const maxBatchBytes = pick('maxBatchBytes', [], intCheck) ?? DEFAULT_MAX_BATCH_BYTES;
  const common: ResolvedCommon = {
    baseUrl: pick('baseUrl', ['LANGFUSE_BASE_URL', 'LANGFUSE_BASEURL', 'LANGFUSE_HOST'], urlCheck) ?? DEFAULT_BASE_URL,
    timeoutMillis: pick('timeoutMillis', [], intCheck) ?? DEFAULT_TIMEOUT_MILLIS,
    requestTimeoutMillis: pick('requestTimeoutMillis', [], intCheck) ?? DEFAULT_REQUEST_TIMEOUT_MILLIS,
    maxBatchBytes,
    // The default follows a smaller batch cap; only an explicit larger one is an error.
    maxEventBytes: pick('maxEventBytes', [], intCheck) ?? Math.min(DEFAULT_MAX_EVENT_BYTES, maxBatchBytes),
    environment: pick('environment', ['LANGFUSE_TRACING_ENVIRONMENT'], environmentCheck),
    release: pick('release', ['LANGFUSE_RELEASE'], nonEmptyCheck),
    spanFilter: pick('spanFilter', [], spanFilterCheck) ?? 'genai',
    legacyTypes: pick('legacyTypes', [], booleanCheck) ?? false,
    protocol: pick('protocol', [], protocolCheck) ?? 'otlp',
  };
  if (common.maxEventBytes > common.maxBatchBytes) {
    fail(ctx, 'maxEventBytes', `must not exceed maxBatchBytes (${common.maxBatchBytes})`, common.maxEventBytes);
  }
  if (output !== 'http') return { ...common, output, publicKey, secretKey };
  if (publicKey === undefined || secretKey === undefined) {
    const missing = [publicKey === undefined ? 'publicKey' : '', secretKey === undefined ? 'secretKey' : ''].filter(Boolean);
    const vars = missing.map((m) => (m === 'publicKey' ? 'LANGFUSE_PUBLIC_KEY' : 'LANGFUSE_SECRET_KEY'));
    throw new ConfigurationError(
      `Configuration: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required for output 'http': ` +
        `pass the option or set ${vars.join(' and ')} (actual: missing)`,
    );
  }
  return { ...common, output, publicKey, secretKey };
}

function resolveField<T>(ctx: Ctx, field: string, value: unknown, envNames: readonly string[], check: Check<T>): T | undefined {
  if (value != null) {
    const r = check(value);
    if (!r.ok) fail(ctx, field, r.problem, r.redact === true ? REDACTED : value);
    return r.value;
  }
  for (const name of envNames) {
    const raw = ctx.env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const r = check(raw);
    if (r.ok) return r.value;
    logger.warn(`Configuration: ${name} ${r.problem} (actual: ${show(ctx, name, r.redact === true ? REDACTED : raw)}); ignored`);
  }
  return undefined;
}

function fail(ctx: Ctx, field: string, problem: string, actual: unknown): never {
  throw new ConfigurationError(`Configuration: ${field} ${problem} (actual: ${show(ctx, field, actual)})`);
}

const REDACTED = Symbol('redacted');

/** A printable form of a bad value: keys redacted, known secrets and `sk-lf-…` scrubbed, strings cut. */
function show(ctx: Ctx, field: string, value: unknown): string {
  if (value === REDACTED) return '<redacted>';
  if (typeof value === 'string') {
    if (value !== '' && KEY_FIELDS.has(field)) return '<redacted>';
    let text = value;
    for (const secret of ctx.secrets) text = text.split(secret).join('<redacted>');
    text = text.replace(/sk-lf-\S*/g, '<redacted>');
    return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (problem: string): Checked<never> => ({ ok: false, problem });

function keyCheck(wrongPrefix: string, wrongKind: string): Check<string> {
  return (v) => {
    if (typeof v !== 'string' || v === '') return bad('must be a non-empty string');
    if (/[\s\p{Cc}]/u.test(v)) return bad('must not contain whitespace or control characters');
    if (v.startsWith(wrongPrefix)) return bad(`looks like ${wrongKind} (are publicKey and secretKey swapped?)`);
    return ok(v);
  };
}

const urlCheck: Check<string> = (v) => {
  const url = typeof v === 'string' && URL.canParse(v) ? new URL(v) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) return bad('must be an http(s) URL');
  if (url.username !== '' || url.password !== '') {
    return { ok: false, problem: 'must not contain credentials (the keys are sent as Basic auth)', redact: true };
  }
  if (url.search !== '' || url.hash !== '') return bad('must not have a query or fragment');
  return ok(httpBase(v) as string);
};

const intCheck: Check<number> = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_INT32 ? ok(v) : bad(`must be an integer from 1 to ${MAX_INT32}`);

const environmentCheck: Check<string> = (v) =>
  typeof v === 'string' && ENVIRONMENT_RE.test(v) ? ok(v) : bad('must match ^(?!langfuse)[a-z0-9_-]{1,40}$');

const nonEmptyCheck: Check<string> = (v) => (typeof v === 'string' && v !== '' ? ok(v) : bad('must be a non-empty string'));

const booleanCheck: Check<boolean> = (v) => (typeof v === 'boolean' ? ok(v) : bad('must be a boolean'));

const spanFilterCheck: Check<SpanFilterMode> = (v) =>
  v === 'genai' || v === 'all' || typeof v === 'function'
    ? ok(v as SpanFilterMode)
    : bad("must be 'genai', 'all' or a function (span) => boolean");

const protocolCheck: Check<'otlp' | 'ingestion'> = (v) =>
  v === 'otlp' || v === 'ingestion' ? ok(v) : bad("must be 'otlp' or 'ingestion'");

const outputCheck: Check<'http' | { file: string }> = (v) => {
  if (v === 'http') return ok(v);
  const file: unknown = typeof v === 'object' && v !== null ? (v as { file?: unknown }).file : undefined;
  return typeof file === 'string' && file !== '' ? ok({ file }) : bad("must be 'http' or { file: <non-empty path> }");
};
