/**
 * src/exporter/file-output.ts in a temporary directory: one JSON line per write that parses back
 * deep-equal, order kept under concurrent writes, close waits for pending writes, and errors reject.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createFileOutput } from '../../src/exporter/file-output.js';
import type { FileOutput } from '../../src/exporter/file-output.js';
import type { IngestionEvent } from '../../src/mapping/schema.js';

function event(i: number): IngestionEvent {
  return {
    id: `ev-${i}`,
    type: 'span-create',
    timestamp: '2025-01-01T00:00:00.000Z',
    body: { id: `obs-${i}`, traceId: 'trace-1', name: `step ${i} "quoted"\nnewline ✓`, startTime: '2025-01-01T00:00:00.000Z' },
  };
}
const META = { sdk_integration: 'otel-langfuse-bridge', batch_size: 1 };

let dir: string;
const outputs: FileOutput[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-output-'));
});
afterEach(async () => {
  for (const out of outputs.splice(0)) await out.close();
  await rm(dir, { recursive: true, force: true });
});

function open(path = join(dir, 'out.jsonl')): FileOutput {
  const out = createFileOutput(path);
  outputs.push(out);
  return out;
}
async function readLines(path = join(dir, 'out.jsonl')): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as unknown);
}

describe('createFileOutput', () => {
  test('two writes make two lines that parse back deep-equal', async () => {
    const out = open();
    await out.write([event(1), event(2)], META);
    await out.write([event(3)], { ...META, extra: [1, null, { a: true }] });
    await out.flush();
    expect(await readLines()).toEqual([
      { batch: [event(1), event(2)], metadata: META },
      { batch: [event(3)], metadata: { ...META, extra: [1, null, { a: true }] } },
    ]);
  });

  test('appends to an existing file and creates missing directories', async () => {
    const path = join(dir, 'a', 'b', 'out.jsonl');
    const first = open(path);
    await first.write([event(1)], META);
    await first.close();
    const second = open(path);
    await second.write([event(2)], META);
    await second.close();
    expect((await readLines(path)).map((l) => (l as { batch: IngestionEvent[] }).batch[0]?.id)).toEqual(['ev-1', 'ev-2']);
  });

  test('concurrent writes land in call order', async () => {
    const out = open();
    const big = Array.from({ length: 2_000 }, (_, i) => event(i));
    await Promise.all(Array.from({ length: 20 }, (_, i) => out.write(i % 2 === 0 ? big : [event(i)], { call: i })));
    const lines = (await readLines()) as Array<{ metadata: { call: number } }>;
    expect(lines.map((l) => l.metadata.call)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('the events are serialised at call time', async () => {
    const out = open();
    const batch = [event(1)];
    const written = out.write(batch, META);
    batch.push(event(2));
    await written;
    expect(await readLines()).toEqual([{ batch: [event(1)], metadata: META }]);
  });

  test('close waits for pending writes and is idempotent; writing after close rejects', async () => {
    const out = open();
    const writes = [out.write([event(1)], META), out.write([event(2)], META)];
    const closed = out.close();
    expect(out.close()).toBe(closed);
    await closed;
    await Promise.all(writes);
    expect(await readLines()).toHaveLength(2);
    await expect(out.write([event(3)], META)).rejects.toThrow(/is closed/);
    expect(await readLines()).toHaveLength(2);
  });

  test('an I/O error rejects that write only; later writes still run', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file where a directory should be');
    const out = open(join(blocker, 'out.jsonl'));
    await expect(out.write([event(1)], META)).rejects.toThrow(/ENOTDIR|EEXIST/);
    await expect(out.write([event(2)], META)).rejects.toThrow();
    await rm(blocker);
    await out.write([event(3)], META);
    await out.flush();
    expect(await readLines(join(blocker, 'out.jsonl'))).toEqual([{ batch: [event(3)], metadata: META }]);
  });

  test('a value JSON cannot encode rejects the write', async () => {
    const out = open();
    await expect(out.write([event(1)], { n: 1n })).rejects.toThrow(TypeError);
    await out.write([event(2)], META);
    expect(await readLines()).toHaveLength(1);
  });
});
