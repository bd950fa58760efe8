/**
 * Span attributes for a merged observation or trace, in two dialects (design.md 6.5,
 * genai-conventions.md 8): the `langfuse.*` keys Langfuse's OTLP endpoint reads, so the data can go
 * on to Langfuse without loss, and the OTel GenAI conventions, so Jaeger and Tempo users see
 * standard fields.
 */
import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { AttrValue } from '../attr-list.js';
import { isPlainObject } from '../json.js';
import { GENAI, LF, OTEL } from '../keys.js';
import type { ObservationType } from '../schema.js';
import { diffNanosNumber, isoToHrTime } from '../time.js';
import { toCount, toNumber } from '../values.js';

export type AttributeDialect = 'langfuse' | 'genai' | 'both';

/**
 * Strings verbatim, everything else as JSON text (what `@langfuse/tracing` writes). A value JSON
 * cannot write (nested deeper than the stack allows, a bigint) becomes a marker, never a throw.
 */
export function jsonText(v: unknown): string {
  // The texts JSON.stringify makes of primitives, without a call for each.
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
  }
  if (v === null) return 'null';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch (err) {
    return `[not serialisable: ${err instanceof Error ? err.message.slice(0, 100) : 'unknown'}]`;
  }
}

/**
 * Where the builders below write: an `AttrList` (the reverse mapping's spans), or an object
 * (the functions that return `Attributes`). `append` is for a key not written yet, `set` for one
 * that may have been.
 */
export interface AttrSink {
  append(key: string, value: AttrValue): void;
  set(key: string, value: AttrValue): void;
}

/** Writes into a plain object. */
class ObjectSink implements AttrSink {
  /** See LangfuseOtlpSpan.hiddenClassKeepers: a full GC must not collect this class's hidden class. */
  static readonly hiddenClassKeeper = new ObjectSink();

  readonly out: Attributes = {};

  append(key: string, value: AttrValue): void {
    this.out[key] = value;
  }

  set(key: string, value: AttrValue): void {
    this.out[key] = value;
  }
}

/** Writes a value that is not empty (undefined, null, `''`), for a key not written yet. */
function put(out: AttrSink, key: string, v: AttributeValue | undefined | null): void {
  if (v !== undefined && v !== null && v !== '') out.append(key, v);
}

function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string') ? (v as string[]) : undefined;
}

/** `metadata.<k>` keys, one per top-level key (strings verbatim, others JSON). */
function writeMetadata(out: AttrSink, prefix: string, metadata: unknown): void {
  if (metadata === undefined || metadata === null) return;
  if (!isPlainObject(metadata)) {
    out.append(prefix, jsonText(metadata));
    return;
  }
  for (const k of Object.keys(metadata)) {
    const v = metadata[k];
    if (v !== undefined) out.append(metadataKey(prefix, k), jsonText(v));
  }
}

/**
 * `<prefix>.<k>`, made once per metadata key (the same keys come on every span: one string, not a
 * new one per span that each later lookup must flatten and hash). At most {@link MAX_METADATA_KEYS}
 * per prefix: past that, it starts over.
 */
export function metadataKey(prefix: string, k: string): string {
  let keys = METADATA_KEYS.get(prefix);
  if (keys === undefined) METADATA_KEYS.set(prefix, (keys = new Map()));
  let key = keys.get(k);
  if (key === undefined) {
    if (keys.size >= MAX_METADATA_KEYS) keys.clear();
    key = `${prefix}.${k}`;
    keys.set(k, key);
  }
  return key;
}

const METADATA_KEYS = new Map<string, Map<string, string>>();
const MAX_METADATA_KEYS = 4096;

/**
 * Trace-level keys, repeated on every span: Langfuse's direct v4 path reads them per span.
 * `langfuseTraceId`, the original id, is written when given.
 */
export function traceAttributes(trace: Record<string, unknown>, langfuseTraceId: string | undefined): Attributes {
  const sink = new ObjectSink();
  writeTraceAttributes(sink, trace, langfuseTraceId);
  return sink.out;
}

