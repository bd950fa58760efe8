/**
 * Span attributes for a merged observation or trace, in two dialects (design.md 6.5,
 * genai-conventions.md 8): the `langfuse.*` keys Langfuse's OTLP endpoint reads, so the data can go
 * on to Langfuse without loss, and the OTel GenAI conventions, so Jaeger and Tempo users see
 * standard fields.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { isPlainObject } from '../../../src/mapping/json.js';
import { GENAI, LF, OTEL } from '../../../src/mapping/keys.js';
import type { ObservationType } from '../../../src/mapping/schema.js';
import { diffNanos, parseIso } from '../../../src/mapping/time.js';
import { toCount, toNumber } from '../../../src/mapping/values.js';

export type AttributeDialect = 'langfuse' | 'genai' | 'both';

/**
 * Strings verbatim, everything else as JSON text (what `@langfuse/tracing` writes). A value JSON
 * cannot write (nested deeper than the stack allows, a bigint) becomes a marker, never a throw.
 */
export function jsonText(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch (err) {
    return `[not serialisable: ${err instanceof Error ? err.message.slice(0, 100) : 'unknown'}]`;
  }
}

function set(out: Attributes, key: string, v: AttributeValue | undefined | null): void {
  if (v !== undefined && v !== null && v !== '') out[key] = v;
}

function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string') ? (v as string[]) : undefined;
}

/** `metadata.<k>` keys, one per top-level key (strings verbatim, others JSON). */
function writeMetadata(out: Attributes, prefix: string, metadata: unknown): void {
  if (metadata === undefined || metadata === null) return;
  if (!isPlainObject(metadata)) {
    out[prefix] = jsonText(metadata);
    return;
  }
  for (const k of Object.keys(metadata)) {
    const v = metadata[k];
    if (v !== undefined) out[`${prefix}.${k}`] = jsonText(v);
  }
}

/**
 * Trace-level keys, repeated on every span: Langfuse's direct v4 path reads them per span.
 * `langfuseTraceId`, the original id, is written when given.
 */
export function traceAttributes(trace: Record<string, unknown>, langfuseTraceId: string | undefined): Attributes {
  const out: Attributes = {};
  if (langfuseTraceId !== undefined) out[LF.traceId] = langfuseTraceId;
  set(out, LF.traceName, typeof trace.name === 'string' ? trace.name : undefined);
  set(out, OTEL.userId, typeof trace.userId === 'string' ? trace.userId : undefined);
  set(out, OTEL.sessionId, typeof trace.sessionId === 'string' ? trace.sessionId : undefined);
  set(out, LF.traceTags, stringArray(trace.tags));
  if (typeof trace.public === 'boolean') out[LF.tracePublic] = trace.public;
  set(out, LF.release, typeof trace.release === 'string' ? trace.release : undefined);
  writeMetadata(out, LF.traceMetadata, trace.metadata);
  return out;
}

const OPERATION: Partial<Record<ObservationType, string>> = {
  GENERATION: 'chat',
  EMBEDDING: 'embeddings',
  TOOL: 'execute_tool',
};

/** Model parameter names -> `gen_ai.request.*` (semconv names). */
const REQUEST_PARAMETERS: Readonly<Record<string, string>> = {
  temperature: 'temperature',
  top_p: 'top_p',
  topP: 'top_p',
  top_k: 'top_k',
  topK: 'top_k',
  max_tokens: 'max_tokens',
  maxTokens: 'max_tokens',
  max_completion_tokens: 'max_tokens',
  max_output_tokens: 'max_tokens',
  maxOutputTokens: 'max_tokens',
  frequency_penalty: 'frequency_penalty',
  frequencyPenalty: 'frequency_penalty',
  presence_penalty: 'presence_penalty',
  presencePenalty: 'presence_penalty',
  seed: 'seed',
  stop: 'stop_sequences',
};

function sumBuckets(usage: Record<string, unknown>, side: 'input' | 'output'): number | undefined {
  const base = toCount(usage[side]);
  let sum = base ?? 0;
  let any = base !== undefined;
  for (const [k, v] of Object.entries(usage)) {
    const n = toCount(v);
    if (n !== undefined && k.startsWith(`${side}_`)) {
      sum += n;
      any = true;
    }
  }
  return any ? sum : undefined;
}

