/**
 * A Node app sending its OpenAI calls to Langfuse through LangfuseSpanExporter.
 *
 *   LANGFUSE_PUBLIC_KEY=pk-lf-... LANGFUSE_SECRET_KEY=sk-lf-... LANGFUSE_BASE_URL=https://cloud.langfuse.com \
 *   OPENAI_API_KEY=sk-... node --import tsx examples/exporter-node.ts
 *
 * Register tracing before `openai` is loaded: the instrumentation patches it on load.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LangfuseSpanExporter } from 'otel-langfuse-bridge';

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'support-bot', 'deployment.environment.name': 'production' }),
  // Keys and base URL come from LANGFUSE_* variables; GenAI spans and their ancestors are sent.
  spanProcessors: [new BatchSpanProcessor(new LangfuseSpanExporter({ release: 'v1.4.2' }))],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });

const { default: OpenAI } = await import('openai');
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
