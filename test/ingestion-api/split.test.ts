/**
 * src/exporter/split.ts: packing under the per-request cap (wrapper included), order, and the
 * truncation of oversized events (largest of input/output/metadata first, marker, never dropped).
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_WRAPPER_BYTES, splitIntoRequests } from '../../src/ingestion-api/split.js';
import type { IngestionEvent } from '../../src/mapping/schema.js';

const MB = 1_000_000;
const LIMITS = { maxBatchBytes: 3_500_000, maxEventBytes: MB };
const MARKER = /\.\.\.\[truncated by otel-langfuse-bridge, original length \d+ bytes\]$/;

function gen(id: string, body: Record<string, unknown> = {}): IngestionEvent {
  return {
    id,
    type: 'generation-create',
    timestamp: '2025-01-01T00:00:00.000Z',
    body: { id: `obs-${id}`, traceId: 'trace-1', name: 'chat', ...body },
  } as IngestionEvent;
}

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');
/** The request body the transport will send, with a metadata block of realistic size. */
const requestBytes = (events: IngestionEvent[]): number =>
  bytes({ batch: events, metadata: { batch_size: events.length, sdk_integration: 'otel-langfuse-bridge', public_key: 'pk-lf-x' } });

describe('packing', () => {
  test('small events share one request', () => {
    const events = ['a', 'b', 'c'].map((id) => gen(id));
    expect(splitIntoRequests(events, LIMITS)).toEqual({ requests: [events], pieces: [[JSON.stringify(events).slice(1, -1)]], truncated: [] });
  });

  test('no events, no requests', () => {
    expect(splitIntoRequests([], LIMITS)).toEqual({ requests: [], pieces: [], truncated: [] });
  });

  test('40 events of 300 KB go in several requests, each under 3.5 MB, in order', () => {
    const events = Array.from({ length: 40 }, (_, i) => gen(`e${i}`, { input: 'y'.repeat(300_000) }));
    const { requests, truncated } = splitIntoRequests(events, LIMITS);
    expect(truncated).toEqual([]);
    expect(requests.length).toBe(4); // 11 events of ~300 KB fit under 3.5 MB minus the wrapper
    for (const request of requests) expect(requestBytes(request)).toBeLessThanOrEqual(LIMITS.maxBatchBytes);
    expect(requests.flat()).toEqual(events);
  });

  test("each request comes with its events' JSON text, truncated copies included, for the body", () => {
    const events = [gen('small', { input: 'x' }), gen('big', { input: 'y'.repeat(1_200_000) })];
    const { requests, pieces } = splitIntoRequests(events, LIMITS);
    const placed = requests.flat();
    expect(placed[0]).toBe(events[0]); // untouched events are passed on as they are
    expect(placed[1]).not.toBe(events[1]); // the cut one is a copy
    expect(pieces.map((p) => `[${p.join(',')}]`)).toEqual(requests.map((r) => JSON.stringify(r)));
  });

  test("the pieces of several requests are exactly their events' JSON", () => {
    const events = Array.from({ length: 12 }, (_, i) => gen(`t${i}`, { input: 'z'.repeat(400_000) }));
    const { requests, pieces } = splitIntoRequests(events, LIMITS);
    expect(requests.length).toBeGreaterThan(1);
    expect(pieces.map((p) => `[${p.join(',')}]`)).toEqual(requests.map((r) => JSON.stringify(r)));
  });

  test('many small events in one request: pieces of at most 32 events that join to the exact JSON', () => {
    const events = Array.from({ length: 100 }, (_, i) => gen(`s${i}`, { input: 'é😀'.repeat(i) }));
    const { requests, pieces } = splitIntoRequests(events, LIMITS);
    expect(requests).toEqual([events]);
    expect(pieces[0]?.length).toBe(4);
    expect(`[${pieces[0]!.join(',')}]`).toBe(JSON.stringify(events));
  });

  test('the wrapper reserve counts: a request exactly at the cap without it is split', () => {
    const one = gen('a', { input: '' });
    const size = bytes(one);
    const cap = DEFAULT_WRAPPER_BYTES + 2 * (size + 1);
    expect(splitIntoRequests([one, gen('b', { input: '' })], { maxBatchBytes: cap, maxEventBytes: MB }).requests).toHaveLength(1);
    expect(splitIntoRequests([one, gen('b', { input: '' })], { maxBatchBytes: cap - 1, maxEventBytes: MB }).requests).toHaveLength(2);
  });

  test('one request as long as the whole text fits in UTF-8 bytes, however its length reads', () => {
    // 'é' is one UTF-16 unit but two UTF-8 bytes; '😀' two units and four bytes.
    for (const char of ['é', '😀', 'a']) {
      const events = [gen('m1', { input: char.repeat(50_000) }), gen('m2', { input: char.repeat(50_000) })];
      const size = bytes(events); // both events, a comma and the brackets
      const fits = splitIntoRequests(events, { maxBatchBytes: DEFAULT_WRAPPER_BYTES + size, maxEventBytes: size });
      expect(fits.requests).toHaveLength(1);
      // Event by event, the split counts each event and a comma: size - 1 with the brackets left out.
      const tight = splitIntoRequests(events, { maxBatchBytes: DEFAULT_WRAPPER_BYTES + size - 2, maxEventBytes: MB });
      expect(tight.requests).toHaveLength(2);
    }
  });

  test('multi-byte characters are counted in UTF-8 bytes', () => {
    const events = Array.from({ length: 3 }, (_, i) => gen(`u${i}`, { input: 'é'.repeat(100_000) })); // 200 KB each
    const { requests } = splitIntoRequests(events, { maxBatchBytes: 450_000, maxEventBytes: MB });
    expect(requests.map((r) => r.length)).toEqual([2, 1]);
  });
});

