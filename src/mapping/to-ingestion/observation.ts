/** One span -> one observation body, in the field order of langfuse-ingestion.md 3.5. */
import type { HrTime } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import { apart } from '../apart.js';
import type { AttributeBag } from '../attribute-bag.js';
import { parseJson } from '../json.js';
import { AI, GENAI, LF, META } from '../keys.js';
import type { IssueSink } from '../result.js';
import type { Level, ObservationType } from '../schema.js';
import { addNanos, decimalToNanos, hrTimeToIso, isValidHrTime, parseIso } from '../time.js';
import { decodeJsonObject, toBool, toCount, toNumber, toText } from '../values.js';
import type { BridgeMarkers, ScoreRecord } from './bridge-markers.js';
import { takeBridgeMarkers, takeScores } from './bridge-markers.js';
import { takeIO } from './io.js';
import { takeExplicitMetadata, writeOtelFacts } from './metadata.js';
import { takeModel, takeModelParameters } from './model.js';
import { carriesModel, decideObservationType, isAiSdkModelCall, toLegacyType } from './observation-type.js';
import type { SpanView } from './span-view.js';
import type { CommonFields, TraceFields } from './trace-fields.js';
import { takeCommonFields, takeTraceFields } from './trace-fields.js';
import { takeCost, takeUsage } from './usage.js';

export interface ObservationOptions {
  legacyTypes: boolean;
  defaults: CommonFields;
  /**
   * Whether `metadata` holds the resource attributes and the scope (the ingestion output). The
   * OTLP output carries them as the span's own resource and scope instead.
   */
  resourceInMetadata: boolean;
}

export interface MappedObservation {
  readonly type: ObservationType;
  readonly body: Record<string, unknown>;
  readonly trace: TraceFields;
  readonly common: CommonFields;
  /** A trace root: no parent, or `langfuse.internal.as_root`. */
  readonly isRoot: boolean;
  /** Markers of spans made by our reverse mapping (synthetic roots are traces, not observations). */
  readonly markers: BridgeMarkers;
  /** Score-create bodies carried as `langfuse.score` span events. */
  readonly scores: readonly ScoreRecord[];
  /**
   * The span's own id, and its parent span id when that became `parentObservationId`: the caller
   * removes it when the parent is the trace's synthetic root (the trace itself, not an observation).
   */
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
}

const LEVEL_ALIASES: Readonly<Record<string, Level>> = {
  TRACE: 'DEBUG',
  VERBOSE: 'DEBUG',
  DEBUG: 'DEBUG',
  INFO: 'DEFAULT',
  LOG: 'DEFAULT',
  NOTICE: 'DEFAULT',
  OK: 'DEFAULT',
  SUCCESS: 'DEFAULT',
  DEFAULT: 'DEFAULT',
  WARN: 'WARNING',
  WARNING: 'WARNING',
  ERROR: 'ERROR',
  FATAL: 'ERROR',
  CRITICAL: 'ERROR',
};

const NAME_KEYS = [GENAI.toolName, 'genkit:name', 'logfire.msg', AI.toolCallName];

/** `gen_ai.tool.name` › `genkit:name` › `logfire.msg` › `ai.toolCall.name` › [functionId:]operationId › span name. */
export function observationName(view: SpanView): string {
  const { attrs } = view;
  const keys = attrs.present(NAME_KEYS);
  for (let i = 0; i < keys.length; i++) {
    const v = toText(attrs.peek(keys[i] as string));
    if (v !== undefined) return v;
  }
  const op = attrs.peekString(AI.operationId);
  if (op !== undefined && op !== '') {
    const fn = attrs.peekString(AI.functionId);
    return fn ? `${fn}:${op}` : op;
  }
  return view.name;
}

export function takeLevel(view: SpanView, issues: IssueSink): Level | undefined {
  const raw = view.attrs.peek(LF.level);
  if (raw !== undefined) {
    const level = typeof raw === 'string' ? LEVEL_ALIASES[raw.trim().toUpperCase()] : undefined;
    if (level !== undefined) {
      view.attrs.delete(LF.level);
      return level;
    }
    issues.add('INVALID_VALUE', 'unknown level; kept as an attribute', LF.level);
  }
  return view.status.code === SpanStatusCode.ERROR ? 'ERROR' : undefined;
}

