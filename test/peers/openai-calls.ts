/**
 * The four calls the three OpenAI instrumentations were recorded with (genai-conventions.md §0), under
 * a manual root span `answer-question`.
 */
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type OpenAIClient from 'openai';
import { fakeOpenAIBaseUrl, runPeer } from './harness.js';

const require = createRequire(import.meta.url);

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
} as const;

/** `instrument` is called after the tracer provider is registered and before `openai` is loaded. */
export function runOpenAIPeer(peer: string, instrument: () => Instrumentation): void {
  runPeer(peer, async ({ provider }) => {
    registerInstrumentations({ instrumentations: [instrument()], tracerProvider: provider });
    // The instrumentations patch `openai` through a require hook, so it is loaded with require(), and
    // only now: a static import would be evaluated before the hook exists.
    const { OpenAI } = require('openai') as { OpenAI: typeof OpenAIClient };
    const client = new OpenAI({ baseURL: fakeOpenAIBaseUrl(), apiKey: 'test-key' });

    await trace.getTracer('peer-app').startActiveSpan('answer-question', async (root) => {
      try {
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          temperature: 0.2,
          max_tokens: 64,
          messages: [
            { role: 'system', content: 'You are terse.' },
            { role: 'user', content: 'What is the capital of France?' },
          ],
        });
        await client.chat.completions.create({
          model: 'gpt-4o',
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
          tools: [WEATHER_TOOL],
        });
        const stream = await client.chat.completions.create({
          model: 'gpt-4o-mini',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'Capital of France, streamed?' }],
        });
        for await (const chunk of stream) void chunk;
        await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
      } finally {
        root.end();
      }
    });
  });
}
