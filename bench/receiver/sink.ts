/**
 * A loopback OTLP/HTTP sink for bench/receiver.ts, in its own process: reads each request and
 * answers 200 after `delayMillis` (argv[2]). Prints `url <url>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const delay = Number(process.argv[2] ?? 0);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const answer = (): void => void res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`url http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
