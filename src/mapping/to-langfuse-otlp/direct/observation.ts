/**
 * One span's observation for Langfuse's OTLP endpoint, decided by the forward mapping's own readers
 * (type, trace fields, name, input/output, level, model, parameters, usage, cost, prompt, metadata)
 * in the order toObservation runs them, and written at once as its `langfuse.*` keys, in the order
 * `observationAttributes` writes them: no ingestion body, no ISO times, no issue list. Whatever
 * would be an issue declines the call ({@link DECLINE}): the general path maps it instead.
 */
import type { Attributes } from '@opentelemetry/api';
import { apart } from '../../apart.js';
import { AttributeBag } from '../../attribute-bag.js';
import { GENAI, LF, META } from '../../keys.js';
import type { IssueCode } from '../../result.js';
import type { ObservationType } from '../../schema.js';
import { IssueSink } from '../../result.js';
import type { SpanView } from '../../to-ingestion/span-view.js';
import type { CommonFields, TraceFields } from '../../to-ingestion/trace-fields.js';
import { takeCommonFields, takeTraceFields } from '../../to-ingestion/trace-fields.js';
import { takeIO } from '../../to-ingestion/io.js';
import { takeExplicitMetadata, writeOtelFacts } from '../../to-ingestion/metadata.js';
import { takeModel, takeModelParameters } from '../../to-ingestion/model.js';
import { observationName, takeCompletionStart, takeLevel, takePrompt } from '../../to-ingestion/observation.js';
import { carriesModel, decideObservationType, isAiSdkModelCall, toLegacyType } from '../../to-ingestion/observation-type.js';
import { takeCost, takeUsage } from '../../to-ingestion/usage.js';
import { jsonText, metadataKey } from '../../to-otel/attributes.js';
import { toBool, toText } from '../../values.js';

/** Thrown where the general path would report an issue or take a path this one does not: the call goes to the general path. */
export const DECLINE: unique symbol = Symbol('decline');

/** A sink that declines at the first issue (the readers report one wherever the input is not clean). */
export class DeclineSink extends IssueSink {
  override add(_code: IssueCode, _message: string, _path?: string): void {
    throw DECLINE;
  }

  override forItem(): IssueSink {
    return this;
  }
}

/** What the trace assembly reads of a span besides its observation: a {@link SpanView} has it. */
export type DirectSpan = Pick<SpanView, 'traceId' | 'spanId' | 'start' | 'end' | 'kind' | 'status' | 'traceState' | 'traceFlags' | 'resource' | 'scope'>;

/** What the trace assembly needs of one observation. */
export interface DirectObservation {
  readonly view: DirectSpan;
  /** The observation's own keys, in `observationAttributes` order. */
  readonly attributes: Attributes;
  readonly name: string;
  readonly input: unknown;
  readonly output: unknown;
  readonly trace: TraceFields;
  readonly common: CommonFields;
  readonly isRoot: boolean;
  /** The parent span id, until the assembly finds it is the trace's synthetic root. */
  parentSpanId: string | undefined;
}

export interface DirectOptions {
  readonly legacyTypes: boolean;
  readonly defaults: CommonFields;
}

/** jsonText, apart (see apart.ts) where it stringifies: six calls here. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : apart(jsonText, v);
}

function set(out: Attributes, key: string, v: string | undefined): void {
  if (v !== undefined && v !== '') out[key] = v;
}

/** What the readers decided of one observation, for {@link observationKeys}. */
export interface ObservationFields {
  type: ObservationType;
  input: unknown;
  output: unknown;
  level: string | undefined;
  statusMessage: string | undefined;
  common: CommonFields;
  /** Explicit metadata, the leftovers and the OTel facts, in that order. */
  metadata: Record<string, unknown>;
  completionStart: string | undefined;
  model: string | undefined;
  parameters: Record<string, unknown> | undefined;
  usage: Record<string, unknown> | undefined;
  cost: Record<string, unknown> | undefined;
  prompt: { promptName: string; promptVersion: number } | undefined;
}

