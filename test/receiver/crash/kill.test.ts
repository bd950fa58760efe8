/**
 * kill -9 during load: a receiver in a child process takes batches from concurrent clients and
 * forwards them to a loopback OTLP sink; it is killed mid-load, restarted on the same spool, and
 * stopped. Every event it answered 201 for reaches the sink (read by an independent decoder);
 * a span may arrive twice only if its export was in flight at the kill.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { syntheticRootSpanId, toOtelSpanId } from '../../../src/mapping/ids.js';
import { DEFAULT_FORWARDER_LIMITS } from '../../../src/receiver/forwarder/forwarder.js';
import { otlpJsonToSpans } from '../../../src/otlp/otlp-json.js';
import { startOtlpServer } from '../../helpers/loopback.js';
import { decodeTraceRequest } from '../../helpers/otlp-proto.js';
import { replicateEvents } from '../../helpers/replicate.js';
import { recordedEvents } from '../../helpers/spans.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CHILD = 'test/receiver/crash/receiver-child.ts';

function startChild(spoolDir: string, sink: string): { child: ChildProcessWithoutNullStreams; url: Promise<string>; closed: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, spoolDir, sink], { cwd: ROOT, env: { ...process.env, OTEL_LOG_LEVEL: 'none' } });
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', () => reject(new Error(`child exited: ${out}`)));
  });
  const closed = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`${out}exit ${String(code)} ${String(signal)}`)));
  return { child, url, closed };
}

type Json = Record<string, unknown>;

test('every event answered 201 before kill -9 is forwarded after a restart', async () => {
  const sink = await startOtlpServer();
  const spoolDir = mkdtempSync(join(tmpdir(), 'olb-kill-'));
  const copies = replicateEvents(recordedEvents('batches-langfuse-v3.json'), 400);
  const perRequest = 11; // one copy of the recorded v3 batch: one trace
  const acked: Json[] = [];
  try {
    const first = startChild(spoolDir, sink.url);
    const url = await first.url;
    let next = 0;
    let killed = false;
    // 4 clients posting one trace per request until the child is gone.
    const client = async (): Promise<void> => {
      while (!killed && next < copies.length) {
        const batch = copies.slice(next, next + perRequest);
        next += perRequest;
        try {
          const res = await fetch(`${url}/api/public/ingestion`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
          const body = (await res.json()) as { successes?: Array<{ id: string }> };
          if (res.status === 207) {
            const ok = new Set((body.successes ?? []).map((s) => s.id));
            acked.push(...batch.filter((e) => ok.has(e.id as string)));
          }
        } catch {
          return; // the child is gone
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    // Kill once a good part of the load is in, while requests and exports are in flight.
    while (acked.length < copies.length / 3) await new Promise((resolve) => setImmediate(resolve));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(clients);
    await first.closed;
    const forwardedBefore = sink.requests.length;

    const second = startChild(spoolDir, sink.url);
    await second.url;
    second.child.kill('SIGINT');
    const report = await second.closed;
    expect(report).toContain('closed');

    const received = sink.requests.flatMap((q) => otlpJsonToSpans(decodeTraceRequest(q.body)).value);
    const counts = new Map<string, number>();
    for (const s of received) counts.set(s.spanContext().spanId, (counts.get(s.spanContext().spanId) ?? 0) + 1);
    const expected = new Set<string>();
    for (const e of acked) {
      const body = e.body as Json;
      if (e.type === 'trace-create') expected.add(syntheticRootSpanId(body.id as string));
      else if (e.type !== 'score-create') expected.add(toOtelSpanId(body.id as string));
    }
    const missing = [...expected].filter((id) => !counts.has(id));
    expect(missing).toEqual([]);
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    const limits = DEFAULT_FORWARDER_LIMITS;
    expect(duplicated).toBeLessThanOrEqual(limits.concurrency * limits.maxExportSpans);
    expect(acked.length).toBeGreaterThan(copies.length / 3);
    expect(forwardedBefore).toBeGreaterThanOrEqual(0);
    process.stdout.write(`kill -9: ${acked.length} events acknowledged, ${expected.size} spans expected, 0 missing, ${duplicated} sent twice\n`);
  } finally {
    await sink.close();
  }
}, 120_000);