/** Offsets of the first token from the start, and their unit's power of ten in nanoseconds. */
const FIRST_TOKEN_OFFSETS = [AI.responseMsToFirstChunk, AI.streamMsToFirstChunk, GENAI.timeToFirstChunk];
const FIRST_TOKEN_EXPONENTS = [6, 6, 9];

/** Every key the completion start is read from. */
const COMPLETION_START_KEYS = [LF.completionStartTime, ...FIRST_TOKEN_OFFSETS];

/** Time of the first token: explicit ISO › AI SDK ms offsets › semconv seconds › first-chunk event (each written by hrTimeToIso, apart: see apart.ts). */
export function takeCompletionStart(view: SpanView, issues: IssueSink): string | undefined {
  // A record of none of its keys and a span without events give nothing (most spans).
  if (view.events.length === 0 && view.attrs.present(COMPLETION_START_KEYS).length === 0) return undefined;
  return readCompletionStart(view, issues);
}

/** {@link takeCompletionStart} without the check that it can find anything (exported for the test that the check is exact). */
export function readCompletionStart(view: SpanView, issues: IssueSink): string | undefined {
  const { attrs } = view;
  const explicit = attrs.peek(LF.completionStartTime);
  if (typeof explicit === 'string') {
    // @langfuse/tracing writes JSON.stringify(date): the ISO string in quotes.
    const unquoted = explicit.startsWith('"') ? parseJson(explicit) : { ok: true as const, value: explicit };
    const parsed = unquoted.ok && typeof unquoted.value === 'string' ? parseIso(unquoted.value) : undefined;
    if (parsed) {
      attrs.delete(LF.completionStartTime);
      return apart(hrTimeToIso, parsed.time);
    }
    issues.add('INVALID_TIME', 'completion start time is not an ISO date-time', LF.completionStartTime);
  }
  for (let i = 0; i < FIRST_TOKEN_OFFSETS.length; i++) {
    const key = FIRST_TOKEN_OFFSETS[i] as string;
    const n = toNumber(attrs.peek(key));
    if (n === undefined || n < 0) continue;
    const nanos = decimalToNanos(n, FIRST_TOKEN_EXPONENTS[i] as number);
    const at = nanos === undefined ? undefined : addNanos(view.start, nanos);
    if (at !== undefined) {
      attrs.delete(key);
      return apart(hrTimeToIso, at);
    }
  }
  const { events } = view;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as TimedEvent;
    if (e.name === AI.firstChunkEvent && isValidHrTime(e.time)) return apart(hrTimeToIso, e.time as HrTime);
  }
  return undefined;
}

/** Prompt versions start at 1; the server treats 0 as "no version" and rejects it beside a name. */
function promptVersion(v: unknown): number | undefined {
  const n = toCount(v);
  return n !== undefined && n > 0 ? n : undefined;
}

const PROMPT_NAME_KEYS = [LF.promptName, LF.legacyPromptName];
const PROMPT_VERSION_KEYS = [LF.promptVersion, LF.legacyPromptVersion];
const AI_PROMPT_KEY = `${AI.metadataPrefix}langfusePrompt`;

/** The keys a prompt's name is read from: without one of them there is no prompt link. */
const PROMPT_KEYS = [...PROMPT_NAME_KEYS, AI_PROMPT_KEY];

export function takePrompt(attrs: AttributeBag, issues: IssueSink): { promptName: string; promptVersion: number } | undefined {
  // Most records have none of its keys: the reading is not even called.
  return attrs.present(PROMPT_KEYS).length === 0 ? undefined : readPrompt(attrs, issues);
}

/** {@link takePrompt} without the check that it can find anything (exported for the test that the check is exact). */
export function readPrompt(attrs: AttributeBag, issues: IssueSink): { promptName: string; promptVersion: number } | undefined {
  for (let i = 0; i < PROMPT_NAME_KEYS.length; i++) {
    const nameKey = PROMPT_NAME_KEYS[i] as string;
    const versionKey = PROMPT_VERSION_KEYS[i] as string;
    const name = toText(attrs.peek(nameKey));
    const version = promptVersion(attrs.peek(versionKey));
    if (name !== undefined && version !== undefined) {
      attrs.delete(nameKey);
      attrs.delete(versionKey);
      return { promptName: name, promptVersion: version };
    }
  }
  if (attrs.has(AI_PROMPT_KEY)) {
    const link = decodeJsonObject(attrs.peek(AI_PROMPT_KEY), issues, AI_PROMPT_KEY);
    const name = toText(link?.name);
    const version = promptVersion(link?.version);
    if (name !== undefined && version !== undefined) {
      attrs.delete(AI_PROMPT_KEY);
      return { promptName: name, promptVersion: version };
    }
  }
  return undefined;
}

