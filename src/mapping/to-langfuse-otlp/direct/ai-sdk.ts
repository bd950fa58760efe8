/**
 * The Vercel AI SDK's spans on the direct path without an attribute bag: a record of the AI SDK's
 * keys only (its `ai.*` keys and the `gen_ai.*` keys it writes beside them) is read by positions
 * found once per record shape, by the forward mapping's rules for those keys, and gives what
 * {@link directObservation} gives (a property test holds the two equal on generated spans). A span
 * with any other key, a value the bag would repair or cut, a trace state, links, dropped counts or
 * events a reader takes is left to directObservation (undefined): nothing is changed before that
 * is decided. Where the rules report an issue, {@link DECLINE} is thrown as the direct path does.
 */
import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { shapeOf } from '../../attribute-shape.js';
import type { Shape } from '../../attribute-shape.js';
import { isOtelSpanId } from '../../ids.js';
import { isNonEmpty } from '../../json.js';
import { AI, GENAI, META } from '../../keys.js';
import type { ObservationType } from '../../schema.js';
import { addNanos, compareHrTime, decimalToNanos, hrTimeToIso, isValidHrTime } from '../../time.js';
import { writeOtelFacts } from '../../to-ingestion/metadata.js';
import { AI_SDK_MODEL_CALLS } from '../../to-ingestion/observation-type.js';
import { toParameterValue } from '../../to-ingestion/model.js';
import type { LooseSpan, SpanViewCache } from '../../to-ingestion/span-view.js';
import { isSetHrTime, NONE, readContext, readEvents, readKind, readResource, readScope, readStatus, readTraceFlags } from '../../to-ingestion/span-view.js';
import type { CommonFields, TraceFields } from '../../to-ingestion/trace-fields.js';
import { takeCommonFields } from '../../to-ingestion/trace-fields.js';
import { makeExclusive } from '../../to-ingestion/usage.js';
import { decodeJsonish, decodeJsonText, toCount, toNumber, toTags, toText } from '../../values.js';
import type { DirectObservation, DirectOptions, ObservationFields } from './observation.js';
import { DeclineSink, observationKeys } from './observation.js';

const SINK = new DeclineSink();

/** The single keys read, each with the slot of its position in {@link AiSdkPlan.at}. */
const KEYS = [
  AI.operationId,
  AI.functionId,
  AI.modelId,
  GENAI.requestModel,
  GENAI.responseModel,
  AI.responseModel,
  AI.promptMessages,
  AI.prompt,
  AI.promptTools,
  AI.toolCallName,
  AI.toolCallArgs,
  AI.toolCallResult,
  AI.values,
  AI.value,
  AI.responseText,
  AI.responseToolCalls,
  AI.responseObject,
  AI.responseMsToFirstChunk,
  AI.streamMsToFirstChunk,
  `${AI.metadataPrefix}userId`,
  `${AI.metadataPrefix}sessionId`,
  `${AI.metadataPrefix}tags`,
  `${GENAI.usagePrefix}input_tokens`,
  `${GENAI.usagePrefix}output_tokens`,
  `${AI.usagePrefix}inputTokens`,
  `${AI.usagePrefix}promptTokens`,
  `${AI.usagePrefix}outputTokens`,
  `${AI.usagePrefix}completionTokens`,
  `${AI.usagePrefix}totalTokens`,
  `${AI.usagePrefix}tokens`,
  `${AI.usagePrefix}cachedInputTokens`,
  `${AI.usagePrefix}reasoningTokens`,
] as const;
const SLOT = new Map<string, number>(KEYS.map((k, i) => [k, i]));
const [OP, FN, MODEL_ID, REQUEST_MODEL, RESPONSE_MODEL, AI_RESPONSE_MODEL, MESSAGES, PROMPT, TOOLS, TOOL_NAME, TOOL_ARGS, TOOL_RESULT, VALUES, VALUE, TEXT, TOOL_CALLS, OBJECT, FIRST_CHUNK, STREAM_FIRST_CHUNK, USER, SESSION, TAGS] = KEYS.map((_, i) => i) as number[] as [
  number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
];
const U_IN = SLOT.get(`${GENAI.usagePrefix}input_tokens`) as number;
const U_OUT = SLOT.get(`${GENAI.usagePrefix}output_tokens`) as number;
const slot = (name: string): number => SLOT.get(`${AI.usagePrefix}${name}`) as number;

