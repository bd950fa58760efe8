/**
 * The forwarder with a fake clock and a scripted target: exports bounded in spans, a few in
 * flight, retries with backoff until delivered (done marks only then), refusals split until the
 * bad trace is alone and dead-lettered, and the bound that pauses the consumer.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import type { Emission } from '../../../src/receiver/assembler/assembler.js';
import { addDone } from '../../../src/receiver/assembler/done-marks.js';
import { hashKeys } from '../../../src/receiver/spool/key-hash.js';
import type { DoneMarks } from '../../../src/receiver/assembler/done-marks.js';
import { deadLetterFile } from '../../../src/receiver/forwarder/dead-letter.js';
import type { ForwarderLimits, ForwarderObserver } from '../../../src/receiver/forwarder/forwarder.js';
import { Forwarder } from '../../../src/receiver/forwarder/forwarder.js';
import type { ExportBatch, ReceiverTarget, TargetOutcome } from '../../../src/receiver/targets/target.js';
import { FakeClock, settle } from '../../helpers/fake-clock.js';
import { MemorySpool } from '../../helpers/memory-spool.js';
import { parseIngestionEvent } from '../../../src/mapping/schema.js';

const T = '2026-11-24T20:09:40.250Z';

/** A trace of `n` spans (a root and n-1 generations) as the assembler emits it. */
function emission(id: string, n = 1, bytes = 1_000): Emission {
  const raw = [
    { id: `e-${id}`, type: 'trace-create', timestamp: T, body: { id, timestamp: T, name: id } },
    ...Array.from({ length: n - 1 }, (_, i) => ({
      id: `e-${id}-${i}`,
      type: 'generation-create',
      timestamp: T,
      body: { id: `${id}-g${i}`, traceId: id, startTime: T, endTime: T },
    })),
  ];
  const done: DoneMarks = new Map();
  for (const e of raw) {
    const hash = hashKeys([`k:${e.id}`]);
    addDone(done, { segment: 1, index: 0 }, `k:${e.id}`, hash[0] as number, hash[1] as number);
  }
  const events = raw.map((e) => {
    const parsed = parseIngestionEvent(e);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.event;
  });
  return { spans: ingestionToSpans(raw).value, done, events, bytes, route: '' };
}

interface Script {
  readonly calls: ExportBatch[];
  inFlight: number;
  maxInFlight: number;
  /** Outcome per call (in order); then `ok`. A function decides per batch. */
  outcomes: Array<TargetOutcome | ((b: ExportBatch) => TargetOutcome)>;
  release: Array<() => void>;
  /** When set, exports wait until released. */
  hold: boolean;
}

function scriptedTarget(): { target: ReceiverTarget; script: Script } {
  const script: Script = { calls: [], inFlight: 0, maxInFlight: 0, outcomes: [], release: [], hold: false };
  const target: ReceiverTarget = {
    description: 'scripted',
    async export(batch) {
      script.calls.push(batch);
      script.inFlight++;
      script.maxInFlight = Math.max(script.maxInFlight, script.inFlight);
      if (script.hold) await new Promise<void>((resolve) => script.release.push(resolve));
      script.inFlight--;
      const next = script.outcomes.shift() ?? { kind: 'ok' };
      return typeof next === 'function' ? next(batch) : next;
    },
    shutdown: () => Promise.resolve(),
  };
  return { target, script };
}

function setUp(limits: Partial<ForwarderLimits> = {}) {
  const clock = new FakeClock();
  const spool = new MemorySpool();
  const { target, script } = scriptedTarget();
  const log = { exported: 0, retries: [] as number[], dead: 0, failures: [] as string[] };
  const observe: ForwarderObserver = {
    exported: (spans) => (log.exported += spans),
    retrying: (_spans, _reason, ms) => log.retries.push(ms),
    deadLettered: (spans) => (log.dead += spans),
    failure: (m) => log.failures.push(m),
  };
  const deadLetterPath = join(mkdtempSync(join(tmpdir(), 'olb-dl-')), 'dead.jsonl');
  const forwarder = new Forwarder({
    target,
    spool,
    deadLetter: deadLetterFile(deadLetterPath, () => clock.now()),
    clock,
    limits: { maxExportSpans: 512, maxExportBytes: 4_000_000, concurrency: 4, maxQueuedBytes: 1_000_000, ...limits },
    observe,
  });
  return { clock, spool, script, log, forwarder, deadLetterPath };
}

