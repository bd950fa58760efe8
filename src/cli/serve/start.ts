/**
 * `serve`'s flags and environment made into a running receiver: where spans go (the flag, else
 * the OpenTelemetry environment's endpoint, else an OTLP/JSON lines file and a trace tree on the
 * terminal), the resource (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`), keys, spool, timings. Runs in the receiver's worker thread (./worker.ts).
 */
import { diag } from '@opentelemetry/api';
import { keyPairFromEnv } from '../../config/langfuse-env.js';
import { envResource } from '../../config/resource-env.js';
import type { AttributeDialect } from '../../mapping/to-otel/attributes.js';
import { httpBase } from '../../ingestion-api/base-url.js';
import { createReceiver } from '../../receiver/create-receiver.js';
import { langfuseTarget } from '../../receiver/targets/langfuse/target.js';
import type { Receiver } from '../../receiver/create-receiver.js';
import { defaultSpoolDir, RECEIVER_DEFAULTS } from '../../receiver/options.js';
import { consoleTreeTarget } from '../../receiver/targets/console-tree.js';
import { fanOut } from '../../receiver/targets/fan-out.js';
import { OtlpJsonLinesFileExporter } from '../../receiver/targets/file-exporter.js';
import { otlpEndpointInEnv, otlpTarget } from '../../receiver/targets/otlp.js';
import type { OtlpProtocol } from '../../receiver/targets/otlp.js';
import { spanExporterTarget } from '../../receiver/targets/span-exporter.js';
import type { ReceiverTarget } from '../../receiver/targets/target.js';
import { byteSize, port, positiveInteger } from '../parse.js';
import { withResourceAttributes } from './resource-target.js';

/** The flags of `serve` (plain values: they cross to the worker thread). */
export interface ServeFlags {
  readonly port?: number;
  readonly host?: string;
  readonly endpoint?: string;
  readonly langfuseUrl?: string;
  readonly protocol?: OtlpProtocol;
  readonly output: string;
  readonly console?: boolean;
  readonly spoolDir?: string;
  readonly spoolMaxBytes?: number;
  readonly quietMillis?: number;
  readonly maxHoldMillis?: number;
  readonly maxHeapMib?: number;
  readonly deadLetter?: string;
  readonly serviceName?: string;
  readonly attributes?: AttributeDialect;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Where spans go: the flag, else the OTel environment's endpoint, else a file and the terminal. */
function targetOf(flags: ServeFlags, env: Env): ReceiverTarget {
  const terminal = consoleTreeTarget((text) => process.stdout.write(text));
  if (flags.endpoint !== undefined || otlpEndpointInEnv(env)) {
    const otlp = otlpTarget({ ...(flags.endpoint === undefined ? {} : { url: flags.endpoint }), ...(flags.protocol === undefined ? {} : { protocol: flags.protocol }) }, env);
    return flags.console === true ? fanOut([otlp, terminal]) : otlp;
  }
  const file = spanExporterTarget(new OtlpJsonLinesFileExporter(flags.output), `OTLP/JSON lines file ${flags.output}`);
  return flags.console === false ? file : fanOut([file, terminal]);
}

export const envNumber = (env: Env, name: string, parse: (t: string) => number): number | undefined => {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : parse(v);
};

/** The Langfuse base URL without a trailing slash (the flag's parser checked it is http(s)). */
function langfuseBase(url: string): string {
  return httpBase(url) ?? url;
}

export async function startReceiver(flags: ServeFlags, env: Env): Promise<Receiver> {
  // Forwarding to Langfuse, clients bring their own key pairs: LANGFUSE_PUBLIC_KEY is not the receiver's.
  const keys = flags.langfuseUrl === undefined ? keyPairFromEnv(env) : undefined;
  const spoolDir = flags.spoolDir ?? defaultSpoolDir(env);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, as src/config/resource-env.ts merges them.
  const resource = envResource(env);
  const serviceName = flags.serviceName ?? resource.serviceName;
  const receiver = await createReceiver({
    exporter: withResourceAttributes(flags.langfuseUrl === undefined ? targetOf(flags, env) : langfuseTarget({ baseUrl: langfuseBase(flags.langfuseUrl) }), resource.attributes),
    ...(flags.langfuseUrl === undefined ? {} : { langfuse: { baseUrl: flags.langfuseUrl } }),
    host: flags.host ?? env.LANGFUSE_BRIDGE_HOST ?? '127.0.0.1',
    port: flags.port ?? envNumber(env, 'LANGFUSE_BRIDGE_PORT', port) ?? 3000,
    spoolDir,
    ...(keys === undefined ? {} : { keys: [keys] }),
    spoolMaxBytes: flags.spoolMaxBytes ?? envNumber(env, 'LANGFUSE_BRIDGE_SPOOL_MAX_BYTES', byteSize) ?? RECEIVER_DEFAULTS.spoolMaxBytes,
    quietMillis: flags.quietMillis ?? envNumber(env, 'LANGFUSE_BRIDGE_QUIET_MILLIS', positiveInteger) ?? RECEIVER_DEFAULTS.quietMillis,
    ...(flags.maxHoldMillis === undefined ? {} : { maxHoldMillis: flags.maxHoldMillis }),
    ...(flags.deadLetter === undefined ? {} : { deadLetterFile: flags.deadLetter }),
    ...(serviceName === undefined || serviceName === '' ? {} : { serviceName }),
    ...(flags.attributes === undefined ? {} : { attributes: flags.attributes }),
  });
  const url = receiver.url;
  diag.info(
    `otel-langfuse-bridge receiver on ${url} -> ${receiver.target}; ` +
      `${flags.langfuseUrl !== undefined ? "clients' own Langfuse key pairs, checked with Langfuse" : keys ? `Basic auth with ${keys.source}` : 'open (loopback only)'}; spool ${spoolDir}\n` +
      `  Point your apps here: LANGFUSE_HOST=${url} (Python SDK v2, litellm), LANGFUSE_BASEURL=${url} (JS/TS SDK v3, langfuse-vercel), ` +
      `LANGFUSE_BASE_URL=${url} (others)${flags.langfuseUrl !== undefined ? ', keeping their Langfuse keys' : keys ? ', with the same key pair' : ''}. Ctrl-C to stop.`,
  );
  return receiver;
}