/** Keys the AI SDK writes that no rule reads: they stay attributes (the leftovers). */
const KEPT = new Set<string>([
  AI.operationName,
  AI.resourceName,
  AI.modelProvider,
  AI.promptToolChoice,
  'ai.prompt.format',
  AI.responseFinishReason,
  'ai.response.id',
  'ai.response.timestamp',
  AI.responseProviderMetadata,
  'ai.response.msToFinish',
  'ai.response.avgOutputTokensPerSecond',
  'ai.response.avgCompletionTokensPerSecond',
  'ai.stream.msToFinish',
  AI.toolCallId,
  AI.embedding,
  AI.embeddings,
  'ai.schema',
  'ai.schema.name',
  'ai.schema.description',
  GENAI.system,
  'gen_ai.response.id',
  'gen_ai.response.finish_reasons',
]);
/** Prefixes of keys kept as attributes, read by no rule. */
const KEPT_PREFIXES = ['ai.request.headers.'];

/** The prompt link of telemetry metadata: no plan reads it, so its spans go the general way. */
const PROMPT_LINK = `${AI.metadataPrefix}langfusePrompt`;

/**
 * True for a key the reader knows: a single key it reads, a key under a prefix it reads (settings,
 * request parameters, telemetry metadata but the prompt link), or one it keeps as an attribute.
 * A record with any other key is left to directObservation.
 */
export function isAiSdkKey(key: string): boolean {
  if (SLOT.has(key) || KEPT.has(key) || key.startsWith(AI.settingsPrefix) || key.startsWith(GENAI.requestPrefix)) return true;
  if (key.startsWith(AI.metadataPrefix)) return key !== PROMPT_LINK;
  return KEPT_PREFIXES.some((p) => key.startsWith(p));
}

/** Per bucket, its source slots in precedence order: on the AI SDK's model-call spans, and on its other spans. */
const MODEL_CALL_BUCKETS: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['input', [U_IN, slot('inputTokens'), slot('promptTokens')]],
  ['output', [U_OUT, slot('outputTokens'), slot('completionTokens')]],
  ['total', [slot('totalTokens'), slot('tokens')]],
  ['input_cached_tokens', [slot('cachedInputTokens')]],
  ['output_reasoning_tokens', [slot('reasoningTokens')]],
];
const OTHER_BUCKETS: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['input', [U_IN]],
  ['output', [U_OUT]],
];

/** Positions in a record of one shape: of each single key (-1 where absent), and of the keys under each prefix read, in record order. */
interface AiSdkPlan {
  readonly at: readonly number[];
  readonly settings: readonly number[];
  readonly settingNames: readonly string[];
  /** `gen_ai.request.*` but the model. */
  readonly request: readonly number[];
  readonly requestNames: readonly string[];
  /** `ai.telemetry.metadata.*` but the trace fields' (single keys) and the prompt link's (no plan). */
  readonly metadata: readonly number[];
  readonly metadataNames: readonly string[];
  /** Every position, keys in UTF-16 order (the leftovers' order). */
  readonly sorted: readonly number[];
  readonly keys: readonly string[];
}

/** The plan of a shape of AI SDK keys only, or null. */
const planAiSdk = (shape: Shape): AiSdkPlan | null => {
  const at = KEYS.map(() => -1);
  const plan = { at, settings: [] as number[], settingNames: [] as string[], request: [] as number[], requestNames: [] as string[], metadata: [] as number[], metadataNames: [] as string[] };
  const { keys } = shape;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (shape.info[i] === -1 || !isAiSdkKey(key)) return null;
    const s = SLOT.get(key);
    if (s !== undefined) at[s] = i;
    else if (key.startsWith(AI.settingsPrefix)) {
      plan.settings.push(i);
      plan.settingNames.push(key.slice(AI.settingsPrefix.length));
    } else if (key.startsWith(GENAI.requestPrefix)) {
      // The model is a single key; the rest are parameters.
      if (key !== GENAI.requestModel) {
        plan.request.push(i);
        plan.requestNames.push(key.slice(GENAI.requestPrefix.length));
      }
    } else if (key.startsWith(AI.metadataPrefix)) {
      plan.metadata.push(i);
      plan.metadataNames.push(key.slice(AI.metadataPrefix.length));
    }
  }
  if (at[OP] === -1) return null;
  return { ...plan, sorted: shape.sorted(), keys };
};

/** True for an array of scalars that the bag keeps unchanged (no string it may cut). */
function cleanArray(v: unknown, longest: number): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (typeof item === 'string' ? item.length > longest : typeof item !== 'boolean' && !(typeof item === 'number' && Number.isFinite(item))) return false;
  }
  return true;
}

/** Event names a reader takes input, output or scores from. */
function readableEvent(name: unknown): boolean {
  return typeof name === 'string' && (name.startsWith('gen_ai.') || name.startsWith('langfuse'));
}