/** {@link traceAttributes} into `out`. */
export function writeTraceAttributes(out: AttrSink, trace: Record<string, unknown>, langfuseTraceId: string | undefined): void {
  if (langfuseTraceId !== undefined) out.append(LF.traceId, langfuseTraceId);
  put(out, LF.traceName, typeof trace.name === 'string' ? trace.name : undefined);
  put(out, OTEL.userId, typeof trace.userId === 'string' ? trace.userId : undefined);
  put(out, OTEL.sessionId, typeof trace.sessionId === 'string' ? trace.sessionId : undefined);
  put(out, LF.traceTags, stringArray(trace.tags));
  if (typeof trace.public === 'boolean') out.append(LF.tracePublic, trace.public);
  put(out, LF.release, typeof trace.release === 'string' ? trace.release : undefined);
  writeMetadata(out, LF.traceMetadata, trace.metadata);
}

/**
 * An observation's body with the three fields the attributes read from elsewhere: the usage and
 * cost Langfuse would store ({@link effectiveUsageFields}) and the metadata left once the OTel
 * facts are taken out of it. No copy of the body per span.
 */
export interface ObservationFields {
  readonly body: Record<string, unknown>;
  readonly usageDetails: unknown;
  readonly costDetails: unknown;
  readonly metadata: unknown;
  /** `body.startTime` parsed, when the caller has it already (a string's `isoToHrTime`). */
  readonly startTime?: HrTime | undefined;
}

const fieldsOf = (body: Record<string, unknown>): ObservationFields => ({
  body,
  usageDetails: body.usageDetails,
  costDetails: body.costDetails,
  metadata: body.metadata,
  startTime: undefined,
});

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
  const prefix = side === 'input' ? 'input_' : 'output_';
  // Own keys in order (a validated body's usage is a plain object): no entry array per call.
  for (const k in usage) {
    if (!k.startsWith(prefix) || !Object.hasOwn(usage, k)) continue;
    const n = toCount(usage[k]);
    if (n !== undefined) {
      sum += n;
      any = true;
    }
  }
  return any ? sum : undefined;
}

/**
 * The `gen_ai.usage.*` counts of a usage details object, in one pass over its keys (no lookup of
 * the many keys it does not have): the inclusive input and output sums ({@link sumBuckets}, which
 * it falls back to when a sum passes 2^53, where the order of additions matters), and the first
 * count of each list of names a cache read, a cache write and reasoning go by.
 */
