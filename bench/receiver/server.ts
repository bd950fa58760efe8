/**
 * The baseline server of bench/receiver.ts, in its own process: node:http that reads the body,
 * JSON.parse, answers 207 with a success per event. Prints `url <url>` once listening, then
 * `stats <json>` (RSS) every second; exits on SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { batch: Array<{ id: string }> };
    const successes = body.batch.map((e) => ({ id: e.id, status: 201 }));
    res.writeHead(207, { 'content-type': 'application/json' }).end(JSON.stringify({ successes, errors: [] }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`url http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
setInterval(() => process.stdout.write(`stats ${JSON.stringify({ rss: process.memoryUsage().rss })}\n`), 1000).unref();
process.once('SIGTERM', () => server.close(() => process.exit(0)));
