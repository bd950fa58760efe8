/**
 * Shared setup of the peer child processes (run by `test/helpers/peers.ts` with `node --import tsx`).
 * Contract with the parent: spans go to stdout as one JSON array, diagnostics go to stderr, a failure
 * exits non-zero.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LangfuseSpanExporter } from '../../src/exporter/langfuse-span-exporter.js';
import { toSpanDump } from './span-dump.js';

export interface PeerTracing {
  provider: BasicTracerProvider;
  exporter: InMemorySpanExporter;
}

/** Registers a global tracer provider and context manager, as an application's tracing setup does. */
export function setUpTracing(peer: string): PeerTracing {
  // Anything a library logs must not end up in the JSON on stdout.
  console.log = console.error;
  console.info = console.error;

  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': `peer-${peer}`,
      'deployment.environment.name': 'peer-lab',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter), ...langfuseProcessor()],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return { provider, exporter };
}

/**
 * With `PEER_LANGFUSE_URL` set, spans also go through our LangfuseSpanExporter under a
 * BatchSpanProcessor (default GenAI filter), as an application would register it: once with each
 * protocol ('otlp', the default, and 'ingestion'), both to the same fake Langfuse.
 */
function langfuseProcessor(): SpanProcessor[] {
  const baseUrl = process.env['PEER_LANGFUSE_URL'];
  if (!baseUrl) return [];
  const keys = { baseUrl, publicKey: 'pk-lf-peer', secretKey: 'sk-lf-peer' };
  return [
    new BatchSpanProcessor(new LangfuseSpanExporter(keys)),
    new BatchSpanProcessor(new LangfuseSpanExporter({ ...keys, protocol: 'ingestion' })),
  ];
}

/** Base URL of the fake OpenAI server, as the OpenAI SDKs want it (with `/v1`). */
export function fakeOpenAIBaseUrl(): string {
  const url = process.env['FAKE_OPENAI_URL'];
  if (!url) throw new Error('FAKE_OPENAI_URL is not set');
  return `${url}/v1`;
}

/** Runs the scenario, prints the finished spans and exits; any error exits with code 1. */
export function runPeer(peer: string, scenario: (tracing: PeerTracing) => Promise<void>): void {
  const tracing = setUpTracing(peer);
  scenario(tracing)
    .then(async () => {
      await tracing.provider.forceFlush();
      const dump = tracing.exporter.getFinishedSpans().map(toSpanDump);
      // Shutdown drains the BatchSpanProcessor: every export in flight has finished after it.
      await tracing.provider.shutdown();
      // Exit explicitly: keep-alive sockets or library timers must not keep the child running.
      process.stdout.write(JSON.stringify(dump), () => process.exit(0));
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
