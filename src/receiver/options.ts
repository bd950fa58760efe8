/** The receiver's options, their defaults, and the checks that refuse a configuration that cannot work. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConfigurationError } from '../config/errors.js';
import { httpBase } from '../ingestion-api/base-url.js';
import type { AttributeDialect } from '../mapping/to-otel/attributes.js';
import type { Clock } from './clock.js';
import type { ForwarderLimits } from './forwarder/forwarder.js';
import { DEFAULT_FORWARDER_LIMITS } from './forwarder/forwarder.js';
import type { ReceiverKeyPair } from './http/auth.js';
import { DEFAULT_MAX_DEPTH } from './http/json.js';
import type { ServerLimits } from './http/server.js';
import { DEFAULT_SERVER_LIMITS } from './http/server.js';
import type { ReceiverTarget } from './targets/target.js';

export interface ReceiverOptions {
  /**
   * Where spans go: any OTel `SpanExporter` (the stock OTLP exporters ...) or a receiver target.
   * Required unless `langfuse` is given (then Langfuse v4 is the target).
   */
  readonly exporter?: SpanExporter | ReceiverTarget;
  /**
   * Forward to Langfuse v4 (langfuse-v4.md): clients keep their own key pairs, checked with
   * Langfuse (401 for a pair it refuses) and used to forward their events; spans go to its OTLP
   * endpoint shaped as it stores observations, scores to its ingestion endpoint.
   */
  readonly langfuse?: { readonly baseUrl: string };
  /** Interface to bind. Default `127.0.0.1`; anything else requires `keys`. */
  readonly host?: string;
  /** Port; default 0 (any free port: read `port` on the receiver). */
  readonly port?: number;
  /** Accepted key pairs (Basic auth `publicKey:secretKey`). None: open, loopback only. */
  readonly keys?: readonly ReceiverKeyPair[];
  /** Directory of the spool. Default: {@link defaultSpoolDir}. */
  readonly spoolDir?: string;
  /** Cap on the spool's segment files; past it requests get 503. Default 1 GiB. */
  readonly spoolMaxBytes?: number;
  /** An envelope id seen this recently (per project) is a duplicate. Default 10 minutes. */
  readonly dedupeWindowMillis?: number;
  /** A trace goes out once no event came for it for this long (and it is complete). Default 5,000. */
  readonly quietMillis?: number;
  /** An observation still open goes out marked incomplete this long after its trace's first event. Default 15 minutes. */
  readonly maxHoldMillis?: number;
  /** Request bytes of held events past which the oldest traces go out early. Default 12 MiB. */
  readonly maxHeldBytes?: number;
  /** Largest request body, before and after gunzip. Default 5,000,000. */
  readonly maxBodyBytes?: number;
  /** Request bytes held at once (bodies being read, inflated, parsed, spooled); past it, 503 with Retry-After. Default 16 MiB. */
  readonly maxInFlightBytes?: number;
  /** Deepest JSON nesting accepted. Default 128. */
  readonly maxDepth?: number;
  readonly server?: Partial<ServerLimits>;
  readonly forwarder?: Partial<ForwarderLimits>;
  /** Where refused traces are kept as ingestion request lines. Default `<spoolDir>/dead-letter.jsonl`. */
  readonly deadLetterFile?: string;
  /** Resource `service.name` of every span. Default: each client's `sdk_integration`. */
  readonly serviceName?: string;
  /** Attribute keys written: `langfuse`, `genai` or `both` (default). */
  readonly attributes?: AttributeDialect;
  /** How long `close()` waits for the backend before it leaves the rest in the spool. Default 10,000. */
  readonly drainMillis?: number;
  /** A status line through `diag.info` this often while busy (0: never). Default 30,000. */
  readonly statusIntervalMillis?: number;
  /** Injected time (tests). */
  readonly clock?: Clock;
}

export interface ResolvedReceiverOptions {
  /** Langfuse base URL (no trailing slash) when forwarding to Langfuse v4. */
  readonly langfuseUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly keys: readonly ReceiverKeyPair[];
  readonly spoolDir: string;
  readonly spoolMaxBytes: number;
  readonly dedupeWindowMillis: number;
  readonly quietMillis: number;
  readonly maxHoldMillis: number;
  readonly maxHeldBytes: number;
  readonly maxBodyBytes: number;
  readonly maxInFlightBytes: number;
  readonly maxDepth: number;
  readonly server: ServerLimits;
  readonly forwarder: ForwarderLimits;
  readonly deadLetterFile: string;
  readonly drainMillis: number;
  readonly statusIntervalMillis: number;
}

