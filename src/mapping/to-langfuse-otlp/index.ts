/** OTel spans -> spans for Langfuse's OTLP endpoint, with every dialect normalised into the `langfuse.*` keys. */
export { DEFAULT_MAX_SPAN_BYTES, spansToLangfuseOtlp } from './spans.js';
export type { LangfuseOtlp, ToLangfuseOtlpOptions } from './spans.js';
export { otlpSpanBytes } from './fit.js';
export { LangfuseOtlpSpan } from './otlp-span.js';
