/** Model name and model parameters (genai-conventions.md 7.2). */
import { apart } from '../apart.js';
import { AttributeBag } from '../attribute-bag.js';
import { AI, GENAI, LF, OI, TRACELOOP } from '../keys.js';
import type { IssueSink } from '../result.js';
import type { ModelParameters } from '../schema.js';
import { decodeJsonObject, toText } from '../values.js';

/**
 * Model precedence. Unlike Langfuse's reader we rank responded models above requested ones
 * (`ai.model.id` is the requested model), because cost matching should see what actually ran.
 */
const MODEL_KEYS = [
  LF.modelName,
  GENAI.responseModel,
  AI.responseModel,
  OI.responseModelName,
  OI.modelName,
  GENAI.requestModel,
  AI.modelId,
  OI.requestModelName,
  OI.embeddingModelName,
  OI.responseModel,
  'model',
] as const;

export function takeModel(attrs: AttributeBag): string | undefined {
  const key = apart(AttributeBag.firstNonEmptyOf, attrs, MODEL_KEYS);
  return key === undefined ? undefined : toText(attrs.take(key));
}

const NO_KEYS: ReadonlySet<string> = new Set();
/** Invocation-parameter keys that are not parameters (the model, the prompt, the tools). */
const NOT_PARAMETERS = new Set(['model', 'messages', 'tools', 'functions', 'input', 'prompt']);
/** Traceloop's legacy parameter keys outside `gen_ai.request.*`. */
const TRACELOOP_PARAMETERS: ReadonlyArray<[string, string]> = [
  [TRACELOOP.topK, 'top_k'],
  [TRACELOOP.frequencyPenalty, 'frequency_penalty'],
  [TRACELOOP.presencePenalty, 'presence_penalty'],
  [TRACELOOP.stopSequences, 'stop_sequences'],
];

const TRACELOOP_PARAMETER_KEYS = TRACELOOP_PARAMETERS.map(([key]) => key);
const NO_PARAMETERS: ReadonlyArray<[string, string]> = [];

/**
 * Ingestion accepts string, number, boolean, string[] and null values; anything else is sent as
 * JSON text so the event is not rejected.
 */
export function toParameterValue(v: unknown): ModelParameters[string] {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (Array.isArray(v) && allStrings(v)) return v as string[];
  return JSON.stringify(v) ?? String(v);
}

function allStrings(v: readonly unknown[]): boolean {
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

function sanitise(params: Record<string, unknown>, skip: ReadonlySet<string>): ModelParameters | undefined {
  const out: ModelParameters = {};
  let any = false;
  const keys = Object.keys(params);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = params[k];
    if (skip.has(k) || v === undefined) continue;
    out[k] = toParameterValue(v);
    any = true;
  }
  return any ? out : undefined;
}

/**
 * {@link sanitise} for entries with distinct keys: the same parameters, in the same order (an
 * object lists integer-like keys first whatever the order they were set in).
 */
function sanitiseEntries(entries: ReadonlyArray<readonly [string, unknown]>): ModelParameters | undefined {
  const out: ModelParameters = {};
  let any = false;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as readonly [string, unknown];
    if (entry[1] === undefined) continue;
    out[entry[0]] = toParameterValue(entry[1]);
    any = true;
  }
  return any ? out : undefined;
}

/** Explicit parameter objects, with the keys that are not parameters there. */
const PARAMETER_OBJECT_KEYS = [LF.modelParameters, OI.invocationParameters];
const PARAMETER_OBJECT_SKIPS = [NO_KEYS, NOT_PARAMETERS];

/**
 * First source wins: `langfuse.observation.model.parameters` › `llm.invocation_parameters`
 * (minus model, messages, tools) › `gen_ai.request.*` with Traceloop's `llm.*` extras ›
 * the AI SDK's `ai.settings.*`.
 */
export function takeModelParameters(attrs: AttributeBag, issues: IssueSink): ModelParameters | undefined {
  // Only where the record's shape has one of the explicit parameter objects (few records do).
  const objects = attrs.present(PARAMETER_OBJECT_KEYS).length === 0 ? 0 : PARAMETER_OBJECT_KEYS.length;
  for (let i = 0; i < objects; i++) {
    const key = PARAMETER_OBJECT_KEYS[i] as string;
    if (!attrs.has(key)) continue;
    const obj = decodeJsonObject(attrs.peek(key), issues, key);
    if (obj === undefined) continue;
    attrs.delete(key);
    return sanitise(obj, PARAMETER_OBJECT_SKIPS[i] as ReadonlySet<string>);
  }

  const fromRequest: ModelParameters = {};
  let requested = false;
  const request = attrs.withPrefix(GENAI.requestPrefix);
  for (let i = 0; i < request.length; i++) {
    const name = (request[i] as [string, unknown])[0];
    if (name === 'model') continue;
    fromRequest[name] = toParameterValue((request[i] as [string, unknown])[1]);
    requested = true;
    attrs.delete(GENAI.requestPrefix + name);
  }
  // Traceloop's extras only where the record's shape has one of them (most records have none).
  const traceloop = attrs.present(TRACELOOP_PARAMETER_KEYS).length === 0 ? NO_PARAMETERS : TRACELOOP_PARAMETERS;
  for (let i = 0; i < traceloop.length; i++) {
    const key = (traceloop[i] as [string, string])[0];
    if (!attrs.has(key)) continue;
    fromRequest[(traceloop[i] as [string, string])[1]] = toParameterValue(attrs.take(key));
    requested = true;
  }
  if (requested) return fromRequest;

  const settings = attrs.takePrefix(AI.settingsPrefix);
  if (settings.length > 0) return sanitiseEntries(settings);
  return undefined;
}