function writeUsageTwins(out: AttrSink, u: Record<string, unknown>): void {
  let baseIn: number | undefined;
  let baseOut: number | undefined;
  let restIn = 0;
  let restOut = 0;
  let anyIn = false;
  let anyOut = false;
  let cachedTokens: number | undefined;
  let cacheRead: number | undefined;
  let cacheReadInputTokens: number | undefined;
  let cacheCreation: number | undefined;
  let cacheWrite: number | undefined;
  let cacheCreationInputTokens: number | undefined;
  let reasoningTokens: number | undefined;
  let reasoning: number | undefined;
  for (const k in u) {
    if (!Object.hasOwn(u, k)) continue;
    const inSide = k.startsWith('input');
    const outSide = !inSide && k.startsWith('output');
    if (!inSide && !outSide && k !== 'cache_read_input_tokens' && k !== 'cache_creation_input_tokens') continue;
    const n = toCount(u[k]);
    if (n === undefined) continue;
    if (k === 'input') baseIn = n;
    else if (k === 'output') baseOut = n;
    else if (k === 'cache_read_input_tokens') cacheReadInputTokens = n;
    else if (k === 'cache_creation_input_tokens') cacheCreationInputTokens = n;
    else if (inSide && k.charCodeAt(5) === 0x5f) {
      restIn += n;
      anyIn = true;
      if (k === 'input_cached_tokens') cachedTokens = n;
      else if (k === 'input_cache_read') cacheRead = n;
      else if (k === 'input_cache_creation') cacheCreation = n;
      else if (k === 'input_cache_write') cacheWrite = n;
    } else if (outSide && k.charCodeAt(6) === 0x5f) {
      restOut += n;
      anyOut = true;
      if (k === 'output_reasoning_tokens') reasoningTokens = n;
      else if (k === 'output_reasoning') reasoning = n;
    }
  }
  const input = baseIn === undefined && !anyIn ? undefined : (baseIn ?? 0) + restIn;
  const output = baseOut === undefined && !anyOut ? undefined : (baseOut ?? 0) + restOut;
  put(out, USAGE_INPUT_TOKENS, input !== undefined && input > Number.MAX_SAFE_INTEGER ? sumBuckets(u, 'input') : input);
  put(out, USAGE_OUTPUT_TOKENS, output !== undefined && output > Number.MAX_SAFE_INTEGER ? sumBuckets(u, 'output') : output);
  put(out, USAGE_CACHE_READ, cachedTokens ?? cacheRead ?? cacheReadInputTokens);
  put(out, USAGE_CACHE_CREATION, cacheCreation ?? cacheWrite ?? cacheCreationInputTokens);
  put(out, USAGE_REASONING, reasoningTokens ?? reasoning);
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

const USAGE_INPUT_TOKENS = `${GENAI.usagePrefix}input_tokens`;
const USAGE_OUTPUT_TOKENS = `${GENAI.usagePrefix}output_tokens`;
const USAGE_CACHE_READ = `${GENAI.usagePrefix}cache_read.input_tokens`;
const USAGE_CACHE_CREATION = `${GENAI.usagePrefix}cache_creation.input_tokens`;
const USAGE_REASONING = `${GENAI.usagePrefix}reasoning.output_tokens`;

/** GenAI twins of the Langfuse fields (genai-conventions.md 8). */
export function genaiAttributes(type: ObservationType, body: Record<string, unknown>, sessionId: unknown): Attributes {
  const sink = new ObjectSink();
  writeGenaiAttributes(sink, type, fieldsOf(body), sessionId);
  return sink.out;
}

/** {@link genaiAttributes} into `out`, the body's usage, cost and metadata read from `fields`. */
export function writeGenaiAttributes(out: AttrSink, type: ObservationType, fields: ObservationFields, sessionId: unknown): void {
  const body = fields.body;
  const carriesModel = type !== 'SPAN' && type !== 'EVENT';
  put(out, GENAI.operationName, OPERATION[type]);
  if (type === 'TOOL') put(out, GENAI.toolName, typeof body.name === 'string' ? body.name : undefined);
  if (!carriesModel) return;
  // Langfuse keeps one model, the one that ran: both semconv keys carry it.
  put(out, GENAI.requestModel, typeof body.model === 'string' ? body.model : undefined);
  put(out, GENAI.responseModel, typeof body.model === 'string' ? body.model : undefined);
  // Langfuse has no provider field: write one only when the sender named it (litellm does).
  const hidden = isPlainObject(fields.metadata) ? fields.metadata.hidden_params : undefined;
  const provider = isPlainObject(hidden) ? hidden.custom_llm_provider : undefined;
  put(out, GENAI.providerName, typeof provider === 'string' ? provider : undefined);
  if (isPlainObject(body.modelParameters)) {
    const parameters = body.modelParameters;
    for (const k of Object.keys(parameters)) {
      const v = parameters[k];
      const name = REQUEST_PARAMETERS[k];
      if (name === undefined) continue;
      // Two parameters can name one key (max_tokens, maxTokens): the later one wins, in place.
      const n = toNumber(v);
      if (n !== undefined) out.set(`${GENAI.requestPrefix}${name}`, n);
      else if (typeof v === 'string' || stringArray(v)) out.set(`${GENAI.requestPrefix}${name}`, v as AttributeValue);
    }
  }
  if (isPlainObject(fields.usageDetails)) {
    // Semconv counts are inclusive: input includes cached tokens, output includes reasoning.
    writeUsageTwins(out, fields.usageDetails);
  }
  if (isPlainObject(fields.costDetails)) put(out, GENAI.usageCost, toNumber(fields.costDetails.total));
  if (isSimpleChat(body.input)) {
    const system = body.input.filter((m) => m.role === 'system');
    const rest = body.input.filter((m) => m.role !== 'system');
    if (system.length > 0) out.append(GENAI.systemInstructions, JSON.stringify(system.map((m) => ({ type: 'text', content: m.content }))));
    if (rest.length > 0) out.append(GENAI.inputMessages, JSON.stringify(rest.map(toParts)));
  }
  const output = isPlainObject(body.output) && typeof body.output.role === 'string' ? [body.output] : body.output;
  if (isSimpleChat(output)) out.append(GENAI.outputMessages, JSON.stringify(output.map(toParts)));
  const start = typeof body.startTime === 'string' ? (fields.startTime ?? isoToHrTime(body.startTime)) : undefined;
  const first = typeof body.completionStartTime === 'string' ? isoToHrTime(body.completionStartTime) : undefined;
  if (start && first) {
    const nanos = diffNanosNumber(start, first);
    if (nanos >= 0) out.append(GENAI.timeToFirstChunk, nanos / 1e9);
  }
  if (type === 'GENERATION' || type === 'EMBEDDING') put(out, GENAI.conversationId, typeof sessionId === 'string' ? sessionId : undefined);
}

/** The `langfuse.observation.*` keys of one merged observation into `out`; its original id when given. */
export function writeLangfuseAttributes(out: AttrSink, type: ObservationType, fields: ObservationFields, langfuseId: string | undefined): void {
  const body = fields.body;
  out.append(LF.observationType, OBSERVATION_TYPE_VALUES[type] ?? type.toLowerCase());
  if (langfuseId !== undefined) out.append(LF.observationId, langfuseId);
  if (body.input !== undefined && body.input !== null) out.append(LF.input, jsonText(body.input));
  if (body.output !== undefined && body.output !== null) out.append(LF.output, jsonText(body.output));
  put(out, LF.modelName, typeof body.model === 'string' ? body.model : undefined);
  if (isPlainObject(body.modelParameters)) out.append(LF.modelParameters, jsonText(body.modelParameters));
  if (isPlainObject(fields.usageDetails)) out.append(LF.usageDetails, jsonText(fields.usageDetails));
  if (isPlainObject(fields.costDetails)) out.append(LF.costDetails, jsonText(fields.costDetails));
  put(out, LF.completionStartTime, typeof body.completionStartTime === 'string' ? body.completionStartTime : undefined);
  put(out, LF.level, typeof body.level === 'string' ? body.level : undefined);
  put(out, LF.statusMessage, typeof body.statusMessage === 'string' ? body.statusMessage : undefined);
  if (typeof body.promptName === 'string' && typeof body.promptVersion === 'number') {
    out.append(LF.promptName, body.promptName);
    out.append(LF.promptVersion, body.promptVersion);
  }
  put(out, LF.version, typeof body.version === 'string' ? body.version : undefined);
  put(out, LF.environment, typeof body.environment === 'string' ? body.environment : undefined);
  writeMetadata(out, LF.metadata, fields.metadata);
}

/** `type.toLowerCase()` of each observation type, made once. */
const OBSERVATION_TYPE_VALUES: Readonly<Partial<Record<string, string>>> = Object.fromEntries(
  ['SPAN', 'GENERATION', 'EVENT', 'AGENT', 'TOOL', 'CHAIN', 'RETRIEVER', 'EVALUATOR', 'EMBEDDING', 'GUARDRAIL'].map((t) => [t, t.toLowerCase()]),
);

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
  const sink = new ObjectSink();
  writeObservationAttributes(sink, type, fieldsOf(body), langfuseId, mode);
  return sink.out;
}

