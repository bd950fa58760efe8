/**
 * The acknowledgement floor of bench/receiver.ts, in its own process: the least any receiver that
 * keeps Langfuse's contract must do before it answers: parse the JSON, check every event (our
 * validation fast path: the per-event 207), and make the body durable (append to a file and
 * fdatasync, concurrent requests sharing one fdatasync). No dedupe, no forwarding. Prints `url`.
 */
import { mkdtempSync, openSync, fdatasync, writev } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBatch } from '../../src/receiver/http/batch.js';

const fd = openSync(join(mkdtempSync(join(tmpdir(), 'olb-floor-')), 'log'), 'a');
let queue: Array<{ body: Buffer; done: () => void }> = [];
let writing = false;

function commit(): void {
  if (writing || queue.length === 0) return;
  writing = true;
  const group = queue;
  queue = [];
  writev(fd, group.map((g) => g.body), () =>
    fdatasync(fd, () => {
      writing = false;
      for (const g of group) g.done();
      commit();
    }),
  );
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const checked = checkBatch(JSON.parse(body.toString('utf8')) as unknown, undefined, undefined);
    queue.push({
      body,
      done: () => res.writeHead(207, { 'content-type': 'application/json' }).end(JSON.stringify({ successes: checked.accepted.map((id) => ({ id, status: 201 })), errors: checked.errors })),
    });
    commit();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`url http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