/** The record's values by position, as the bag holds them (null is absent), or undefined when the bag would change one. */
function readValues(record: Record<string, unknown>, keys: readonly string[], longest: number): unknown[] | undefined {
  const values: unknown[] = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    let v: unknown;
    try {
      v = record[keys[i] as string];
    } catch {
      return undefined;
    }
    // A scalar or an array of scalars the bag keeps unchanged (no string it may cut); scalars checked here, not in a call each.
    if (v === null || v === undefined) v = undefined;
    else if (typeof v === 'string' ? v.length > longest : typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'boolean' && !cleanArray(v, longest)) return undefined;
    values[i] = v;
  }
  return values;
}

/** Reads by position, consuming what is taken (the bag's peek and take, for one record). */
class Reading {
  /** See LangfuseOtlpSpan.hiddenClassKeepers: a full GC must not collect this class's hidden class. */
  static readonly hiddenClassKeeper = new Reading([], []);

  readonly values: unknown[];
  readonly at: readonly number[];

  constructor(values: unknown[], at: readonly number[]) {
    this.values = values;
    this.at = at;
  }

  peek(s: number): unknown {
    const i = this.at[s] as number;
    return i === -1 ? undefined : this.values[i];
  }

  take(s: number): unknown {
    const i = this.at[s] as number;
    if (i === -1) return undefined;
    const v = this.values[i];
    this.values[i] = undefined;
    return v;
  }

  /** io.ts's `attr`: a non-empty value, taken and decoded (`jsonEncoded`: JSON whatever it holds). */
  source(s: number, jsonEncoded: boolean, path: string): unknown {
    const v = this.peek(s);
    if (!isNonEmpty(v)) return undefined;
    this.take(s);
    return jsonEncoded ? decodeJsonText(v, SINK, path) : decodeJsonish(v, SINK, path);
  }
}

function input(r: Reading): unknown {
  let v = r.source(MESSAGES, false, AI.promptMessages);
  if (!isNonEmpty(v)) v = r.source(PROMPT, false, AI.prompt);
  if (!isNonEmpty(v)) v = r.source(TOOL_ARGS, true, AI.toolCallArgs);
  if (!isNonEmpty(v)) v = r.source(VALUES, true, AI.values);
  if (!isNonEmpty(v)) v = r.source(VALUE, true, AI.value);
  if (!isNonEmpty(v)) v = undefined;
  const tools = r.peek(TOOLS);
  if (!Array.isArray(tools) || tools.length === 0) return v;
  r.take(TOOLS);
  const list = tools.map((t, i) => decodeJsonish(t, SINK, `${AI.promptTools}[${i}]`));
  return v === undefined ? { tools: list } : { messages: v, tools: list };
}

function output(r: Reading): unknown {
  const text = r.peek(TEXT);
  const calls = r.peek(TOOL_CALLS);
  if (isNonEmpty(text) && isNonEmpty(calls)) {
    r.take(TEXT);
    r.take(TOOL_CALLS);
    return { role: 'assistant', content: text, tool_calls: decodeJsonish(calls, SINK, AI.responseToolCalls) };
  }
  let v = r.source(TEXT, false, AI.responseText);
  if (!isNonEmpty(v)) v = r.source(OBJECT, true, AI.responseObject);
  if (!isNonEmpty(v)) v = r.source(TOOL_CALLS, false, AI.responseToolCalls);
  if (!isNonEmpty(v)) v = r.source(TOOL_RESULT, true, AI.toolCallResult);
  return isNonEmpty(v) ? v : undefined;
}

/** The type by the rules of decideObservationType for these keys. */
function typeOf(r: Reading, op: string): ObservationType {
  const call = Object.hasOwn(AI_SDK_MODEL_CALLS, op) ? AI_SDK_MODEL_CALLS[op] : undefined;
  if (call !== undefined && (isNonEmpty(r.peek(MODEL_ID)) || isNonEmpty(r.peek(REQUEST_MODEL)) || isNonEmpty(r.peek(RESPONSE_MODEL)))) return call;
  if (op === 'ai.toolCall') return 'TOOL';
  return isNonEmpty(r.peek(REQUEST_MODEL)) || isNonEmpty(r.peek(RESPONSE_MODEL)) ? 'GENERATION' : 'SPAN';
}

const FIRST_CHUNK_SLOTS = [FIRST_CHUNK, STREAM_FIRST_CHUNK];