/** {@link observationAttributes} into `out`. */
export function writeObservationAttributes(
  out: AttrSink,
  type: ObservationType,
  fields: ObservationFields,
  langfuseId: string | undefined,
  mode: 'langfuse' | 'genai-ids',
): void {
  if (mode === 'langfuse') writeLangfuseAttributes(out, type, fields, langfuseId);
  else if (langfuseId !== undefined) out.append(LF.observationId, langfuseId);
}

/**
 * The usage and cost Langfuse would store for a body (langfuse-ingestion.md 2.6): the legacy
 * `usage` object (`{input, output, total, inputCost, outputCost, totalCost}` or OpenAI-style
 * `{promptTokens, completionTokens, totalTokens}`) under `usageDetails`/`costDetails`, whose own
 * keys win. litellm sends its cost only as `usage.totalCost`.
 */
export function effectiveUsage(body: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(body.usage)) return body;
  const fields = observationFields(body, body.metadata);
  const out = { ...body };
  if (fields.usageDetails !== body.usageDetails) out.usageDetails = fields.usageDetails;
  if (fields.costDetails !== body.costDetails) out.costDetails = fields.costDetails;
  return out;
}

/**
 * The body as the attributes read it: the `usageDetails` and `costDetails` of {@link effectiveUsage}
 * (the body's own values when the legacy usage adds nothing to them) and `metadata` for its
 * metadata, without a copy of the body.
 */
