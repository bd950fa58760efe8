/**
 * createReceiver: the receiver's stages wired together (design.md 9). Requests are checked and
 * spooled by the handler (a 201 once durable), read back in order by the consumer, assembled per
 * trace, and forwarded in batches; the spool forgets an event only once it is delivered.
 */
import { createContext } from '../mapping/to-otel/index.js';
import { IssueSink } from '../mapping/result.js';
import { Assembler } from './assembler/assembler.js';
import { consume } from './assembler/consumer.js';
import { systemClock } from './clock.js';
import { deadLetterFile } from './forwarder/dead-letter.js';
import { Forwarder } from './forwarder/forwarder.js';
import { keyPairAuthenticator } from './http/auth.js';
import { langfuseAuthenticator } from './http/langfuse-auth.js';
import { createHandler } from './http/handler.js';
import { InFlightBytes } from './http/in-flight.js';
import { listen } from './http/server.js';
import { Lifecycle } from './lifecycle.js';
import { createMetrics } from './metrics.js';
import { createObservers, newCounts } from './observe.js';
import type { ReceiverOptions } from './options.js';
import { resolveReceiverOptions } from './options.js';
import { createSpool } from './spool/index.js';
import { langfuseTarget } from './targets/langfuse/target.js';
import { spanExporterTarget } from './targets/span-exporter.js';
import { isReceiverTarget } from './targets/target.js';

export interface ReceiverStats {
  readonly requests: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly forwardedSpans: number;
  readonly retriedExports: number;
  readonly deadLetteredSpans: number;
  readonly deadLetteredEvents: number;
  readonly failures: number;
  readonly heldTraces: number;
  readonly heldBytes: number;
  readonly spoolBytes: number;
  readonly pendingEvents: number;
}

export interface Receiver {
  /** `http://host:port`, the value for a client's `LANGFUSE_HOST` / `LANGFUSE_BASEURL`. */
  readonly url: string;
  readonly port: number;
  /** Where the spans go, for logs. */
  readonly target: string;
  stats(): ReceiverStats;
  /** The Prometheus text `GET /metrics` answers. */
  metrics(): Promise<string>;
  /** Forwards everything accepted so far now, complete or not, and waits until it is delivered. */
  flush(): Promise<void>;
  /** Stops accepting (503), forwards what is held, waits up to `drainMillis`; the rest stays in the spool. */
  close(): Promise<void>;
}

/** Starts a receiver; resolves once it listens. */
export async function createReceiver(options: ReceiverOptions): Promise<Receiver> {
  const o = resolveReceiverOptions(options);
  const clock = options.clock ?? systemClock;
  const exporter = options.exporter;
  const target =
    exporter === undefined
      ? langfuseTarget({ baseUrl: o.langfuseUrl as string })
      : isReceiverTarget(exporter)
        ? exporter
        : spanExporterTarget(exporter, 'span exporter');
  // Langfuse stores every attribute it does not read: only its own keys go there (design.md §13).
  const attributes = o.langfuseUrl !== undefined ? 'langfuse' : options.attributes;
  // Requests the consumer has not read stay in memory up to 4 MiB of bodies (parsed, several times
  // that); past it they are read back from disk.
  const spool = await createSpool({ dir: o.spoolDir, maxBytes: o.spoolMaxBytes, dedupeWindowMillis: o.dedupeWindowMillis, readAheadBytes: 4 * 1024 ** 2, now: () => clock.now() });
  const counts = newCounts();
  // The gauges read the parts made below (metrics come first: the parts report to them).
  const parts: { assembler?: Assembler; forwarder?: Forwarder } = {};
  const metrics = createMetrics({
    spool: () => spool.stats(),
    heldTraces: () => parts.assembler?.heldTraces ?? 0,
    heldBytes: () => parts.assembler?.heldBytes ?? 0,
    queuedBytes: () => parts.forwarder?.heldBytes ?? 0,
  });
  const observe = createObservers(counts, metrics, target.description);
  const forwarder = new Forwarder({ target, spool, deadLetter: deadLetterFile(o.deadLetterFile, () => clock.now()), clock, limits: o.forwarder, observe: observe.forwarder });
  const assembler = new Assembler({
    context: createContext({ ...(attributes === undefined ? {} : { attributes }) }, new IssueSink()),
    quietMillis: o.quietMillis,
    maxHoldMillis: o.maxHoldMillis,
    maxHeldBytes: o.maxHeldBytes,
    rememberedTraces: 100_000,
    emit: (e) => forwarder.enqueue(e),
    issues: observe.issues,
  });
  Object.assign(parts, { assembler, forwarder });
  const life = new Lifecycle({ spool, assembler, forwarder, clock, quietMillis: o.quietMillis, drainMillis: o.drainMillis });
  const handler = createHandler({
    authenticate: o.langfuseUrl === undefined ? keyPairAuthenticator(o.keys) : langfuseAuthenticator({ baseUrl: o.langfuseUrl, clock }),
    spool: {
      wouldOverflow: (bytes) => spool.wouldOverflow(bytes),
      append: async (input) => {
        const result = await spool.append(input);
        if (result.ref !== undefined) life.appended();
        return result;
      },
    },
    maxBodyBytes: o.maxBodyBytes,
    inFlight: new InFlightBytes(o.maxInFlightBytes),
    maxDepth: o.maxDepth,
    ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
    now: () => clock.now(),
    closing: () => life.closing,
    metrics: async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
    observe: observe.handler,
  });
  let listening;
  try {
    listening = await listen(handler, o.host, o.port, o.server);
  } catch (err) {
    await spool.close();
    throw err;
  }
  const consuming = consume({
    spool,
    assembler,
    room: () => forwarder.room(),
    ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
    ...life.consumerHooks(observe.failure),
  }).catch((err: unknown) => observe.failure(`reading the spool stopped: ${err instanceof Error ? err.message : String(err)}`));
  life.start(
    consuming,
    listening.server,
    o.statusIntervalMillis,
    () => statusLine(stats()),
  );
  const stats = (): ReceiverStats => {
    const s = spool.stats();
    return { ...counts, heldTraces: assembler.heldTraces, heldBytes: assembler.heldBytes, spoolBytes: s.bytes, pendingEvents: s.pendingEvents };
  };
  return {
    url: listening.url,
    port: listening.port,
    target: target.description,
    stats,
    metrics: () => metrics.registry.metrics(),
    flush: () => life.flush(),
    close: () => life.close(() => target.shutdown()),
  };
}

function statusLine(s: ReceiverStats): string {
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  return (
    `${s.requests} requests, ${s.accepted} events accepted (${s.duplicates} duplicates, ${s.rejected} rejected), ` +
    `${s.heldTraces} traces held (${mb(s.heldBytes)}), ${s.forwardedSpans} spans forwarded, ${s.retriedExports} export retries, ` +
    `${s.deadLetteredSpans} spans dead-lettered, spool ${mb(s.spoolBytes)} with ${s.pendingEvents} events pending`
  );
}
