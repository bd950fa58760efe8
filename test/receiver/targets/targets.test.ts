/**
 * The receiver's targets: the console trace tree, the OTLP target's endpoint and protocol from
 * flags and the OTel environment, how a SpanExporter's failures are told apart, the fan-out.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, test } from 'vitest';
import { ConfigurationError } from '../../../src/config/errors.js';
import { ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import { formatTraceTrees } from '../../../src/receiver/targets/console-tree.js';
import { fanOut } from '../../../src/receiver/targets/fan-out.js';
import { otlpEndpointInEnv, otlpProtocol, otlpTarget, otlpTracesUrl } from '../../../src/receiver/targets/otlp.js';
import { outcomeOfFailure } from '../../../src/receiver/targets/span-exporter.js';
import type { ExportBatch, ReceiverTarget, TargetOutcome } from '../../../src/receiver/targets/target.js';
import { decodeTraceRequest, encodeWithStockSerializer, stockJson } from '../../helpers/otlp-proto.js';
import { recordedEvents } from '../../helpers/spans.js';

/** A loopback OTLP sink keeping each request's content type, headers and body. */
async function startSink(): Promise<{ url: string; requests: Array<{ type: string; body: Buffer; auth: string }>; close(): Promise<void> }> {
  const requests: Array<{ type: string; body: Buffer; auth: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ type: String(req.headers['content-type']), body: Buffer.concat(chunks), auth: String(req.headers.authorization) });
      res.writeHead(200, { 'content-type': String(req.headers['content-type']) }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('console trace tree', () => {
  test('the recorded v3 client trace and the litellm batch, in full', () => {
    expect(formatTraceTrees(ingestionToSpans(recordedEvents('batches-langfuse-v3.json')).value)).toBe(
      [
        'trace support-chat  user user-42  session sess-7  0.002 s  (langfuse 98cca54f-6f3…)',
        '├─ answer  generation  gpt-4o-mini  0.001 s  120 in / 18 out tokens',
        '├─ fallback  generation  claude-3-5-haiku  0.000 s  ERROR rate limited by provider',
        '└─ retrieve-docs  span  0.000 s',
        '   └─ cache-miss  event',
        '',
      ].join('\n'),
    );
    expect(formatTraceTrees(ingestionToSpans(recordedEvents('litellm-batch.json')).value)).toBe(
      [
        'trace litellm-acompletion  0.450 s  (langfuse litellm-test…)',
        '└─ litellm-acompletion  generation  gpt-3.5-turbo  0.424 s  10 in / 10 out tokens  $0.000020',
        '',
      ].join('\n'),
    );
  });
});

describe('OTLP target configuration', () => {
  test('the URL: flag, else the signal endpoint, else the base endpoint + /v1/traces, else localhost:4318', () => {
    expect(otlpTracesUrl('http://a:1/x', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b' })).toBe('http://a:1/x');
    expect(otlpTracesUrl(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c/t', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b' })).toBe('http://c/t');
    expect(otlpTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4318/' })).toBe('http://b:4318/v1/traces');
    expect(otlpTracesUrl(undefined, {})).toBe('http://localhost:4318/v1/traces');
    expect(otlpEndpointInEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
    expect(otlpEndpointInEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c' })).toBe(true);
  });

  test('the protocol: flag, else the signal variable, else the general one; grpc is refused clearly', () => {
    expect(otlpProtocol(undefined, {})).toBe('http/protobuf');
    expect(otlpProtocol(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/json');
    expect(otlpProtocol(undefined, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/protobuf');
    expect(() => otlpProtocol(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(ConfigurationError);
  });

  test.each(['http/protobuf', 'http/json'] as const)('%s: what reaches a loopback sink is what the stock exporter sends, headers included', async (protocol) => {
    const sink = await startSink();
    const spans = [...ingestionToSpans(recordedEvents('batches-langfuse-v3.json')).value, ...ingestionToSpans(recordedEvents('litellm-batch.json')).value];
    const target = otlpTarget({ url: sink.url, protocol, headers: { authorization: 'Bearer t' } }, {});
    expect(await target.export({ spans, events: [], route: '' })).toEqual({ kind: 'ok' });
    await target.shutdown();
    await sink.close();
    expect(sink.requests).toHaveLength(1);
    const [request] = sink.requests as [{ type: string; body: Buffer; auth: string }];
    expect(request.auth).toBe('Bearer t');
    if (protocol === 'http/protobuf') {
      expect(request.type).toBe('application/x-protobuf');
      expect(decodeTraceRequest(request.body)).toEqual(decodeTraceRequest(encodeWithStockSerializer(spans as ReadableSpan[])));
    } else {
      expect(request.type).toBe('application/json');
      expect(JSON.parse(request.body.toString('utf8'))).toEqual(stockJson(spans as ReadableSpan[]));
    }
  });

  test('the description names the endpoint without credentials', async () => {
    const target = otlpTarget({ url: 'https://user:secret@otel.example:4318/v1/traces?token=x' }, {});
    expect(target.description).toBe('OTLP http/protobuf https://otel.example:4318/v1/traces');
    await target.shutdown();
  });
});

describe('failures of a SpanExporter', () => {
  test.each([
    [400, 'refused'],
    [401, 'refused'],
    [413, 'refused'],
    [408, 'retryable'],
    [429, 'retryable'],
    [500, 'retryable'],
    [503, 'retryable'],
  ])('HTTP %i is %s', (status, kind) => {
    expect(outcomeOfFailure(new OTLPExporterError('Bad Request', status, 'body')).kind).toBe(kind);
  });

  test('no status (network, the exporter\'s own retries ran out) may succeed later', () => {
    expect(outcomeOfFailure(new OTLPExporterError('Export failed with retryable status')).kind).toBe('retryable');
    expect(outcomeOfFailure(undefined).kind).toBe('retryable');
  });
});

describe('fan-out', () => {
  test('ok once every target has it; on a retry a target that has it is not sent it again', async () => {
    const sent: string[] = [];
    const target = (name: string, outcomes: TargetOutcome[]): ReceiverTarget => ({
      description: name,
      export() {
        sent.push(name);
        return Promise.resolve(outcomes.shift() ?? { kind: 'ok' });
      },
      shutdown: () => Promise.resolve(),
    });
    const both = fanOut([target('file', []), target('otlp', [{ kind: 'retryable', reason: 'down' }])]);
    const batch: ExportBatch = { spans: [], events: [], route: '' };
    expect((await both.export(batch)).kind).toBe('retryable');
    expect((await both.export(batch)).kind).toBe('ok');
    expect(sent).toEqual(['file', 'otlp', 'otlp']);
    expect(both.description).toBe('file + otlp');
  });
});
