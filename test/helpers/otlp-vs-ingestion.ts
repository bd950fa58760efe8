/**
 * The contract of the OTLP output: what Langfuse v4 stores from the spans (read from their
 * `langfuse.*` keys) equals what it stores from the ingestion events the forward mapping makes of
 * the same spans, in full: every observation once, with the same type and fields, every row
 * carrying its trace's fields, the trace's input and output on its root: as the root
 * observation's own (Langfuse v4 has no other), and under `langfuse.trace.*` when they differ.
 * One field differs by nature: an event's end time (none in an event-create; its span's own over OTLP).
 */
import { expect } from 'vitest';
import type { IngestionEvent } from '../../src/mapping/schema.js';
import type { StoredSpan } from './fake-langfuse-otlp.js';
import { plainAttributes, readStoredSpan, storedFromEvent, traceFieldsFromEvent } from './langfuse-v4-reader.js';
import type { StoredObservation } from './langfuse-v4-reader.js';

/** The only keys a span for Langfuse carries: Langfuse's own (no dialect keys, no GenAI twins). */
const LANGFUSE_KEY = /^(langfuse\.(observation|trace)\.[a-z_.]+|langfuse\.(observation|trace)\.metadata\..+|langfuse\.(environment|release|version)|user\.id|session\.id)$/;

type Body = Record<string, unknown>;

export function expectOtlpMatchesIngestion(spans: readonly StoredSpan[], events: readonly IngestionEvent[]): void {
  for (const { span } of spans) {
    for (const key of Object.keys(plainAttributes(span.attributes))) expect(key).toMatch(LANGFUSE_KEY);
  }
  const read = spans.map(readStoredSpan);
  const observations = events.filter((e) => e.type !== 'trace-create' && e.type !== 'score-create');
  const id = (o: { body: unknown }): string => String((o.body as Body).id);
  expect(read.map(id).sort()).toEqual(observations.map(id).sort());
  const byId = new Map(read.map((r) => [id(r), r]));
  for (const event of observations) {
    const stored = byId.get(id(event)) as StoredObservation;
    const expected = storedFromEvent(event);
    if (expected.type === 'event') {
      // An event-create has no end time (Langfuse stores its start); over OTLP the event's span
      // keeps its own end, which Langfuse stores: never before the start, the rest the same.
      expect(Date.parse(String(stored.body.endTime))).toBeGreaterThanOrEqual(Date.parse(String(expected.body.startTime)));
      expected.body.endTime = stored.body.endTime;
    }
    expect({ id: id(event), type: stored.type, body: stored.body }).toEqual({ id: id(event), type: expected.type, body: expected.body });
  }
  for (const trace of events.filter((e) => e.type === 'trace-create')) {
    const body = trace.body as Body;
    const members = read.filter((r) => r.body.traceId === body.id);
    const { fields, input, output } = traceFieldsFromEvent(body);
    for (const m of members) {
      const { input: _input, output: _output, ...rest } = m.trace;
      expect({ id: m.body.id, trace: rest }).toEqual({ id: m.body.id, trace: fields });
    }
    const carriers = members.filter((m) => m.trace.input !== undefined || m.trace.output !== undefined);
    expect(carriers.length).toBeLessThanOrEqual(1);
    if (input === undefined && output === undefined) {
      expect(carriers).toEqual([]);
      continue;
    }
    // The root: the span with no parent (a trace whose root is elsewhere carries them on the span that stated them).
    const root = carriers[0] ?? members.find((m) => m.body.parentObservationId === undefined);
    expect(root).toBeDefined();
    if (members.some((m) => m.body.parentObservationId === undefined)) expect(root?.body.parentObservationId).toBeUndefined();
    const seen = { input: root?.trace.input ?? root?.body.input, output: root?.trace.output ?? root?.body.output };
    expect(seen).toEqual({ input, output });
  }
}