export function observationFields(body: Record<string, unknown>, metadata: unknown, startTime?: HrTime): ObservationFields {
  const usage = body.usage;
  if (!isPlainObject(usage)) return { body, usageDetails: body.usageDetails, costDetails: body.costDetails, metadata, startTime };
  // Its keys in one pass: most of the nine names are absent, and looking each one up costs more.
  let promptTokens: unknown;
  let completionTokens: unknown;
  let totalTokens: unknown;
  let input: unknown;
  let output: unknown;
  let total: unknown;
  let inputCost: unknown;
  let outputCost: unknown;
  let totalCost: unknown;
  for (const k in usage) {
    if (!Object.hasOwn(usage, k)) continue;
    switch (k) {
      case 'promptTokens':
        promptTokens = usage[k];
        break;
      case 'completionTokens':
        completionTokens = usage[k];
        break;
      case 'totalTokens':
        totalTokens = usage[k];
        break;
      case 'input':
        input = usage[k];
        break;
      case 'output':
        output = usage[k];
        break;
      case 'total':
        total = usage[k];
        break;
      case 'inputCost':
        inputCost = usage[k];
        break;
      case 'outputCost':
        outputCost = usage[k];
        break;
      case 'totalCost':
        totalCost = usage[k];
        break;
    }
  }
  const openAiStyle = promptTokens !== undefined || completionTokens !== undefined || totalTokens !== undefined;
  const counts = openAiStyle ? detailsOf(toCount(promptTokens), toCount(completionTokens), toCount(totalTokens)) : detailsOf(toCount(input), toCount(output), toCount(total));
  const costs = openAiStyle ? undefined : detailsOf(toNumber(inputCost), toNumber(outputCost), toNumber(totalCost));
  return {
    body,
    usageDetails: counts === undefined ? body.usageDetails : withDetails(counts, body.usageDetails),
    costDetails: costs === undefined || isPlainObject(body.costDetails) ? body.costDetails : costs,
    metadata,
    startTime,
  };
}

/**
 * `{ ...counts, ...details }` (details when a plain object), made into `counts` (made here, held
 * by nothing else) by `Object.assign`: V8 takes a slow path for a spread followed by keys it does
 * not have (about a microsecond, and an object slower to read after). A `__proto__` own key, which
 * assign would take for the prototype, goes the spread's way.
 */
function withDetails(counts: Record<string, number>, details: unknown): Record<string, unknown> {
  if (!isPlainObject(details)) return counts;
  return Object.hasOwn(details, '__proto__') ? { ...counts, ...details } : Object.assign(counts, details);
}

/** `{input, output, total}` with the values that are numbers, in that order; undefined when none is. */
function detailsOf(input: number | undefined, output: number | undefined, total: number | undefined): Record<string, number> | undefined {
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const out: Record<string, number> = {};
  if (input !== undefined) out.input = input;
  if (output !== undefined) out.output = output;
  if (total !== undefined) out.total = total;
  return out;
}
