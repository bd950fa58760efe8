import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { runOpenAIPeer } from './openai-calls.js';

// Content capture is also switched on by OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, which the
// parent sets; for chat completions this package logs content as log records, never on spans.
runOpenAIPeer('otel', () => new OpenAIInstrumentation({ captureMessageContent: true }));
