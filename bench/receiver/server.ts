/**
 * A server under test in its own process for bench/receiver.ts:
 *   bare  <port>                  node:http that reads the body, JSON.parse, answers 207 per event
 *   ours  <spoolDir> <sinkUrl>    createReceiver, spool on, forwarding with the stock OTLP protobuf
 *                                 exporter to the sink
 * Prints `url <url>` once listening, then `stats <json>` every second (RSS, and for ours the
 * receiver's counts), and exits on SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { createReceiver } from 'otel-langfuse-bridge/receiver';

const [mode, a, b] = process.argv.slice(2) as [string, string, string];

function report(extra: Record<string, unknown>): void {
  process.stdout.write(`stats ${JSON.stringify({ rss: process.memoryUsage().rss, ...extra })}\n`);
}

if (mode === 'bare') {
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
  setInterval(() => report({}), 1000).unref();
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  const receiver = await createReceiver({
    exporter: new OTLPTraceExporter({ url: b, timeoutMillis: 30_000 }),
    spoolDir: a,
    statusIntervalMillis: 0,
    drainMillis: 0,
  });
  process.stdout.write(`url ${receiver.url}\n`);
  setInterval(() => report(receiver.stats() as unknown as Record<string, unknown>), 1000).unref();
  process.once('SIGTERM', () => void receiver.close().then(() => process.exit(0)));
}
