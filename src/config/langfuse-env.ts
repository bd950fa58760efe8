/**
 * The Langfuse environment variables a user of the command line would try. For the receiver, a
 * key pair from `LANGFUSE_BRIDGE_PUBLIC_KEY`/`_SECRET_KEY` (its own), else `LANGFUSE_PUBLIC_KEY`/
 * `LANGFUSE_SECRET_KEY` (what the SDKs read); a pair given by halves is an error, never a silently
 * open receiver. For sending to Langfuse, its URL and key pair under the SDKs' names.
 */
import { DEFAULT_BASE_URL } from '../exporter/options.js';
import { httpBase } from '../ingestion-api/base-url.js';
import { ConfigurationError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface KeyPairFromEnv {
  readonly publicKey: string;
  readonly secretKey: string;
  /** The variables it came from, for messages. */
  readonly source: string;
}

const set = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The key pair of the first family that names one; undefined when none does. */
export function keyPairFromEnv(env: Env): KeyPairFromEnv | undefined {
  for (const prefix of ['LANGFUSE_BRIDGE_', 'LANGFUSE_']) {
    const publicKey = set(env[`${prefix}PUBLIC_KEY`]);
    const secretKey = set(env[`${prefix}SECRET_KEY`]);
    if (publicKey === undefined && secretKey === undefined) continue;
    if (publicKey === undefined || secretKey === undefined) {
      const missing = publicKey === undefined ? `${prefix}PUBLIC_KEY` : `${prefix}SECRET_KEY`;
      const given = publicKey === undefined ? `${prefix}SECRET_KEY` : `${prefix}PUBLIC_KEY`;
      throw new ConfigurationError(`Configuration: ${given} is set but ${missing} is not; set both, or neither for an open (loopback-only) receiver`);
    }
    return { publicKey, secretKey, source: `${prefix}PUBLIC_KEY/${prefix}SECRET_KEY` };
  }
  return undefined;
}

/**
 * Where Langfuse is, under the names its clients read: `LANGFUSE_BASE_URL`, the JS/TS SDK v3's
 * `LANGFUSE_BASEURL`, Python's and litellm's `LANGFUSE_HOST` (the exporter's order), else
 * Langfuse Cloud. A value that is not an http(s) URL is an error naming its variable.
 */
export function langfuseBaseUrlFromEnv(env: Env): string {
  for (const name of ['LANGFUSE_BASE_URL', 'LANGFUSE_BASEURL', 'LANGFUSE_HOST']) {
    const raw = set(env[name]);
    if (raw === undefined) continue;
    const base = httpBase(raw);
    if (base === undefined || new URL(raw).username !== '' || new URL(raw).password !== '') {
      throw new ConfigurationError(`Configuration: ${name} must be an http(s) URL without credentials (actual: ${JSON.stringify(base ?? raw.slice(0, 60).replace(/^[^@]*@/, '<redacted>@'))})`);
    }
    return base;
  }
  return DEFAULT_BASE_URL;
}

/** Where and as whom to send to Langfuse: its base URL and the Basic `Authorization` of a key pair. */
export interface LangfuseDestination {
  readonly baseUrl: string;
  readonly authorization: string;
}

/**
 * Langfuse at `baseUrl` (a flag's value), else at the base URL of the environment above, as the
 * project of `LANGFUSE_PUBLIC_KEY` / `LANGFUSE_SECRET_KEY` (both required).
 */
export function langfuseDestination(env: Env, baseUrl?: string): LangfuseDestination {
  const publicKey = set(env.LANGFUSE_PUBLIC_KEY);
  const secretKey = set(env.LANGFUSE_SECRET_KEY);
  if (publicKey === undefined || secretKey === undefined) {
    const missing = [publicKey === undefined ? 'LANGFUSE_PUBLIC_KEY' : '', secretKey === undefined ? 'LANGFUSE_SECRET_KEY' : ''].filter(Boolean);
    throw new ConfigurationError(`Configuration: sending to Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY (missing: ${missing.join(', ')})`);
  }
  const base = baseUrl === undefined ? langfuseBaseUrlFromEnv(env) : httpBase(baseUrl);
  if (base === undefined) throw new ConfigurationError('Configuration: the Langfuse URL must be an http(s) URL');
  return { baseUrl: base, authorization: `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}` };
}
