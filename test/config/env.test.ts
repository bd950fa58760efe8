/**
 * The environment variables users try, under the names their tools use: Langfuse's key pair and
 * URL variables (each SDK's own spelling), the OTLP endpoint of the stock exporters, and
 * OTEL_LOG_LEVEL. Secrets never appear in a message.
 */
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigurationError } from '../../src/config/errors.js';
import { keyPairFromEnv, langfuseBaseUrlFromEnv, langfuseDestination } from '../../src/config/langfuse-env.js';
import { otlpProtobufEndpoint } from '../../src/config/otlp-env.js';
import { logLevel } from '../../src/cli/logging.js';
import { captureWarnings } from '../helpers/diag-capture.js';

afterEach(() => diag.disable());


describe('Langfuse variables', () => {
  test("the receiver's key pair: its own LANGFUSE_BRIDGE_* pair, else the SDKs' LANGFUSE_* pair, else none", () => {
    expect(keyPairFromEnv({ LANGFUSE_BRIDGE_PUBLIC_KEY: 'pk-b', LANGFUSE_BRIDGE_SECRET_KEY: 'sk-b', LANGFUSE_PUBLIC_KEY: 'pk', LANGFUSE_SECRET_KEY: 'sk' })).toEqual({
      publicKey: 'pk-b',
      secretKey: 'sk-b',
      source: 'LANGFUSE_BRIDGE_PUBLIC_KEY/LANGFUSE_BRIDGE_SECRET_KEY',
    });
    expect(keyPairFromEnv({ LANGFUSE_PUBLIC_KEY: ' pk ', LANGFUSE_SECRET_KEY: 'sk' })).toEqual({ publicKey: 'pk', secretKey: 'sk', source: 'LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY' });
    expect(keyPairFromEnv({ LANGFUSE_PUBLIC_KEY: '', LANGFUSE_SECRET_KEY: ' ' })).toBeUndefined();
    expect(() => keyPairFromEnv({ LANGFUSE_SECRET_KEY: 'sk-lf-secret' })).toThrow(/LANGFUSE_SECRET_KEY is set but LANGFUSE_PUBLIC_KEY is not/);
  });

  test('the base URL: LANGFUSE_BASE_URL › LANGFUSE_BASEURL (JS v3) › LANGFUSE_HOST (Python, litellm) › Langfuse Cloud', () => {
    const all = { LANGFUSE_BASE_URL: 'https://a.example/', LANGFUSE_BASEURL: 'https://b.example', LANGFUSE_HOST: 'https://c.example' };
    expect(langfuseBaseUrlFromEnv(all)).toBe('https://a.example');
    expect(langfuseBaseUrlFromEnv({ ...all, LANGFUSE_BASE_URL: ' ' })).toBe('https://b.example');
    expect(langfuseBaseUrlFromEnv({ LANGFUSE_HOST: 'http://127.0.0.1:3000/prefix/' })).toBe('http://127.0.0.1:3000/prefix');
    expect(langfuseBaseUrlFromEnv({})).toBe('https://cloud.langfuse.com');
    expect(() => langfuseBaseUrlFromEnv({ LANGFUSE_HOST: 'cloud.langfuse.com' })).toThrow(ConfigurationError);
    expect(() => langfuseBaseUrlFromEnv({ LANGFUSE_HOST: 'cloud.langfuse.com' })).toThrow(/LANGFUSE_HOST must be an http\(s\) URL/);
    const withCredentials = (): string => langfuseBaseUrlFromEnv({ LANGFUSE_BASEURL: 'https://pk:sk-lf-secret@x.example' });
    expect(withCredentials).toThrow(/LANGFUSE_BASEURL must be an http\(s\) URL without credentials/);
    expect(withCredentials).not.toThrow(/sk-lf-secret/);
  });

  test("Langfuse as a destination: the flag's URL, else the environment's; Basic auth from the SDKs' key pair; keys required", () => {
    const keys = { LANGFUSE_PUBLIC_KEY: 'pk-lf-1', LANGFUSE_SECRET_KEY: 'sk-lf-2' };
    const authorization = `Basic ${Buffer.from('pk-lf-1:sk-lf-2').toString('base64')}`;
    expect(langfuseDestination({ ...keys, LANGFUSE_BASEURL: 'http://127.0.0.1:3000' })).toEqual({ baseUrl: 'http://127.0.0.1:3000', authorization });
    expect(langfuseDestination({ ...keys, LANGFUSE_BASEURL: 'http://127.0.0.1:3000' }, 'https://eu.cloud.langfuse.com/')).toEqual({ baseUrl: 'https://eu.cloud.langfuse.com', authorization });
    const missing = (): unknown => langfuseDestination({ LANGFUSE_SECRET_KEY: 'sk-lf-secret' });
    expect(missing).toThrow('Configuration: sending to Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY (missing: LANGFUSE_PUBLIC_KEY)');
  });
});

describe('OTLP endpoint', () => {
  test('the URL given, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, else localhost:4318', () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4318/' };
    expect(otlpProtobufEndpoint('http://given/v1/traces', env)).toBe('http://given/v1/traces');
    expect(otlpProtobufEndpoint(undefined, env)).toBe('http://t:1/custom');
    expect(otlpProtobufEndpoint(undefined, { ...env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' })).toBe('http://b:4318/v1/traces');
    expect(otlpProtobufEndpoint(undefined, {})).toBe('http://localhost:4318/v1/traces');
    expect(() => otlpProtobufEndpoint(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      'Configuration: OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (actual: "collector:4318/v1/traces")',
    );
  });

  test('a protocol other than http/protobuf in the environment is named in a warning, not silently ignored', () => {
    const warnings = captureWarnings();
    otlpProtobufEndpoint('http://x/v1/traces', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    expect(warnings).toEqual([]);
    otlpProtobufEndpoint('http://x/v1/traces', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' });
    expect(warnings).toEqual(['OTEL_EXPORTER_OTLP_PROTOCOL="grpc" is ignored: this command sends OTLP/HTTP protobuf']);
  });
});

describe('OTEL_LOG_LEVEL', () => {
  test('the OTel level names in any case; unset or unknown: INFO', () => {
    expect(logLevel('debug')).toBe(DiagLogLevel.DEBUG);
    expect(logLevel(' Warn ')).toBe(DiagLogLevel.WARN);
    expect(logLevel('none')).toBe(DiagLogLevel.NONE);
    expect(logLevel('ALL')).toBe(DiagLogLevel.ALL);
    expect(logLevel(undefined)).toBe(DiagLogLevel.INFO);
    expect(logLevel('loud')).toBe(DiagLogLevel.INFO);
  });
});
