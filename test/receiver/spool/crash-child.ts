/**
 * Child process of crash.test.ts: appends records from four concurrent writers, awaiting each
 * append, and consumes them, marking every third one done. Each resolved append and each resolved
 * done mark is reported on stdout as one JSON line (stdout to a pipe is synchronous on Linux, so
 * the line is out before the next step); so is each done mark about to start (it may be durable
 * before its own line is out). The parent kills it with SIGKILL mid-stream.
 */
import { createSpool } from '../../../src/receiver/spool/index.js';

const dir = process.argv[2] as string;
const spool = await createSpool({ dir, maxBytes: 1_000_000_000, segmentBytes: 64 * 1024 });
const say = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const bodyOf = (w: number, i: number): Buffer => Buffer.alloc(2_000 + ((w * 7 + i) % 50), `${w}:${i};`);

async function writer(w: number): Promise<void> {
  for (let i = 0; ; i++) {
    const { ref } = await spool.append({ meta: { w, i }, body: bodyOf(w, i), keys: [`p\u0000${w}-${i}`] });
    say({ appended: `${w}-${i}`, ref });
  }
}

async function consumer(): Promise<void> {
  let n = 0;
  for await (const r of spool.records()) {
    const id = `${String(r.meta.w)}-${String(r.meta.i)}`;
    if (n++ % 3 !== 0) continue;
    say({ marking: id });
    await spool.done(r.ref, [`p\u0000${id}`]);
    say({ done: id });
  }
}

await Promise.all([writer(0), writer(1), writer(2), writer(3), consumer()]);
