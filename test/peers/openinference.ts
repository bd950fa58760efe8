import { createRequire } from 'node:module';
import type * as OpenInference from '@arizeai/openinference-instrumentation-openai';
import { runOpenAIPeer } from './openai-calls.js';

const require = createRequire(import.meta.url);

// Loaded with require(), like `openai`, so both come from one CommonJS module graph: the ESM build
// checks `instanceof APIPromise` against the ESM copy of `openai`, misses the CommonJS client's
// promises and falls back to a plain `.then`. OpenInference captures content by default.
runOpenAIPeer('openinference', () => {
  const { OpenAIInstrumentation } = require('@arizeai/openinference-instrumentation-openai') as typeof OpenInference;
  return new OpenAIInstrumentation();
});
