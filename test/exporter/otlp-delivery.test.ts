/**
 * Delivery over Langfuse's OTLP endpoint (src/exporter/otlp-transport.ts with the shared retry loop
 * of src/exporter/deliver.ts) against the loopback fake Langfuse v4, faults scripted by call
 * index: what is sent, what is retried and when (a fake clock moved only by the fake sleep), and
 * the report. A request is all or nothing.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import { RequestDelivery } from '../../src/exporter/deliver.js';
import type { RetryDeps } from '../../src/exporter/deliver.js';
import { DeliveryError } from '../../src/exporter/errors.js';
import { otlpRequests } from '../../src/exporter/otlp-requests.js';
import { createOtlpTransport } from '../../src/exporter/otlp-transport.js';
import type { OtlpTransport } from '../../src/exporter/otlp-transport.js';
import type { DeliveryReport, SendOutcome } from '../../src/exporter/types.js';
import { spansToLangfuseOtlp } from '../../src/mapping/to-langfuse-otlp/index.js';
import { loadExampleSpans } from '../helpers/examples.js';
import { OTLP_TRACES_PATH, otlpVerdict } from '../helpers/fake-langfuse-otlp.js';
import { startFakeLangfuse } from '../helpers/fake-langfuse.js';
import type { FakeLangfuse, FakeScript } from '../helpers/fake-langfuse.js';
import { encodeWithStockSerializer } from '../helpers/otlp-proto.js';

const PK = 'pk-lf-otlp-test';
const SK = 'sk-lf-OTLP-SECRET-do-not-leak';
const BASIC = Buffer.from(`${PK}:${SK}`).toString('base64');
const DEADLINE = 40_000;

function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms) => void (sleeps.push(ms), (t += ms)), sleeps };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Records every outcome of a transport. */
function recording(inner: OtlpTransport): OtlpTransport & { outcomes: SendOutcome[] } {
  const outcomes: SendOutcome[] = [];
  return {
    outcomes,
    send: async (body, timeout) => {
      const outcome = await inner.send(body, timeout);
      outcomes.push(outcome);
      return outcome;
    },
    shutdown: () => inner.shutdown(),
  };
}

/** The otel recording, mapped: 5 spans of one trace. */
const SPANS = spansToLangfuseOtlp(loadExampleSpans('otel')).value.spans;
const IDS = SPANS.map((s) => s.spanContext().spanId);

async function deliverOver(
  script: FakeScript,
  options: { requestTimeoutMillis?: number; spans?: ReadableSpan[]; body?: Uint8Array } = {},
): Promise<{ fake: FakeLangfuse; report: DeliveryReport; sleeps: number[]; outcomes: SendOutcome[] }> {
  const fake = await startFakeLangfuse(script);
  const transport = recording(createOtlpTransport({ baseUrl: fake.url, publicKey: PK, secretKey: SK }));
  cleanups.push(() => fake.close(), () => transport.shutdown());
  const time = fakeTime();
  const deps: RetryDeps = { deadlineMillis: DEADLINE, now: time.now, sleep: time.sleep, requestTimeoutMillis: options.requestTimeoutMillis ?? 5000, baseUrl: fake.url };
  const delivery = new RequestDelivery(deps, 'span');
  const spans = options.spans ?? SPANS;
  const ids = spans.map((s) => s.spanContext().spanId);
  const { body } = options;
  delivery.addRequests(ids, () =>
    (body === undefined ? otlpRequests(spans, 3_500_000) : [{ ids, body }]).map((r) => {
      const attempt = { ids: r.ids, send: (t: number) => transport.send(r.body, t), subset: () => attempt };
      return attempt;
    }),
  );
  const report = await delivery.finish();
  const text = JSON.stringify([report, report.error?.message, transport.outcomes]);
  expect(text).not.toContain(SK);
  expect(text).not.toContain(BASIC);
  return { fake, report, sleeps: time.sleeps, outcomes: transport.outcomes };
}

/** An ExportTraceServiceResponse with a partial success: `rejected` spans and a message. */
function partialSuccessProto(rejected: number, message: string): Buffer {
  const msg = Buffer.from(message);
  const inner = Buffer.concat([Buffer.from([0x08, rejected, 0x12, msg.length]), msg]);
  return Buffer.concat([Buffer.from([0x0a, inner.length]), inner]);
}

