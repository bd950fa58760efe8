/**
 * The OTLP/HTTP target through the stock exporters: protobuf (default) or JSON. With no URL given
 * it follows the OpenTelemetry environment, as every OTel SDK does:
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else
 * `http://localhost:4318/v1/traces`; `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`; and the stock
 * exporters read `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`, `_TIMEOUT` and `_COMPRESSION` themselves.
 */
import type { OTLPExporterConfigBase } from '@opentelemetry/otlp-exporter-base';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConfigurationError } from '../../config/errors.js';
import { encodeTraceRequest } from '../../otlp/otlp-encoder.js';
import { protobufHttpExporter } from '../../otlp/otlp-http-exporter.js';
import { spanExporterTarget } from './span-exporter.js';
import type { ReceiverTarget } from './target.js';

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export interface OtlpTargetOptions {
  /** The traces URL, e.g. `http://localhost:4318/v1/traces`. */
  readonly url?: string;
  readonly protocol?: OtlpProtocol;
  /** Extra request headers (auth); the environment's are used when absent. */
  readonly headers?: Readonly<Record<string, string>>;
}

type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The traces URL the stock exporter will use. */
export function otlpTracesUrl(url: string | undefined, env: Env): string {
  const signal = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return url ?? signal ?? (base === undefined ? 'http://localhost:4318/v1/traces' : `${base.replace(/\/+$/, '')}/v1/traces`);
}

/** True when the environment names an OTLP endpoint (then it is the target when no flag says otherwise). */
export function otlpEndpointInEnv(env: Env): boolean {
  return nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) !== undefined || nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) !== undefined;
}

export function otlpProtocol(protocol: string | undefined, env: Env): OtlpProtocol {
  const chosen = protocol ?? nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ?? 'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(chosen)) {
    throw new ConfigurationError(`Configuration: OTLP protocol must be http/protobuf or http/json (actual: ${JSON.stringify(chosen.slice(0, 40))})`);
  }
  return chosen as OtlpProtocol;
}

/** The URL without credentials, query or fragment, for logs. */
function shown(url: string): string {
  if (!URL.canParse(url)) return '(invalid URL)';
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * `@opentelemetry/exporter-trace-otlp-proto`'s exporter as it builds itself (same options, same
 * environment, same transport and retries), with our encoder in place of its serializer: the same
 * bytes (test/exporter/otlp-encoder.test.ts) in one pass instead of a size pass and a write pass.
 */
function protobufExporter(config: OTLPExporterConfigBase): SpanExporter {
  return protobufHttpExporter(config, (spans: ReadableSpan[]) => encodeTraceRequest(spans), (spans) => spans.length);
}

export function otlpTarget(options: OtlpTargetOptions = {}, env: Env = process.env): ReceiverTarget {
  const protocol = otlpProtocol(options.protocol, env);
  const url = otlpTracesUrl(options.url, env);
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    throw new ConfigurationError(`Configuration: the OTLP endpoint must be an http(s) URL (actual: ${JSON.stringify(shown(url))})`);
  }
  const config = { url, ...(options.headers === undefined ? {} : { headers: { ...options.headers } }) };
  const exporter = protocol === 'http/json' ? new JsonExporter(config) : protobufExporter(config);
  return spanExporterTarget(exporter, `OTLP ${protocol} ${shown(url)}`);
}