function firstCount(usage: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const n = toCount(usage[k]);
    if (n !== undefined) return n;
  }
  return undefined;
}

interface ChatMessage {
  role: string;
  content: string;
}

function isSimpleChat(v: unknown): v is ChatMessage[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((m) => isPlainObject(m) && typeof m.role === 'string' && typeof m.content === 'string')
  );
}

const toParts = (m: ChatMessage): { role: string; parts: Array<{ type: 'text'; content: string }> } => ({
  role: m.role,
  parts: [{ type: 'text', content: m.content }],
});

/** GenAI twins of the Langfuse fields (genai-conventions.md 8). */
export function genaiAttributes(type: ObservationType, body: Record<string, unknown>, sessionId: unknown): Attributes {
  const out: Attributes = {};
  const carriesModel = type !== 'SPAN' && type !== 'EVENT';
  set(out, GENAI.operationName, OPERATION[type]);
  if (type === 'TOOL') set(out, GENAI.toolName, typeof body.name === 'string' ? body.name : undefined);
  if (!carriesModel) return out;
  // Langfuse keeps one model, the one that ran: both semconv keys carry it.
  set(out, GENAI.requestModel, typeof body.model === 'string' ? body.model : undefined);
  set(out, GENAI.responseModel, typeof body.model === 'string' ? body.model : undefined);
  // Langfuse has no provider field: write one only when the sender named it (litellm does).
  const hidden = isPlainObject(body.metadata) ? body.metadata.hidden_params : undefined;
  const provider = isPlainObject(hidden) ? hidden.custom_llm_provider : undefined;
  set(out, GENAI.providerName, typeof provider === 'string' ? provider : undefined);
  if (isPlainObject(body.modelParameters)) {
    for (const [k, v] of Object.entries(body.modelParameters)) {
      const name = REQUEST_PARAMETERS[k];
      if (name === undefined) continue;
      const n = toNumber(v);
      if (n !== undefined) out[`${GENAI.requestPrefix}${name}`] = n;
      else if (typeof v === 'string' || stringArray(v)) out[`${GENAI.requestPrefix}${name}`] = v as AttributeValue;
    }
  }
  if (isPlainObject(body.usageDetails)) {
    const u = body.usageDetails;
    // Semconv counts are inclusive: input includes cached tokens, output includes reasoning.
    set(out, `${GENAI.usagePrefix}input_tokens`, sumBuckets(u, 'input'));
    set(out, `${GENAI.usagePrefix}output_tokens`, sumBuckets(u, 'output'));
    set(out, `${GENAI.usagePrefix}cache_read.input_tokens`, firstCount(u, ['input_cached_tokens', 'input_cache_read', 'cache_read_input_tokens']));
    set(out, `${GENAI.usagePrefix}cache_creation.input_tokens`, firstCount(u, ['input_cache_creation', 'input_cache_write', 'cache_creation_input_tokens']));
    set(out, `${GENAI.usagePrefix}reasoning.output_tokens`, firstCount(u, ['output_reasoning_tokens', 'output_reasoning']));
  }
  if (isPlainObject(body.costDetails)) set(out, GENAI.usageCost, toNumber(body.costDetails.total));
  if (isSimpleChat(body.input)) {
    const system = body.input.filter((m) => m.role === 'system');
    const rest = body.input.filter((m) => m.role !== 'system');
    if (system.length > 0) out[GENAI.systemInstructions] = JSON.stringify(system.map((m) => ({ type: 'text', content: m.content })));
    if (rest.length > 0) out[GENAI.inputMessages] = JSON.stringify(rest.map(toParts));
  }
  const output = isPlainObject(body.output) && typeof body.output.role === 'string' ? [body.output] : body.output;
  if (isSimpleChat(output)) out[GENAI.outputMessages] = JSON.stringify(output.map(toParts));
  const start = typeof body.startTime === 'string' ? parseIso(body.startTime) : undefined;
  const first = typeof body.completionStartTime === 'string' ? parseIso(body.completionStartTime) : undefined;
  if (start && first) {
    const nanos = diffNanos(start.time, first.time);
    if (nanos >= 0n) out[GENAI.timeToFirstChunk] = Number(nanos) / 1e9;
  }
  if (type === 'GENERATION' || type === 'EMBEDDING') set(out, GENAI.conversationId, typeof sessionId === 'string' ? sessionId : undefined);
  return out;
}

