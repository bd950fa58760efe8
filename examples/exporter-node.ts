/**
 * A Node app sending its OpenAI calls to Langfuse through LangfuseSpanExporter.
 *
 *   LANGFUSE_PUBLIC_KEY=pk-lf-... LANGFUSE_SECRET_KEY=sk-lf-... LANGFUSE_BASE_URL=https://cloud.langfuse.com \
 *   OPENAI_API_KEY=sk-... node --import tsx examples/exporter-node.ts
 *
 * CI runs it against loopback fakes of OpenAI and Langfuse (test/examples/examples.test.ts) and
 * checks that the GenAI span of the chat call arrives.
 *
 * How `openai` is loaded matters. `@opentelemetry/instrumentation-openai` patches the module when
 * it is loaded, through a hook on CommonJS `require` (require-in-the-middle). An ESM `import` or
 * `await import('openai')` bypasses that hook: the client works, but no GenAI span is made. ESM
 * imports are patched only when the process starts with the import-in-the-middle loader
 * (`node --import @opentelemetry/instrumentation/hook.mjs ...`), one more flag to forget and one
 * more loader beside tsx's. This example uses `createRequire` instead: `openai` ships CommonJS, the
 * `require` goes through the hook, and the app runs with plain `node`/`tsx`. Either way, register
 * the instrumentation before `openai` is loaded.
 */
import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type * as OpenAIModule from 'openai';
import { LangfuseSpanExporter } from 'otel-langfuse-bridge';

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'support-bot', 'deployment.environment.name': 'production' }),
  // Keys and base URL come from LANGFUSE_* variables; GenAI spans and their ancestors are sent.
  // (OTel JS 3.x: `new BatchSpanProcessor({ exporter: new LangfuseSpanExporter(...) })`.)
  spanProcessors: [new BatchSpanProcessor(new LangfuseSpanExporter({ release: 'v1.4.2' }))],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });

// After registerInstrumentations, through CommonJS `require`: see the header.
const require = createRequire(import.meta.url);
const { OpenAI } = require('openai') as typeof OpenAIModule;
// Reads OPENAI_API_KEY and OPENAI_BASE_URL.
const client = new OpenAI();
const tracer = trace.getTracer('support-bot');

await tracer.startActiveSpan('answer-question', async (span) => {
  span.setAttributes({ 'user.id': 'user-42', 'session.id': 'sess-7', 'langfuse.trace.tags': ['support'] });
  const reply = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'How do I reset my password?' }],
  });
  console.log(reply.choices[0]?.message.content);
  span.end();
});

// Exports what is still queued and waits for every request in flight.
await provider.shutdown();
