/**
 * kill -9 in the middle of appends: a child process appends (and marks some records done), the
 * test kills it with SIGKILL once it has reported enough, reopens the spool and checks that every
 * append that had resolved is replayed with its body, and no record whose done mark had resolved.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpool } from '../../../src/receiver/spool/index.js';
import { Consumer, removeTempDirs, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

/** Runs the child until it has reported `appends` appends, then kills it; returns its full lines. */
async function runAndKill(dir: string, appends: number): Promise<Array<{ appended?: string; marking?: string; done?: string }>> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Array<{ appended?: string; marking?: string; done?: string }> = [];
  let partial = '';
  let seen = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      const line = JSON.parse(p) as { appended?: string; marking?: string; done?: string };
      lines.push(line);
      if (line.appended !== undefined && ++seen === appends) child.kill('SIGKILL');
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  expect([code, signal]).toEqual([null, 'SIGKILL']);
  return lines;
}

describe('spool after kill -9', () => {
  it.for([{ appends: 150 }, { appends: 600 }])('replays every append that resolved before the kill ($appends appends)', async ({ appends }) => {
    const dir = await tempDir();
    const lines = await runAndKill(dir, appends);
    const appended = new Set(lines.flatMap((l) => (l.appended === undefined ? [] : [l.appended])));
    const done = new Set(lines.flatMap((l) => (l.done === undefined ? [] : [l.done])));
    // A done mark in flight at the kill may or may not have become durable.
    const marking = new Set(lines.flatMap((l) => (l.marking === undefined || done.has(l.marking) ? [] : [l.marking])));
    expect(marking.size).toBeLessThanOrEqual(1);
    expect(appended.size).toBeGreaterThanOrEqual(appends);
    expect(done.size).toBeGreaterThan(0);

    const spool = await createSpool({ dir, maxBytes: 1_000_000_000 });
    try {
      const count = spool.stats().pendingEvents;
      const replayed = await new Consumer(spool).take(count);
      const ids = replayed.map((r) => `${String(r.meta.w)}-${String(r.meta.i)}`);
      for (const r of replayed) {
        const [w, i] = [Number(r.meta.w), Number(r.meta.i)];
        expect(r.body.equals(Buffer.alloc(2_000 + ((w * 7 + i) % 50), `${w}:${i};`))).toBe(true);
      }
      const replayedSet = new Set(ids);
      const lost = [...appended].filter((id) => !done.has(id) && !marking.has(id) && !replayedSet.has(id));
      expect({ lost }).toEqual({ lost: [] });
      expect({ replayedDone: ids.filter((id) => done.has(id)) }).toEqual({ replayedDone: [] });
      expect(new Set(ids).size).toBe(ids.length);
      // The torn tail of an append in flight may be counted; a whole record is never damaged.
      expect(spool.stats().corruptRecords).toBeLessThanOrEqual(1);
    } finally {
      await spool.close();
    }
  });
});
