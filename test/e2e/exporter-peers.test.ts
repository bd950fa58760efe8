/**
 * The five real instrumentations, each in a child process against the fake OpenAI, with our
 * LangfuseSpanExporter registered under a BatchSpanProcessor (default GenAI filter), posting to a
 * fake Langfuse that validates every event with Langfuse's server rules: every span arrives
 * exactly once, as the event the mapping makes of it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spanDumpToReadableSpans } from '../../src/mapping/span-dump.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { startFakeLangfuse } from '../helpers/fake-langfuse.js';
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
    const sent = run.fake.requests.flatMap((r) => r.batch) as Event[];
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
});
