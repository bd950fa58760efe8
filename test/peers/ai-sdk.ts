/**
 * Vercel AI SDK: `ai` emits its spans through the global tracer provider when telemetry is enabled
 * per call, no instrumentation needed. `openai.chat(...)` selects the Chat Completions API.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { embed, generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod/v3';
import { fakeOpenAIBaseUrl, runPeer } from './harness.js';

/** Same values as the recording (`spans-ai-sdk.json`). */
const metadata = { userId: 'user-42', sessionId: 'sess-7', tags: ['peer'] };
const telemetry = (functionId: string) => ({ isEnabled: true, functionId, metadata });

runPeer('ai-sdk', async () => {
  const openai = createOpenAI({ baseURL: fakeOpenAIBaseUrl(), apiKey: 'test-key' });

  await generateText({
    model: openai.chat('gpt-4o-mini'),
    system: 'You are terse.',
    prompt: 'What is the capital of France?',
    temperature: 0.2,
    maxOutputTokens: 64,
    experimental_telemetry: telemetry('capital'),
  });

  // Step 1 answers with a tool call, the tool runs, step 2 answers with text.
  await generateText({
    model: openai.chat('gpt-4o'),
    prompt: 'Weather in Paris?',
    tools: {
      get_weather: tool({
        description: 'Weather for a city',
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ city, tempC: 18 }),
      }),
    },
    stopWhen: stepCountIs(2),
    experimental_telemetry: telemetry('weather'),
  });

  const stream = streamText({
    model: openai.chat('gpt-4o-mini'),
    prompt: 'Capital of France, streamed?',
    experimental_telemetry: telemetry('stream'),
  });
  await stream.consumeStream();

  await embed({
    model: openai.textEmbeddingModel('text-embedding-3-small'),
    value: 'hello world',
    experimental_telemetry: telemetry('embed'),
  });
});
