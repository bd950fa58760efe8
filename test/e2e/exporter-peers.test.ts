/**
 * The five real instrumentations, each in a child process against the fake OpenAI, with our
 * LangfuseSpanExporter registered under a BatchSpanProcessor (default GenAI filter) twice, with
 * each protocol, posting to a fake Langfuse that validates every event with Langfuse's server
 * rules and serves v4's OTLP endpoint: every span arrives exactly once by each path, as the event
 * the mapping makes of it, and what Langfuse stores from the OTLP spans equals what it stores
 * from those events.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spanDumpToReadableSpans } from '../../src/mapping/span-dump.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { OTLP_TRACES_PATH } from '../helpers/fake-langfuse-otlp.js';
import { INGESTION_PATH, startFakeLangfuse } from '../helpers/fake-langfuse.js';
import { expectOtlpMatchesIngestion } from '../helpers/otlp-vs-ingestion.js';
import type { FakeLangfuse } from '../helpers/fake-langfuse.js';
import { capturePeerSpans } from '../helpers/peers.js';
import type { PeerName, SpanDump } from '../helpers/peers.js';

const PEERS: PeerName[] = ['otel', 'traceloop', 'openinference', 'ai-sdk', 'langfuse-tracing'];
const runs = new Map<PeerName, { spans: SpanDump[]; fake: FakeLangfuse }>();

beforeAll(async () => {
  // Two at a time: each child is mostly CPU (tsx and module loading) on a 2-core machine.
  const queue = [...PEERS];
  const worker = async (): Promise<void> => {
    for (let peer = queue.shift(); peer !== undefined; peer = queue.shift()) {
      const fake = await startFakeLangfuse();
      const spans = await capturePeerSpans(peer, { env: { PEER_LANGFUSE_URL: fake.url } });
      runs.set(peer, { spans, fake });
    }
  };
  await Promise.all([worker(), worker()]);
}, 60_000);

afterAll(async () => {
  for (const { fake } of runs.values()) await fake.close();
});

type Event = { id: string; type: string; body: { id: string } };

describe('LangfuseSpanExporter with the real instrumentations', () => {
  test.for(PEERS)('%s', (peer) => {
    const run = runs.get(peer);
    if (!run) throw new Error(`${peer} did not run`);
    const sent = run.fake.requests.filter((r) => r.path === INGESTION_PATH).flatMap((r) => r.batch) as Event[];
    const observations = sent.filter((e) => e.type !== 'trace-create');
    // Every span exactly once (the parents of GenAI spans are kept by the filter).
    expect(observations.map((e) => e.body.id).sort()).toEqual(run.spans.map((s) => s.spanId).sort());
    // Each as the event the mapping makes of the same span, with the right type and fields.
    const expected = spansToIngestion(spanDumpToReadableSpans(run.spans).value).value.filter((e) => e.type !== 'trace-create');
    expect([...observations].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [...expected].sort((a, b) => a.id.localeCompare(b.id)),
    );
    // Langfuse (the fake validates with the server's rules) accepted all of it.
    expect(run.fake.accepted().length).toBe(sent.length);
  });

  test.for(PEERS)('%s over OTLP (the default protocol)', (peer) => {
    const run = runs.get(peer);
    if (!run) throw new Error(`${peer} did not run`);
    const requests = run.fake.requests.filter((r) => r.path === OTLP_TRACES_PATH);
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) {
      expect(r.headers['x-langfuse-ingestion-version']).toBe('4');
      expect(r.headers['x-langfuse-sdk-name']).toBeUndefined();
    }
    // Every span exactly once (the fake answered 200 to each request: no id sank a request).
    const stored = run.fake.otlpSpans();
    expect(stored.map((s) => s.span.spanId).sort()).toEqual(run.spans.map((s) => s.spanId).sort());
    expectOtlpMatchesIngestion(stored, spansToIngestion(spanDumpToReadableSpans(run.spans).value).value);
  });
});