/** Body fields only the generation schema has (langfuse-ingestion.md 2.5). */
const GENERATION_ONLY_FIELDS = ['completionStartTime', 'model', 'modelParameters', 'usageDetails', 'costDetails', 'promptName'];

function set(body: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) body[key] = value;
}

export function toObservation(view: SpanView, opts: ObservationOptions, issues: IssueSink): MappedObservation {
  const { attrs } = view;
  const markers = takeBridgeMarkers(view);
  let type = decideObservationType(attrs);
  if (attrs.peek(LF.observationType) === type.toLowerCase()) attrs.delete(LF.observationType);
  const asRoot = toBool(attrs.peek(LF.asRoot)) === true;
  if (attrs.has(LF.asRoot)) attrs.delete(LF.asRoot);

  const trace = takeTraceFields(attrs, issues);
  const common = takeCommonFields(attrs, view.resource, opts.defaults);
  const name = observationName(view);
  const io = takeIO(attrs, view.events, issues);
  const scores = takeScores(view.events, io.consumedEvents, issues);
  const level = takeLevel(view, issues);
  const statusMessage = toText(attrs.take(LF.statusMessage)) ?? view.status.message;

  const traceId = markers.langfuseTraceId ?? view.traceId;
  const body: Record<string, unknown> = {
    id: markers.langfuseId ?? view.spanId,
    traceId,
  };
  // Unless it is the synthetic root (see MappedObservation.parentSpanId).
  set(body, 'parentObservationId', markers.parentId ?? view.parentSpanId);
  body.name = name;
  body.startTime = view.startIso;
  if (type !== 'EVENT' && !markers.incomplete) body.endTime = view.endIso;

  // Langfuse drops model, usage and cost of agent-step spans: they repeat their children's (PR #14808).
  const operation = String(attrs.peek(GENAI.operationName));
  const agentStep = operation === 'invoke_agent' || operation === 'agent_step';
  let hasModelData = false;
  if (carriesModel(type) && !agentStep) {
    set(body, 'completionStartTime', takeCompletionStart(view, issues));
    const model = takeModel(attrs);
    const modelParameters = takeModelParameters(attrs, issues);
    const usageDetails = takeUsage(attrs, { aiSdkModelCall: isAiSdkModelCall(attrs), embedding: type === 'EMBEDDING' }, issues);
    const costDetails = takeCost(attrs, issues);
    set(body, 'model', model);
    set(body, 'modelParameters', modelParameters);
    set(body, 'usageDetails', usageDetails);
    set(body, 'costDetails', costDetails);
    const prompt = takePrompt(attrs, issues);
    if (prompt) Object.assign(body, prompt);
    // Any generation-only field: a legacy span-create body would silently lose it (schema strips it).
    for (let i = 0; i < GENERATION_ONLY_FIELDS.length && !hasModelData; i++) hasModelData = body[GENERATION_ONLY_FIELDS[i] as string] !== undefined;
  }
  set(body, 'input', io.input);
  set(body, 'output', io.output);

  const metadata: Record<string, unknown> = takeExplicitMetadata(view, issues);
  if (attrs.size > 0) metadata[META.attributes] = attrs.leftovers();
  // Resource and scope of our own reverse mapping are made up, not the sender's: not kept.
  if (!markers.fromBridge && opts.resourceInMetadata) {
    metadata[META.resourceAttributes] = view.resource;
    // The view's own record, made for this span alone.
    metadata[META.scope] = view.scope;
  }
  const facts = { type, level, statusMessage, name, consumedEvents: io.consumedEvents, withTimes: !markers.fromBridge };
  writeOtelFacts(view, facts, metadata);
  // Resource and scope make it non-empty; without them (our own spans) it may be empty.
  if (!markers.fromBridge || Object.keys(metadata).length > 0) body.metadata = metadata;

  set(body, 'level', level);
  set(body, 'statusMessage', statusMessage);
  set(body, 'version', common.version);
  set(body, 'environment', common.environment);

  if (opts.legacyTypes) type = toLegacyType(type, hasModelData);
  const parentSpanId = markers.parentId === undefined ? view.parentSpanId : undefined;
  return { type, body, trace, common, isRoot: view.parentSpanId === undefined || asRoot, markers, scores, spanId: view.spanId, parentSpanId };
}