/** The observation's own `langfuse.*` keys, in the order `observationAttributes` writes them. */
export function observationKeys(f: ObservationFields, legacyTypes: boolean): Attributes {
  let type = f.type;
  if (legacyTypes) {
    const hasModelData = f.completionStart !== undefined || f.model !== undefined || f.parameters !== undefined || f.usage !== undefined || f.cost !== undefined || f.prompt !== undefined;
    type = toLegacyType(type, hasModelData);
  }
  const out: Attributes = {};
  out[LF.observationType] = type.toLowerCase();
  if (f.input !== undefined && f.input !== null) out[LF.input] = text(f.input);
  if (f.output !== undefined && f.output !== null) out[LF.output] = text(f.output);
  set(out, LF.modelName, f.model);
  if (f.parameters !== undefined) out[LF.modelParameters] = text(f.parameters);
  if (f.usage !== undefined) out[LF.usageDetails] = text(f.usage);
  if (f.cost !== undefined) out[LF.costDetails] = text(f.cost);
  set(out, LF.completionStartTime, f.completionStart);
  set(out, LF.level, f.level);
  set(out, LF.statusMessage, f.statusMessage);
  if (f.prompt !== undefined) {
    out[LF.promptName] = f.prompt.promptName;
    out[LF.promptVersion] = f.prompt.promptVersion;
  }
  set(out, LF.version, f.common.version);
  set(out, LF.environment, f.common.environment);
  // As observationAttributes writes metadata: one key per top-level key (strings verbatim, others JSON).
  const { metadata } = f;
  const metadataKeys = Object.keys(metadata);
  for (let i = 0; i < metadataKeys.length; i++) {
    const v = metadata[metadataKeys[i] as string];
    if (v !== undefined) out[metadataKey(LF.metadata, metadataKeys[i] as string)] = text(v);
  }
  return out;
}

/** The observation of `view` (its bag consumed), or a throw of {@link DECLINE}. */
export function directObservation(view: SpanView, opts: DirectOptions, sink: IssueSink): DirectObservation {
  const { attrs } = view;
  const type = decideObservationType(attrs);
  if (attrs.peek(LF.observationType) === type.toLowerCase()) attrs.delete(LF.observationType);
  const asRoot = toBool(attrs.peek(LF.asRoot)) === true;
  if (attrs.has(LF.asRoot)) attrs.delete(LF.asRoot);
  const trace = takeTraceFields(attrs, sink);
  const common = takeCommonFields(attrs, view.resource, opts.defaults);
  const name = observationName(view);
  const io = takeIO(attrs, view.events, sink);
  const level = takeLevel(view, sink);
  const statusMessage = toText(attrs.take(LF.statusMessage)) ?? view.status.message;

  const operation = String(attrs.peek(GENAI.operationName));
  let completionStart: string | undefined;
  let model: string | undefined;
  let parameters: Record<string, unknown> | undefined;
  let usage: Record<string, unknown> | undefined;
  let cost: Record<string, unknown> | undefined;
  let prompt: { promptName: string; promptVersion: number } | undefined;
  if (carriesModel(type) && operation !== 'invoke_agent' && operation !== 'agent_step') {
    completionStart = takeCompletionStart(view, sink);
    model = takeModel(attrs);
    parameters = takeModelParameters(attrs, sink);
    usage = takeUsage(attrs, { aiSdkModelCall: isAiSdkModelCall(attrs), embedding: type === 'EMBEDDING' }, sink);
    cost = takeCost(attrs, sink);
    prompt = takePrompt(attrs, sink);
  }
  const metadata = takeExplicitMetadata(view, sink);
  if (attrs.size > 0) metadata[META.attributes] = apart(AttributeBag.leftoversOf, attrs);
  writeOtelFacts(view, { type, level, statusMessage, name, consumedEvents: io.consumedEvents, withTimes: true }, metadata);
  const fields: ObservationFields = { type, input: io.input, output: io.output, level, statusMessage, common, metadata, completionStart, model, parameters, usage, cost, prompt };
  return {
    view,
    attributes: observationKeys(fields, opts.legacyTypes),
    name,
    input: io.input,
    output: io.output,
    trace,
    common,
    isRoot: view.parentSpanId === undefined || asRoot,
    parentSpanId: view.parentSpanId,
  };
}