function completionStart(r: Reading, start: HrTime, events: readonly TimedEvent[]): string | undefined {
  for (let i = 0; i < FIRST_CHUNK_SLOTS.length; i++) {
    const s = FIRST_CHUNK_SLOTS[i] as number;
    const n = toNumber(r.peek(s));
    if (n === undefined || n < 0) continue;
    const nanos = decimalToNanos(n, 6);
    const at = nanos === undefined ? undefined : addNanos(start, nanos);
    if (at !== undefined) {
      r.take(s);
      return hrTimeToIso(at);
    }
  }
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as TimedEvent;
    if (e.name === AI.firstChunkEvent && isValidHrTime(e.time)) return hrTimeToIso(e.time);
  }
  return undefined;
}

const MODEL_SLOTS = [RESPONSE_MODEL, AI_RESPONSE_MODEL, REQUEST_MODEL, MODEL_ID];

function model(r: Reading): string | undefined {
  for (let i = 0; i < MODEL_SLOTS.length; i++) {
    const s = MODEL_SLOTS[i] as number;
    if (isNonEmpty(r.peek(s))) return toText(r.take(s));
  }
  return undefined;
}

/** `gen_ai.request.*` (but the model), else `ai.settings.*`. */
function parameters(r: Reading, plan: AiSdkPlan): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (let i = 0; i < plan.request.length; i++) {
    const at = plan.request[i] as number;
    const v = r.values[at];
    if (v === undefined) continue;
    out[plan.requestNames[i] as string] = toParameterValue(v);
    r.values[at] = undefined;
    any = true;
  }
  if (any) return out;
  for (let i = 0; i < plan.settings.length; i++) {
    const at = plan.settings[i] as number;
    const v = r.values[at];
    if (v === undefined) continue;
    out[plan.settingNames[i] as string] = toParameterValue(v);
    r.values[at] = undefined;
    any = true;
  }
  return any ? out : undefined;
}

function usage(r: Reading, modelCall: boolean, embedding: boolean): Record<string, unknown> | undefined {
  const found: Record<string, number> = {};
  const buckets = modelCall ? MODEL_CALL_BUCKETS : OTHER_BUCKETS;
  for (let b = 0; b < buckets.length; b++) {
    const [bucket, slots] = buckets[b] as readonly [string, readonly number[]];
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i] as number;
      const v = r.peek(s);
      if (v === undefined) continue;
      const n = toCount(v);
      if (n === undefined) SINK.add('INVALID_USAGE', 'usage count is not a non-negative integer', KEYS[s]);
      found[bucket] = n as number;
      r.take(s);
      break;
    }
  }
  if (embedding && found.input === undefined && found.output === undefined && found.total !== undefined) found.input = found.total;
  if (found.input === undefined && found.output === undefined && found.total === undefined) return Object.keys(found).length > 0 ? found : undefined;
  return makeExclusive(found, SINK);
}

/** What the span's trace gets from it: the user, session and tags of its telemetry metadata. */
function traceFields(r: Reading): TraceFields {
  const out: TraceFields = {};
  const user = toText(r.peek(USER));
  if (user !== undefined) {
    r.take(USER);
    out.userId = user;
  }
  const session = toText(r.peek(SESSION));
  if (session !== undefined) {
    r.take(SESSION);
    out.sessionId = session;
  }
  const tags = toTags(r.peek(TAGS));
  if (tags !== undefined) {
    r.take(TAGS);
    out.tags = tags;
  }
  return out;
}

/** Environment, release and version of one resource (an AI SDK record has none of their keys), kept for the call. */
export class CommonFieldsMemo {
  /** See LangfuseOtlpSpan.hiddenClassKeepers: a full GC must not collect this class's hidden class. */
  static readonly hiddenClassKeeper = new CommonFieldsMemo();

  private _resource: unknown = undefined;
  private _common: CommonFields = {};

  of(resource: Readonly<Record<string, unknown>>, defaults: CommonFields): CommonFields {
    if (resource !== this._resource) {
      this._common = takeCommonFields(undefined, resource, defaults);
      this._resource = resource;
    }
    return this._common;
  }
}

