/**
 * npx tsx bench/spool.ts: the receiver's spool on this machine's disk, 100 KB request bodies with
 * 20 event keys each, 8 concurrent appenders (the receiver target is > 200 requests/s).
 *
 * Rows, measured in interleaved rounds (median and range of 5):
 * - spool: `append` with a consumer reading every record and marking it done (segments deleted
 *   as they finish), as the receiver runs it;
 * - spool, append only: nobody reads;
 * - floor: the same bodies written by the same 8 appenders with group commit and nothing else
 *   (one writev + one fdatasync per group, no framing, CRC, hashing or seen ids): what the disk
 *   allows;
 * - naive: one write + one fdatasync per append (no group commit).
 * Then the reader alone, over the 800 records of an append-only run: from memory (a read-ahead
 * large enough to hold them all, `cached` handed back) and from disk (replayed after a reopen;
 * the files were just written, so mostly from the page cache).
 *
 * The consumer does not await each done mark before reading on: done marks are group-committed
 * like appends, so one awaited at a time costs one fsync each.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSpool } from '../src/receiver/spool/index.js';
import type { Spool } from '../src/receiver/spool/index.js';

const BODY_BYTES = 100_000;
const KEYS_PER_RECORD = 20;
const APPENDERS = 8;
const APPENDS = 800;
const ROUNDS = 5;
const BODY = Buffer.alloc(BODY_BYTES, '{"id":"x","type":"span-create"},');

let serial = 0;
const keysFor = (n: number): string[] => Array.from({ length: KEYS_PER_RECORD }, (_, k) => `project\u0000${serial}-${n}-${k}`);

/** Runs `APPENDS` appends from `APPENDERS` concurrent loops; returns seconds. */
async function drive(append: (n: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      while (next < APPENDS) await append(next++);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Appends from the 8 appenders (a consumer marking every record done when `consume`); seconds. */
async function spoolRun(dir: string, consume: boolean): Promise<number> {
  serial++;
  const spool = await createSpool({ dir, maxBytes: 4_000_000_000 });
  const consumer = consume
    ? (async () => {
        const dones: Array<Promise<void>> = [];
        let read = 0;
        for await (const r of spool.records()) {
          dones.push(spool.done(r.ref, keysFor(Number(r.meta.n))));
          if (++read === APPENDS) break;
        }
        await Promise.all(dones);
      })()
    : Promise.resolve();
  const seconds = await drive((n) => spool.append({ meta: { n, receivedAt: 1_767_225_600_000 }, body: BODY, keys: keysFor(n) }));
  await consumer;
  await spool.close();
  return seconds;
}

/** Records/s of one consumer reading the `APPENDS` records there are. */
async function readAll(spool: Spool): Promise<number> {
  const start = process.hrtime.bigint();
  let read = 0;
  for await (const r of spool.records()) {
    read += r.body.length > 0 ? 1 : 0;
    if (read === APPENDS) break;
  }
  return APPENDS / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Appends everything with the read-ahead holding it all, then reads: reader speed from memory. */
async function memoryReadRun(dir: string): Promise<number> {
  serial++;
  const spool = await createSpool({ dir, maxBytes: 4_000_000_000, readAheadBytes: 2 * APPENDS * BODY_BYTES });
  await drive((n) => spool.append({ meta: { n }, body: BODY, keys: keysFor(n), cached: n }));
  const rate = await readAll(spool);
  await spool.close();
  return rate;
}

/** Reopens a spool and reads what it replays: reader speed from disk. */
async function replayRun(dir: string): Promise<number> {
  const spool = await createSpool({ dir, maxBytes: 4_000_000_000 });
  const rate = await readAll(spool);
  await spool.close();
  return rate;
}

/** Group commit and nothing else: what the disk allows. */
async function floorRun(path: string): Promise<number> {
  const file = await open(path, 'w', 0o600);
  let position = 0;
  let queue: Array<() => void> = [];
  let bodies: Buffer[] = [];
  let running: Promise<void> | undefined;
  const loop = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const [waiting, buffers] = [queue, bodies];
      queue = [];
      bodies = [];
      const { bytesWritten } = await file.writev(buffers, position);
      position += bytesWritten;
      await file.datasync();
      for (const w of waiting) w();
    }
    running = undefined;
  };
  const seconds = await drive(
    () =>
      new Promise<void>((resolve) => {
        queue.push(resolve);
        bodies.push(BODY);
        running ??= loop();
      }),
  );
  await file.close();
  return seconds;
}

async function naiveRun(path: string): Promise<number> {
  const file = await open(path, 'w', 0o600);
  let position = 0;
  let tail = Promise.resolve();
  const seconds = await drive(() => {
    tail = tail.then(async () => {
      const { bytesWritten } = await file.write(BODY, 0, BODY.length, position);
      position += bytesWritten;
      await file.datasync();
    });
    return tail;
  });
  await file.close();
  return seconds;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${Math.round(median(s)).toLocaleString('en-US')}/s (${Math.round(s[0] as number)}-${Math.round(s[s.length - 1] as number)})`;
};
const mb = (perSecond: number): string => `${((perSecond * BODY_BYTES) / 1e6).toFixed(0)} MB/s`;

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'spool-bench-'));
  const rates: Record<string, number[]> = { spool: [], appendOnly: [], floor: [], naive: [], replay: [], memoryRead: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      rates.spool!.push(APPENDS / (await spoolRun(join(root, `consumed-${round}`), true)));
      const appendOnly = join(root, `append-only-${round}`);
      rates.appendOnly!.push(APPENDS / (await spoolRun(appendOnly, false)));
      rates.replay!.push(await replayRun(appendOnly));
      await rm(appendOnly, { recursive: true });
      rates.memoryRead!.push(await memoryReadRun(join(root, `memory-${round}`)));
      await rm(join(root, `memory-${round}`), { recursive: true });
      await rm(join(root, `consumed-${round}`), { recursive: true });
      rates.floor!.push(APPENDS / (await floorRun(join(root, `floor-${round}`))));
      rates.naive!.push(APPENDS / (await naiveRun(join(root, `naive-${round}`))));
      await rm(join(root, `floor-${round}`));
      await rm(join(root, `naive-${round}`));
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const m = (k: string): number => median(rates[k]!);
  console.log(`Spool appends: ${APPENDS} x ${BODY_BYTES / 1000} KB bodies, ${KEYS_PER_RECORD} keys each, ${APPENDERS} concurrent appenders; median (range) of ${ROUNDS} interleaved rounds\n`);
  console.log(`spool (consumer marks done)  ${fmt(rates.spool!)}  ${mb(m('spool'))}`);
  console.log(`spool (append only)          ${fmt(rates.appendOnly!)}  ${mb(m('appendOnly'))}`);
  console.log(`floor (group commit only)    ${fmt(rates.floor!)}  ${mb(m('floor'))}`);
  console.log(`naive (fsync per append)     ${fmt(rates.naive!)}  ${mb(m('naive'))}`);
  console.log(`\nspool / floor: ${(m('spool') / m('floor')).toFixed(2)}x (append only ${(m('appendOnly') / m('floor')).toFixed(2)}x); spool / naive: ${(m('spool') / m('naive')).toFixed(2)}x`);
  console.log(`target > 200 appends/s: ${m('spool') > 200 ? 'met' : 'NOT met'} (${(m('spool') / 200).toFixed(1)}x headroom)`);
  console.log(`\nreader from memory (read-ahead)   ${fmt(rates.memoryRead!)}  ${mb(m('memoryRead'))}`);
  console.log(`reader from disk (replay)        ${fmt(rates.replay!)}  ${mb(m('replay'))}`);
  console.log(`memory / disk: ${(m('memoryRead') / m('replay')).toFixed(1)}x`);
}

await main();
