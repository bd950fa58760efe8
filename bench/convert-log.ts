/**
 * A litellm-style ingestion log for the convert bench: JSON Lines of request bodies
 * (`{"batch":[...],"metadata":{...}}`, what litellm's Langfuse SDK posts), made from the recorded
 * seed batch (a trace-create and a generation-create) replicated with fresh ids. Requests hold 1 to
 * 8 events; traces interleave; every fourth generation is split into a create (start, input,
 * model, metadata) and an update (end, completion start, usage) sent 2,000 to 6,000 events later,
 * inside the default idle window, so the merge must bring them back together exactly.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

type Json = Record<string, unknown>;

const SEED = new URL('../test/fixtures/batches/litellm-batch.json', import.meta.url);
const UPDATE_FIELDS = ['endTime', 'completionStartTime', 'usage', 'usageDetails'] as const;

/** A small deterministic generator (mulberry32): the same log for the same size. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** An ISO time `millis` after `iso`, with its microseconds and its offset (`Z` or litellm's `-08:00`). */
function shifted(iso: string, millis: number): string {
  const micros = /\.\d{3}(\d{3})/.exec(iso)?.[1] ?? '000';
  const offset = /([+-])(\d\d):(\d\d)$/.exec(iso);
  const offsetMillis = offset === null ? 0 : (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
  const local = new Date(Date.parse(iso) + millis + offsetMillis).toISOString(); // wall time at that offset, as ...sssZ
  return `${local.slice(0, 23)}${micros}${offset === null ? 'Z' : offset[0]}`;
}

export interface LogFigures {
  readonly bytes: number;
  readonly lines: number;
  readonly events: number;
  readonly traces: number;
  /** Generations sent as a create and a later update. */
  readonly split: number;
}

/** Writes a log of at least `targetBytes` to `path`. */
export function writeLitellmLog(path: string, targetBytes: number): LogFigures {
  const seed = JSON.parse(readFileSync(SEED, 'utf8')) as { batch: Json[]; metadata: Json };
  const [traceEvent, generationEvent] = seed.batch as [Json, Json];
  const rand = random(0x5eed);
  const fd = openSync(path, 'w');
  const pending: Array<{ at: number; event: Json }> = []; // updates, in order of `at`
  const queue: Json[] = [];
  let out = '';
  let bytes = 0;
  let lines = 0;
  let events = 0;
  let traces = 0;
  let split = 0;
  const flush = (force: boolean): void => {
    if (out.length < 1 << 20 && !force) return;
    bytes += writeSync(fd, out);
    out = '';
  };
  const writeRequest = (batch: Json[]): void => {
    out += `${JSON.stringify({ batch, metadata: { ...seed.metadata, batch_size: batch.length } })}\n`;
    lines++;
    events += batch.length;
    flush(false);
  };
  while (bytes + out.length < targetBytes || pending.length > 0) {
    if (bytes + out.length < targetBytes) {
      const k = ++traces;
      const tag = hex(k, 8);
      const ms = k * 37;
      const traceId = `litellm-test-${tag}-f4e7-4f05-8992-984c37359166`;
      const body = traceEvent.body as Json;
      queue.push({
        ...traceEvent,
        id: `${tag}-4602-4c59-a322-7fc0306f1b7a`,
        timestamp: shifted(traceEvent.timestamp as string, ms),
        body: { ...body, id: traceId, timestamp: shifted(body.timestamp as string, ms) },
      });
      const gen = generationEvent.body as Json;
      const genBody: Json = {
        ...gen,
        id: `time-16-23-27-220129_chatcmpl-${tag}-965f-4533-9c09-db789af77a7d`,
        traceId,
        startTime: shifted(gen.startTime as string, ms),
        endTime: shifted(gen.endTime as string, ms),
        completionStartTime: shifted(gen.completionStartTime as string, ms),
      };
      const timestamp = shifted(generationEvent.timestamp as string, ms);
      if (k % 4 === 0) {
        split++;
        const create: Json = { ...genBody };
        const update: Json = { id: genBody.id, traceId };
        for (const f of UPDATE_FIELDS) {
          update[f] = genBody[f];
          delete create[f];
        }
        queue.push({ ...generationEvent, id: `${tag}-f500-4c7d-8e34-d40a0e8c487b`, timestamp, body: create });
        const later = events + queue.length + 2_000 + Math.floor(rand() * 4_000);
        const updateEvent = { id: `${tag}-0a0a-4c7d-8e34-d40a0e8c487b`, type: 'generation-update', body: update, timestamp: shifted(timestamp, 4_000) };
        const before = pending.findIndex((p) => p.at > later);
        pending.splice(before < 0 ? pending.length : before, 0, { at: later, event: updateEvent });
      } else {
        queue.push({ ...generationEvent, id: `${tag}-f500-4c7d-8e34-d40a0e8c487b`, timestamp, body: genBody });
      }
    }
    while (pending.length > 0 && (pending[0]!.at <= events + queue.length || bytes + out.length >= targetBytes)) queue.push(pending.shift()!.event);
    // Requests of 1 to 8 events, cut from the interleaved stream.
    const size = 1 + Math.floor(rand() * 8);
    if (queue.length >= size || (bytes + out.length >= targetBytes && queue.length > 0)) writeRequest(queue.splice(0, size));
  }
  while (queue.length > 0) writeRequest(queue.splice(0, 8));
  flush(true);
  closeSync(fd);
  return { bytes, lines, events, traces, split };
}