/** The observation of an AI SDK span, or undefined when directObservation must read it. */
export function aiSdkObservation(raw: ReadableSpan, opts: DirectOptions, maxBytes: number, cache: SpanViewCache, commons: CommonFieldsMemo): DirectObservation | undefined {
  const span = raw as unknown as LooseSpan;
  if ((span.instrumentationScope ?? span.instrumentationLibrary)?.name !== AI.scope) return undefined;
  // What toSpanView would read without an issue, and the checks it makes.
  const ctx = readContext(span);
  const traceId = cache.traceId(ctx.traceId);
  const spanIdRaw = ctx.spanId;
  if (traceId === undefined || !isOtelSpanId(spanIdRaw) || ctx.traceState !== undefined) return undefined;
  const parentRaw = span.parentSpanContext?.spanId ?? span.parentSpanId;
  let parentSpanId: string | undefined;
  if (parentRaw !== undefined && parentRaw !== null && parentRaw !== '') {
    if (!isOtelSpanId(parentRaw)) return undefined;
    parentSpanId = parentRaw.toLowerCase();
  }
  const { startTime, endTime } = span;
  if (!isSetHrTime(startTime) || !isSetHrTime(endTime) || span.ended === false || compareHrTime(endTime, startTime) < 0) return undefined;
  if ((Array.isArray(span.links) && span.links.length > 0) || (span.droppedAttributesCount ?? 0) !== 0 || (span.droppedEventsCount ?? 0) !== 0 || (span.droppedLinksCount ?? 0) !== 0) return undefined;
  const rawEvents = span.events;
  if (rawEvents !== undefined && !Array.isArray(rawEvents)) return undefined;
  for (let i = 0; rawEvents !== undefined && i < rawEvents.length; i++) if (readableEvent((rawEvents[i] as { name?: unknown } | null)?.name)) return undefined;

  const record = span.attributes;
  if (typeof record !== 'object' || record === null) return undefined;
  let keys: readonly string[];
  try {
    keys = Object.keys(record);
  } catch {
    return undefined;
  }
  const plan = shapeOf(keys).plan(planAiSdk);
  if (plan === null) return undefined;
  const values = readValues(record as Record<string, unknown>, keys, maxBytes > 0 ? maxBytes / 3 : Number.POSITIVE_INFINITY);
  if (values === undefined) return undefined;
  const r = new Reading(values, plan.at);
  const op = r.peek(OP);
  if (typeof op !== 'string' || op === '') return undefined;

  // From here on the span is read as directObservation reads it: an issue throws DECLINE.
  const status = readStatus(span);
  const view = {
    traceId,
    spanId: spanIdRaw.toLowerCase(),
    parentSpanId,
    name: typeof span.name === 'string' ? span.name : '',
    kind: readKind(span),
    start: [startTime[0], startTime[1]] as HrTime,
    end: endTime,
    incomplete: false,
    status,
    traceState: undefined,
    traceFlags: readTraceFlags(ctx),
    events: rawEvents !== undefined && rawEvents.length > 0 ? readEvents(rawEvents, SINK) : NONE,
    links: NONE,
    resource: readResource(span, SINK, cache),
    scope: readScope(span),
    droppedAttributesCount: 0,
  };

  const type = typeOf(r, op);
  const trace = traceFields(r);
  const common = commons.of(view.resource, opts.defaults);
  const toolName = toText(r.peek(TOOL_NAME));
  const fn = r.peek(FN);
  const name = toolName ?? (typeof fn === 'string' && fn !== '' ? `${fn}:${op}` : op);
  const inputValue = input(r);
  const outputValue = output(r);
  const level = status.code === 2 ? 'ERROR' : undefined;
  const fields: ObservationFields = {
    type,
    input: inputValue,
    output: outputValue,
    level,
    statusMessage: status.message,
    common,
    metadata: {},
    completionStart: undefined,
    model: undefined,
    parameters: undefined,
    usage: undefined,
    cost: undefined,
    prompt: undefined,
  };
  if (type !== 'SPAN') {
    fields.completionStart = completionStart(r, view.start, view.events);
    fields.model = model(r);
    fields.parameters = parameters(r, plan);
    fields.usage = usage(r, Object.hasOwn(AI_SDK_MODEL_CALLS, op), type === 'EMBEDDING');
  }
  const metadata = fields.metadata;
  for (let i = 0; i < plan.metadata.length; i++) {
    const at = plan.metadata[i] as number;
    const name = plan.metadataNames[i] as string;
    if (values[at] === undefined) continue;
    metadata[name] = values[at];
    values[at] = undefined;
  }
  const leftovers: Record<string, unknown> = {};
  let left = false;
  for (let i = 0; i < plan.sorted.length; i++) {
    const at = plan.sorted[i] as number;
    if (values[at] === undefined) continue;
    leftovers[plan.keys[at] as string] = values[at];
    left = true;
  }
  if (left) metadata[META.attributes] = leftovers;
  writeOtelFacts(view, { type, level, statusMessage: status.message, name, consumedEvents: NO_EVENTS, withTimes: true }, metadata);
  return { view, attributes: observationKeys(fields, opts.legacyTypes), name, input: inputValue, output: outputValue, trace, common, isRoot: parentSpanId === undefined, parentSpanId };
}

const NO_EVENTS: ReadonlySet<number> = new Set();