/** The `langfuse.observation.*` keys of one merged observation; its original id when given. */
function langfuseAttributes(type: ObservationType, body: Record<string, unknown>, langfuseId: string | undefined): Attributes {
  const out: Attributes = {};
  out[LF.observationType] = type.toLowerCase();
  if (langfuseId !== undefined) out[LF.observationId] = langfuseId;
  if (body.input !== undefined && body.input !== null) out[LF.input] = jsonText(body.input);
  if (body.output !== undefined && body.output !== null) out[LF.output] = jsonText(body.output);
  set(out, LF.modelName, typeof body.model === 'string' ? body.model : undefined);
  if (isPlainObject(body.modelParameters)) out[LF.modelParameters] = jsonText(body.modelParameters);
  if (isPlainObject(body.usageDetails)) out[LF.usageDetails] = jsonText(body.usageDetails);
  if (isPlainObject(body.costDetails)) out[LF.costDetails] = jsonText(body.costDetails);
  set(out, LF.completionStartTime, typeof body.completionStartTime === 'string' ? body.completionStartTime : undefined);
  set(out, LF.level, typeof body.level === 'string' ? body.level : undefined);
  set(out, LF.statusMessage, typeof body.statusMessage === 'string' ? body.statusMessage : undefined);
  if (typeof body.promptName === 'string' && typeof body.promptVersion === 'number') {
    out[LF.promptName] = body.promptName;
    out[LF.promptVersion] = body.promptVersion;
  }
  set(out, LF.version, typeof body.version === 'string' ? body.version : undefined);
  set(out, LF.environment, typeof body.environment === 'string' ? body.environment : undefined);
  writeMetadata(out, LF.metadata, body.metadata);
  return out;
}

/**
 * The `langfuse.*` keys of one observation (`langfuse`), or only its original id (`genai-ids`,
 * for the GenAI-only dialect); the GenAI twins are added by the caller. The original id is left
 * out when not given (a span id that is the observation id already).
 */
export function observationAttributes(
  type: ObservationType,
  body: Record<string, unknown>,
  langfuseId: string | undefined,
  mode: 'langfuse' | 'genai-ids',
): Attributes {
  if (mode === 'langfuse') return langfuseAttributes(type, body, langfuseId);
  return langfuseId === undefined ? {} : { [LF.observationId]: langfuseId };
}

/**
 * The usage and cost Langfuse would store for a body (langfuse-ingestion.md 2.6): the legacy
 * `usage` object (`{input, output, total, inputCost, outputCost, totalCost}` or OpenAI-style
 * `{promptTokens, completionTokens, totalTokens}`) under `usageDetails`/`costDetails`, whose own
 * keys win. litellm sends its cost only as `usage.totalCost`.
 */
export function effectiveUsage(body: Record<string, unknown>): Record<string, unknown> {
  const usage = body.usage;
  if (!isPlainObject(usage)) return body;
  const openAiStyle = ['promptTokens', 'completionTokens', 'totalTokens'].some((k) => usage[k] !== undefined);
  const counts: Record<string, number> = {};
  const costs: Record<string, number> = {};
  const pairs: ReadonlyArray<[string, string, Record<string, number>]> = openAiStyle
    ? [['promptTokens', 'input', counts], ['completionTokens', 'output', counts], ['totalTokens', 'total', counts]]
    : [
        ['input', 'input', counts],
        ['output', 'output', counts],
        ['total', 'total', counts],
        ['inputCost', 'input', costs],
        ['outputCost', 'output', costs],
        ['totalCost', 'total', costs],
      ];
  for (const [from, to, into] of pairs) {
    const n = into === counts ? toCount(usage[from]) : toNumber(usage[from]);
    if (n !== undefined) into[to] = n;
  }
  const out = { ...body };
  if (Object.keys(counts).length > 0) {
    out.usageDetails = { ...counts, ...(isPlainObject(body.usageDetails) ? body.usageDetails : {}) };
  }
  if (Object.keys(costs).length > 0 && !isPlainObject(body.costDetails)) out.costDetails = costs;
  return out;
}
