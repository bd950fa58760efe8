/**
 * The OTLP endpoint a command sends to when it is told to send but not where: the OpenTelemetry
 * environment, as the stock exporters read it (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given,
 * else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else `http://localhost:4318/v1/traces`).
 * Headers, timeout and compression stay with the stock exporter, which reads
 * `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`, `_TIMEOUT` and `_COMPRESSION` itself.
 */
import { diag } from '@opentelemetry/api';
import { otlpTracesUrl } from '../receiver/targets/otlp.js';
import { ConfigurationError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The variable a traces URL from the environment came from, for messages. */
function sourceOf(env: Env): string {
  if ((env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? '').trim() !== '') return 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
  if ((env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim() !== '') return 'OTEL_EXPORTER_OTLP_ENDPOINT';
  return 'the OTLP default';
}

/**
 * `url` when given, else the environment's traces URL (checked: an http(s) URL). Warns when the
 * environment asks for an OTLP protocol other than the http/protobuf this command speaks.
 */
export function otlpProtobufEndpoint(url: string | undefined, env: Env): string {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim();
  if (protocol !== '' && protocol !== 'http/protobuf') {
    diag.warn(`OTEL_EXPORTER_OTLP_PROTOCOL=${JSON.stringify(protocol.slice(0, 20))} is ignored: this command sends OTLP/HTTP protobuf`);
  }
  if (url !== undefined) return url;
  const fromEnv = otlpTracesUrl(undefined, env);
  if (!/^https?:\/\/[^/]/i.test(fromEnv) || !URL.canParse(fromEnv)) {
    throw new ConfigurationError(`Configuration: ${sourceOf(env)} must be an http(s) URL (actual: ${JSON.stringify(fromEnv.slice(0, 60).replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1<redacted>@'))})`);
  }
  return fromEnv;
}