describe('truncation', () => {
  test('a 3 MB input is cut under 1 MB with a marker; the original is untouched', () => {
    const original = gen('big', { input: 'a'.repeat(3_000_000), output: 'short' });
    const { requests, truncated } = splitIntoRequests([original], LIMITS);
    const sent = requests[0]![0]!;
    expect(bytes(sent)).toBeLessThanOrEqual(MB);
    expect(bytes(sent)).toBeGreaterThan(MB - 1000);
    const input = (sent.body as { input: string }).input;
    expect(input).toMatch(MARKER);
    expect(input).toContain('original length 3000000 bytes');
    expect((sent.body as { output: string }).output).toBe('short');
    expect(truncated).toEqual([{ id: 'big', field: 'body.input', fromBytes: 3_000_002 }]);
    expect((original.body as { input: string }).input).toHaveLength(3_000_000);
  });

  test('an object field becomes its cut JSON text, escaping counted', () => {
    const messages = Array.from({ length: 40_000 }, (_, i) => ({ role: 'user', content: `"quoted" ${i}` }));
    const { requests, truncated } = splitIntoRequests([gen('obj', { output: messages })], LIMITS);
    const sent = requests[0]![0]!;
    expect(bytes(sent)).toBeLessThanOrEqual(MB);
    const output = (sent.body as { output: string }).output;
    expect(typeof output).toBe('string');
    expect(output.startsWith('[{"role":"user","content":"\\"quoted\\" 0"}')).toBe(true);
    expect(output).toMatch(MARKER);
    expect(truncated).toEqual([{ id: 'obj', field: 'body.output', fromBytes: bytes(messages) }]);
  });

  test('largest first, then the next largest while still too big', () => {
    const event = gen('two', { input: 'i'.repeat(900_000), output: 'o'.repeat(800_000), metadata: { k: 'm'.repeat(700_000) } });
    const { requests, truncated } = splitIntoRequests([event], LIMITS);
    expect(truncated.map((t) => t.field)).toEqual(['body.input', 'body.output']);
    const sent = requests[0]![0]!;
    expect(bytes(sent)).toBeLessThanOrEqual(MB);
    expect((sent.body as { metadata: unknown }).metadata).toEqual({ k: 'm'.repeat(700_000) });
  });

  test('an event too big outside the three fields is kept as it is, alone in its request', () => {
    const huge = gen('name', { name: 'n'.repeat(1_200_000), input: 'tiny' });
    const { requests, truncated } = splitIntoRequests([gen('a'), huge, gen('b')], { maxBatchBytes: 1_100_000, maxEventBytes: MB });
    expect(requests.map((r) => r.map((e) => e.id))).toEqual([['a'], ['name'], ['b']]);
    expect(truncated).toEqual([]); // cutting 'tiny' would only add a marker
    expect((requests[1]![0]!.body as { name: string }).name).toHaveLength(1_200_000);
  });
});