describe('batching', () => {
  test('1,000 one-span traces queued together: exports of the span bound, at most 4 in flight, every done mark once', async () => {
    const { script, forwarder, spool } = setUp({ concurrency: 4, maxExportSpans: 100 });
    script.hold = true;
    for (let i = 0; i < 1_000; i++) forwarder.enqueue(emission(`t${i}`));
    await settle();
    expect(script.inFlight).toBe(4);
    script.hold = false;
    while (script.release.length > 0) {
      script.release.shift()?.();
      await settle();
    }
    await forwarder.idle();
    expect(script.calls.map((c) => c.spans.length)).toEqual(Array.from({ length: 10 }, () => 100));
    expect(script.maxInFlight).toBe(4);
    expect(spool.doneCalls.flatMap((c) => c.keys).sort()).toEqual(Array.from({ length: 1_000 }, (_, i) => `k:e-t${i}`).sort());
  });

  test('a trace is never split across exports, even when bigger than the span bound', async () => {
    const { script, forwarder } = setUp({ maxExportSpans: 5 });
    forwarder.enqueue(emission('a', 3));
    forwarder.enqueue(emission('big', 8));
    forwarder.enqueue(emission('b', 2));
    await forwarder.idle();
    expect(script.calls.map((c) => c.spans.length)).toEqual([3, 8, 2]);
  });
});

describe('failures', () => {
  test('an outage: retried with backoff (1 s, 2 s, 4 s ... 30 s) until delivered; done marks only after', async () => {
    const { clock, script, forwarder, spool, log } = setUp();
    script.outcomes = Array.from({ length: 8 }, () => ({ kind: 'retryable', reason: 'HTTP 503' }) as TargetOutcome);
    forwarder.enqueue(emission('t1'));
    await settle();
    while (script.calls.length < 9) {
      expect(spool.doneCalls).toEqual([]);
      await clock.advance(1_000);
    }
    await forwarder.idle();
    expect(log.retries).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(script.calls).toHaveLength(9);
    expect(spool.doneCalls).toHaveLength(1);
    expect(log.exported).toBe(1);
  });

  test('Retry-After longer than the backoff is honoured', async () => {
    const { clock, script, forwarder, log } = setUp();
    script.outcomes = [{ kind: 'retryable', reason: 'HTTP 429', retryAfterMillis: 20_000 }];
    forwarder.enqueue(emission('t1'));
    await clock.advance(19_999);
    expect(script.calls).toHaveLength(1);
    await clock.advance(1);
    await forwarder.idle();
    expect([log.retries, script.calls.length]).toEqual([[20_000], 2]);
  });

  test('a refusal of many traces: halves until the bad one is alone; it is dead-lettered, the rest delivered', async () => {
    const { script, forwarder, spool, log, deadLetterPath } = setUp();
    const bad = (b: ExportBatch): TargetOutcome =>
      b.spans.some((s) => s.name === 't5') ? { kind: 'refused', reason: 'HTTP 400: bad span', status: 400 } : { kind: 'ok' };
    script.outcomes = Array.from({ length: 20 }, () => bad);
    for (let i = 0; i < 8; i++) forwarder.enqueue(emission(`t${i}`));
    await forwarder.idle();
    expect(log.exported).toBe(7);
    expect(log.dead).toBe(1);
    expect(spool.doneCalls).toHaveLength(8);
    const lines = readFileSync(deadLetterPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { batch: Array<{ id: string }>; metadata: Record<string, unknown> });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.batch.map((e) => e.id)).toEqual(['e-t5']);
    expect(lines[0]?.metadata.dead_letter).toEqual({ reason: 'HTTP 400: bad span', status: 400, at: '2026-12-01T00:00:00.000Z' });
  });

  test('stop(): exports still retrying give up; their events stay pending in the spool', async () => {
    const { clock, script, forwarder, spool } = setUp();
    script.outcomes = [{ kind: 'retryable', reason: 'down' }];
    forwarder.enqueue(emission('t1'));
    await clock.advance(10);
    expect(script.calls).toHaveLength(1);
    forwarder.stop();
    await forwarder.idle();
    expect(script.calls).toHaveLength(1);
    expect(spool.doneCalls).toEqual([]);
    expect(forwarder.heldBytes).toBe(0);
  });
});

describe('the bound that pauses the consumer', () => {
  test('room() waits while queued and in-flight bytes are at the bound', async () => {
    const { script, forwarder } = setUp({ maxQueuedBytes: 2_500, concurrency: 1 });
    script.hold = true;
    for (let i = 0; i < 3; i++) forwarder.enqueue(emission(`t${i}`, 1, 1_000));
    let roomy = false;
    void forwarder.room().then(() => (roomy = true));
    await settle();
    expect(roomy).toBe(false);
    script.hold = false;
    script.release.shift()?.();
    await settle();
    await settle();
    expect(roomy).toBe(true);
  });
});