describe('the request Langfuse v4 gets', () => {
  test('OTLP protobuf to /api/public/otel/v1/traces, Basic auth, ingestion version 4, no SDK name; every span stored once', async () => {
    const { fake, report } = await deliverOver(() => undefined);
    expect(report).toEqual({ accepted: IDS, rejected: [], undelivered: [] });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(OTLP_TRACES_PATH);
    expect(req?.headers['content-type']).toBe('application/x-protobuf');
    expect(req?.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(req?.headers['x-langfuse-ingestion-version']).toBe('4');
    expect(Object.keys(req?.headers ?? {}).filter((h) => h.startsWith('x-langfuse-'))).toEqual(['x-langfuse-ingestion-version']);
    expect(fake.otlpSpans().map((s) => s.span.spanId)).toEqual(IDS);
  });
});

interface Row {
  name: string;
  script: FakeScript;
  requestTimeoutMillis?: number;
  posts: number;
  sleeps: number[];
  accepted: readonly string[];
  error?: { status?: number; message: RegExp };
}

describe('retries, deadline and final answers (fake clock)', () => {
  test.for<Row>([
    { name: 'socket reset, then accepted', script: (i) => (i === 0 ? { kind: 'refuse' } : undefined), posts: 2, sleeps: [1000], accepted: IDS },
    {
      name: 'answer slower than the request timeout, then accepted',
      script: (i) => (i === 0 ? { kind: 'hang', millis: 2000 } : undefined),
      requestTimeoutMillis: 200,
      posts: 2,
      sleeps: [1000],
      accepted: IDS,
    },
    { name: '503 twice, then accepted', script: (i) => (i < 2 ? { status: 503 } : undefined), posts: 3, sleeps: [1000, 2000], accepted: IDS },
    {
      name: '429 with Retry-After seconds wins over the 1 s backoff',
      script: (i) => (i === 0 ? { status: 429, headers: { 'retry-after': '7' }, body: { message: 'Rate limit exceeded' } } : undefined),
      posts: 2,
      sleeps: [7000],
      accepted: IDS,
    },
    ...[400, 401, 403, 413].map(
      (status): Row => ({
        name: `${status}: final, no retry`,
        script: () => ({ status, body: { error: 'refused' } }),
        posts: 1,
        sleeps: [],
        accepted: [],
        error: { status, message: new RegExp(`^${IDS.length} of ${IDS.length} span\\(s\\) undelivered \\(HTTP ${status} `) },
      }),
    ),
    {
      name: 'always 503: retries stop before the 40 s deadline',
      script: () => ({ status: 503 }),
      posts: 6,
      sleeps: [1000, 2000, 4000, 8000, 16000],
      accepted: [],
      error: { message: /5 of 5 span\(s\) undelivered \(the deadline passed before a retry \(last: HTTP 503 Service Unavailable\)/ },
    },
    {
      name: 'a partial success (OTLP/JSON answer): final, the message reported, nothing sent again',
      script: () => ({ status: 200, body: { partialSuccess: { rejectedSpans: '2', errorMessage: 'spans too old' } } }),
      posts: 1,
      sleeps: [],
      accepted: [],
      error: { status: 200, message: /HTTP 200 OK with 2 span\(s\) rejected: spans too old/ },
    },
    {
      name: 'a partial success (protobuf answer)',
      script: () => ({ status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: partialSuccessProto(3, 'bad') }),
      posts: 1,
      sleeps: [],
      accepted: [],
      error: { status: 200, message: /with 3 span\(s\) rejected: bad/ },
    },
    {
      name: 'a 200 whose partial success rejects nothing is a success',
      script: () => ({ status: 200, body: { partialSuccess: { rejectedSpans: 0, errorMessage: 'warning only' } } }),
      posts: 1,
      sleeps: [],
      accepted: IDS,
    },
  ])('$name', async (row) => {
    const { fake, report, sleeps } = await deliverOver(row.script, row.requestTimeoutMillis === undefined ? {} : { requestTimeoutMillis: row.requestTimeoutMillis });
    expect(fake.requests).toHaveLength(row.posts);
    expect(sleeps).toEqual(row.sleeps);
    expect(report.accepted).toEqual(row.accepted);
    expect(report.rejected).toEqual([]);
    expect(report.undelivered).toEqual(row.accepted.length === 0 ? IDS : []);
    if (row.error === undefined) {
      expect(report.error).toBeUndefined();
      return;
    }
    expect(report.error).toBeInstanceOf(DeliveryError);
    expect(report.error?.message).toMatch(row.error.message);
    if (row.error.status !== undefined) expect((report.error as DeliveryError).status).toBe(row.error.status);
  });
});

describe("the fake's own rules, as Langfuse v4 has them", () => {
  const bad = (traceId: string, spanId: string): ReadableSpan => {
    const [s] = loadExampleSpans('otel');
    return { ...s, spanContext: () => ({ traceId, spanId, traceFlags: 1 }) } as ReadableSpan;
  };

  test('one span with a short id sinks the WHOLE request: 400, nothing stored', async () => {
    const spans = [...loadExampleSpans('otel'), bad('abcd', '00f067aa0ba902b7')];
    const { fake, report } = await deliverOver(() => undefined, { body: encodeWithStockSerializer(spans), spans });
    expect(fake.otlpSpans()).toEqual([]);
    expect(report.accepted).toEqual([]);
    expect((report.error as DeliveryError).status).toBe(400);
  });

  test.for([
    { name: 'an ingestion version above 4', headers: { 'content-type': 'application/x-protobuf', 'x-langfuse-ingestion-version': '5' }, status: 400 },
    { name: 'an ingestion version that is no number', headers: { 'content-type': 'application/x-protobuf', 'x-langfuse-ingestion-version': 'v4' }, status: 400 },
    { name: 'a content type Langfuse does not read', headers: { 'content-type': 'text/plain' }, status: 400 },
    { name: 'a span id of 4 bytes', headers: { 'content-type': 'application/x-protobuf' }, status: 400, spanId: 'abcdef01' },
    { name: 'version 4, protobuf', headers: { 'content-type': 'application/x-protobuf', 'x-langfuse-ingestion-version': '4' }, status: 200 },
    { name: 'no version header (the slow compatibility path)', headers: { 'content-type': 'application/x-protobuf' }, status: 200 },
  ])('$name: $status', ({ headers, status, spanId }) => {
    const spans = spanId === undefined ? loadExampleSpans('otel') : [bad('4bf92f3577b34da6a3ce929d0e0e4736', spanId)];
    expect(otlpVerdict(headers, Buffer.from(encodeWithStockSerializer(spans))).status).toBe(status);
  });

  test('OTLP/JSON is read too, with the same id rule', () => {
    const good = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', name: 'x' }] }] }] };
    const short = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '4bf92f35', spanId: '00f067aa0ba902b7', name: 'x' }] }] }] };
    expect(otlpVerdict({ 'content-type': 'application/json' }, Buffer.from(JSON.stringify(good)))).toMatchObject({ status: 200, spans: [{ span: { name: 'x' } }] });
    expect(otlpVerdict({ 'content-type': 'application/json' }, Buffer.from(JSON.stringify(short))).status).toBe(400);
  });
});
