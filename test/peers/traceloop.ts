import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { runOpenAIPeer } from './openai-calls.js';

runOpenAIPeer('traceloop', () => new OpenAIInstrumentation({ traceContent: true }));
