/**
 * Langfuse v5 tracing SDK: observations are OTel spans of the global tracer provider (scope
 * `langfuse-sdk`). Mirrors the recording in `spans-langfuse-tracing.json`; no OpenAI calls.
 */
import { LangfuseOtelSpanAttributes, startObservation } from '@langfuse/tracing';
import { runPeer } from './harness.js';

runPeer('langfuse-tracing', async () => {
  const question = { question: 'What is OTel?' };
  const root = startObservation('rag-pipeline', { input: question, metadata: { team: 'search' } });
  root.setTraceIO({ input: question });
  // Trace-level keys written on the root only, as the recording has them. `propagateAttributes` would
  // copy them to children only through `@langfuse/otel`'s span processor, which is not installed here.
  root.otelSpan.setAttributes({
    [LangfuseOtelSpanAttributes.TRACE_NAME]: 'rag-request',
    [LangfuseOtelSpanAttributes.TRACE_USER_ID]: 'user-42',
    [LangfuseOtelSpanAttributes.TRACE_SESSION_ID]: 'sess-7',
    [LangfuseOtelSpanAttributes.TRACE_TAGS]: ['peer', 'rag'],
    [`${LangfuseOtelSpanAttributes.TRACE_METADATA}.tenant`]: 'acme',
    [LangfuseOtelSpanAttributes.RELEASE]: 'v1.2.3',
  });

  const retriever = root.startObservation('vector-search', { input: { query: 'OTel' } }, { asType: 'retriever' });
  retriever.update({ output: { documents: ['doc-1', 'doc-2'] } }).end();

  const generation = root.startObservation(
    'llm-answer',
    {
      input: [{ role: 'user', content: 'What is OTel?' }],
      model: 'gpt-4o-mini',
      modelParameters: { temperature: 0.2, max_tokens: 64 },
    },
    { asType: 'generation' },
  );
  generation
    .update({
      output: { role: 'assistant', content: 'An observability framework.' },
      usageDetails: { input: 23, output: 7, cache_read_input_tokens: 4 },
      costDetails: { input: 0.0001, output: 0.0002 },
      completionStartTime: new Date(),
    })
    .end();

  // An event ends as soon as it is created.
  root.startObservation('user-feedback-received', { input: { rating: 5 }, level: 'DEFAULT' }, { asType: 'event' });

  const weather = root.startObservation('get_weather', { input: { city: 'Paris' } }, { asType: 'tool' });
  weather.update({ level: 'WARNING', statusMessage: 'slow upstream', output: { tempC: 18 } }).end();

  root.update({ output: { answer: 'An observability framework.' } }).end();
});
