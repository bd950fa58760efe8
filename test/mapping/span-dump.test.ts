import { describe, expect, test } from 'vitest';
import { spanDumpToReadableSpans } from '../../src/mapping/span-dump.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';

const SPAN = {
  name: 'chat gpt-4o',
  kind: 2,
  traceId: 'f629388210ef905a4ffe3152be6617c2',
  spanId: '0f3f33fdb36aca04',
  traceState: 'vendor=a,other=b',
  startTime: [1795550920, 560000000],
  endTime: [1795550920, 613914663],
  attributes: { 'gen_ai.request.model': 'gpt-4o' },
  events: [{ name: 'exception', time: [1795550920, 600000000], attributes: { 'exception.message': 'boom' } }],
  links: [{ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }, attributes: { why: 'retry' } }],
  status: { code: 2, message: 'boom' },
  resource: { 'service.name': 'svc' },
  scope: { name: 'scope', version: '1.0.0' },
};

describe('spanDumpToReadableSpans', () => {
  test('replays every field of a dump entry', () => {
    const { value, issues } = spanDumpToReadableSpans([SPAN]);
    expect(issues).toEqual([]);
    const span = value[0]!;
    expect(span.spanContext()).toMatchObject({ traceId: SPAN.traceId, spanId: SPAN.spanId, traceFlags: 1 });
    expect(span.spanContext().traceState?.serialize()).toBe('vendor=a,other=b');
    expect(span.parentSpanContext).toBeUndefined();
    expect([span.name, span.kind, span.startTime, span.endTime, span.duration]).toEqual([
      'chat gpt-4o', 2, [1795550920, 560000000], [1795550920, 613914663], [0, 53914663],
    ]);
    expect(span.status).toEqual({ code: 2, message: 'boom' });
    expect(span.events).toEqual([{ name: 'exception', time: [1795550920, 600000000], attributes: { 'exception.message': 'boom' } }]);
    expect(span.links).toEqual([{ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }, attributes: { why: 'retry' } }]);
    expect(span.resource.attributes).toEqual({ 'service.name': 'svc' });
    expect(span.instrumentationScope).toEqual({ name: 'scope', version: '1.0.0' });
  });

  test('trace state, links and events reach the reserved metadata keys', () => {
    const events = spansToIngestion(spanDumpToReadableSpans([SPAN]).value).value;
    expect(events[1]?.body).toMatchObject({
      level: 'ERROR',
      statusMessage: 'boom',
      metadata: {
        'bridge.trace_state': 'vendor=a,other=b',
        'bridge.links': [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { why: 'retry' } }],
        'bridge.events': [{ name: 'exception', time: '2026-11-24T20:08:40.600Z', attributes: { 'exception.message': 'boom' } }],
      },
    });
  });

  test('a bad entry is an issue naming its span id; the others are replayed', () => {
    const { value, issues } = spanDumpToReadableSpans([{ ...SPAN, spanId: 'bad1', startTime: 'yesterday' }, SPAN]);
    expect(value).toHaveLength(1);
    expect(issues).toEqual([expect.objectContaining({ code: 'SKIPPED', spanId: 'bad1', path: '[0]' })]);
  });

  test('a single object is read as a one-span dump; junk never throws', () => {
    expect(spanDumpToReadableSpans(SPAN).value).toHaveLength(1);
    for (const junk of [null, 42, 'text', [null], [[]], { name: 1 }]) {
      expect(() => spanDumpToReadableSpans(junk)).not.toThrow();
    }
  });
});
