/**
 * A receiver in a child process for the kill -9 test: spool in argv[2], forwarding with the stock
 * OTLP protobuf exporter to argv[3]. Prints its URL; SIGINT closes it (drains) and it exits 0.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { createReceiver } from '../../../src/receiver/index.js';

const [spoolDir, sinkUrl] = process.argv.slice(2) as [string, string];
// Registered first, so a signal that comes while the receiver starts still closes it.
let stop: () => void = () => undefined;
const stopped = new Promise<void>((resolve) => (stop = resolve));
process.once('SIGINT', () => stop());
const receiver = await createReceiver({
  exporter: new OTLPTraceExporter({ url: sinkUrl }),
  spoolDir,
  quietMillis: 200,
  statusIntervalMillis: 0,
  drainMillis: 30_000,
});
process.stdout.write(`listening ${receiver.url}\n`);
await stopped;
await receiver.close();
// Nothing is left to keep the process alive: it ends once this line is out.
process.stdout.write(`closed ${JSON.stringify(receiver.stats())}\n`);
