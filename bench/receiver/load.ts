/**
 * Load for bench/receiver.ts: ~100 KB Langfuse ingestion requests (the recorded v3 client batch
 * replicated, fresh ids in every request so nothing is a duplicate) posted over keep-alive
 * connections, closed loop (N clients, each posting as soon as its last answer came) or open loop
 * (a fixed rate), recording each request's latency.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

/** A ~100 KB request body, with `@@@@@@@@` where each request's unique tag goes. */
export function requestTemplate(targetBytes = 100_000): { template: string; events: number } {
  const recorded = JSON.parse(readFileSync(new URL('../../test/fixtures/batches/batches-langfuse-v3.json', import.meta.url), 'utf8')) as Array<{ batch: Array<Record<string, unknown>> }>;
  const seed = recorded.flatMap((r) => r.batch);
  const text = JSON.stringify(seed);
  // Every id (envelope, trace, observation) gets the tag and a copy number, so copies are distinct traces.
  const ids = new Set<string>();
  for (const e of seed) {
    ids.add(e.id as string);
    const body = e.body as Record<string, unknown>;
    for (const k of ['id', 'traceId', 'parentObservationId', 'observationId']) if (typeof body[k] === 'string') ids.add(body[k] as string);
  }
  const copies: string[] = [];
  let bytes = 0;
  for (let c = 0; bytes < targetBytes; c++) {
    let copy = text.slice(1, -1);
    for (const id of ids) copy = copy.split(`"${id}"`).join(`"${id}-@@@@@@@@-${c}"`);
    copies.push(copy);
    bytes += copy.length;
  }
  return { template: `{"batch":[${copies.join(',')}],"metadata":{"sdk_integration":"bench","sdk_name":"langfuse-js","sdk_version":"3.39.2"}}`, events: copies.length * seed.length };
}

export interface LoadResult {
  readonly requests: number;
  readonly failed: number;
  readonly seconds: number;
  /** Latencies in ms, sorted. */
  readonly latencies: number[];
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
}

let serial = 0;
const bodyFrom = (template: string): string => template.split('@@@@@@@@').join((serial++).toString(16).padStart(8, '0'));

async function postOne(pool: Pool, template: string): Promise<{ ok: boolean; millis: number }> {
  const body = bodyFrom(template);
  const start = process.hrtime.bigint();
  try {
    const res = await pool.request({ method: 'POST', path: '/api/public/ingestion', headers: { 'content-type': 'application/json' }, body });
    await res.body.dump();
    return { ok: res.statusCode === 207, millis: Number(process.hrtime.bigint() - start) / 1e6 };
  } catch {
    return { ok: false, millis: Number(process.hrtime.bigint() - start) / 1e6 };
  }
}

/** `clients` loops posting back to back for `seconds`. */
export async function closedLoop(url: string, template: string, clients: number, seconds: number): Promise<LoadResult> {
  const pool = new Pool(url, { connections: clients, pipelining: 1 });
  const latencies: number[] = [];
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const r = await postOne(pool, template);
        if (r.ok) latencies.push(r.millis);
        else failed++;
      }
    }),
  );
  const took = Number(process.hrtime.bigint() - start) / 1e9;
  await pool.close();
  return { requests: latencies.length, failed, seconds: took, latencies: latencies.sort((x, y) => x - y) };
}

/** Requests at a fixed `rate` per second for `seconds`, whatever the answers take. */
export async function openLoop(url: string, template: string, rate: number, seconds: number): Promise<LoadResult> {
  const pool = new Pool(url, { connections: 64, pipelining: 1 });
  const latencies: number[] = [];
  let failed = 0;
  const total = Math.round(rate * seconds);
  const start = process.hrtime.bigint();
  const sent: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + BigInt(Math.round((i / rate) * 1e9));
    const wait = Number(due - process.hrtime.bigint()) / 1e6;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.push(
      postOne(pool, template).then((r) => {
        if (r.ok) latencies.push(r.millis);
        else failed++;
      }),
    );
  }
  await Promise.all(sent);
  const took = Number(process.hrtime.bigint() - start) / 1e9;
  await pool.close();
  return { requests: latencies.length, failed, seconds: took, latencies: latencies.sort((x, y) => x - y) };
}