export const RECEIVER_DEFAULTS = {
  host: '127.0.0.1',
  spoolMaxBytes: 1024 ** 3,
  dedupeWindowMillis: 10 * 60_000,
  quietMillis: 5_000,
  maxHoldMillis: 15 * 60_000,
  maxHeldBytes: 12 * 1024 ** 2,
  maxBodyBytes: 5_000_000,
  maxInFlightBytes: 16 * 1024 ** 2,
  drainMillis: 10_000,
  statusIntervalMillis: 30_000,
} as const;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * `$LANGFUSE_BRIDGE_SPOOL_DIR`, else `$XDG_STATE_HOME/otel-langfuse-bridge/spool`, else
 * `~/.local/state/otel-langfuse-bridge/spool`.
 */
export function defaultSpoolDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const own = env.LANGFUSE_BRIDGE_SPOOL_DIR;
  if (own !== undefined && own !== '') return own;
  const state = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'otel-langfuse-bridge', 'spool');
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) throw new ConfigurationError(`Configuration: ${name} must be a whole number of at least ${min} (actual: ${String(value)})`);
  return value;
}

export function resolveReceiverOptions(options: ReceiverOptions): ResolvedReceiverOptions {
  const host = options.host ?? RECEIVER_DEFAULTS.host;
  const keys = options.keys ?? [];
  const langfuseUrl = options.langfuse === undefined ? undefined : httpBase(options.langfuse.baseUrl);
  if (options.langfuse !== undefined && langfuseUrl === undefined) {
    throw new ConfigurationError('Configuration: langfuse.baseUrl must be an http(s) URL (actual: not one)');
  }
  if (langfuseUrl !== undefined && keys.length > 0) {
    throw new ConfigurationError('Configuration: with langfuse, clients use their own Langfuse key pairs: give no keys');
  }
  if (langfuseUrl === undefined && options.exporter === undefined) {
    throw new ConfigurationError('Configuration: exporter is required (or langfuse, to forward to Langfuse v4)');
  }
  for (const k of keys) {
    if (k.publicKey === '' || k.secretKey === '') {
      throw new ConfigurationError('Configuration: a key pair needs both a public and a secret key (one of them is empty)');
    }
  }
  if (keys.length === 0 && langfuseUrl === undefined && !LOOPBACK.has(host)) {
    throw new ConfigurationError(`Configuration: binding ${host} needs at least one key pair; an open receiver binds loopback only`);
  }
  const spoolDir = options.spoolDir ?? defaultSpoolDir();
  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.server };
  const forwarder = { ...DEFAULT_FORWARDER_LIMITS, ...options.forwarder };
  for (const [name, v] of Object.entries(limits)) positive(`server.${name}`, v, v);
  for (const [name, v] of Object.entries(forwarder)) positive(`forwarder.${name}`, v, v);
  return {
    langfuseUrl,
    host,
    port: positive('port', options.port, 0, 0),
    keys,
    spoolDir,
    spoolMaxBytes: positive('spoolMaxBytes', options.spoolMaxBytes, RECEIVER_DEFAULTS.spoolMaxBytes),
    dedupeWindowMillis: positive('dedupeWindowMillis', options.dedupeWindowMillis, RECEIVER_DEFAULTS.dedupeWindowMillis),
    quietMillis: positive('quietMillis', options.quietMillis, RECEIVER_DEFAULTS.quietMillis),
    maxHoldMillis: positive('maxHoldMillis', options.maxHoldMillis, RECEIVER_DEFAULTS.maxHoldMillis),
    maxHeldBytes: positive('maxHeldBytes', options.maxHeldBytes, RECEIVER_DEFAULTS.maxHeldBytes),
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes, RECEIVER_DEFAULTS.maxBodyBytes),
    maxInFlightBytes: positive('maxInFlightBytes', options.maxInFlightBytes, RECEIVER_DEFAULTS.maxInFlightBytes),
    maxDepth: positive('maxDepth', options.maxDepth, DEFAULT_MAX_DEPTH),
    server: limits,
    forwarder,
    deadLetterFile: options.deadLetterFile ?? join(spoolDir, 'dead-letter.jsonl'),
    drainMillis: positive('drainMillis', options.drainMillis, RECEIVER_DEFAULTS.drainMillis, 0),
    statusIntervalMillis: positive('statusIntervalMillis', options.statusIntervalMillis, RECEIVER_DEFAULTS.statusIntervalMillis, 0),
  };
}
