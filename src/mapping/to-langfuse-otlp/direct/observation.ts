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

/** What the trace assembly needs of one observation. */
export interface DirectObservation {
  readonly view: SpanView;
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

/** The observation of `view` (its bag consumed), or a throw of {@link DECLINE}. */
export function directObservation(view: SpanView, opts: DirectOptions, sink: IssueSink): DirectObservation {
  const { attrs } = view;
  let type = decideObservationType(attrs);
  if (attrs.peek(LF.observationType) === type.toLowerCase()) attrs.delete(LF.observationType);
  const asRoot = toBool(attrs.peek(LF.asRoot)) === true;
  if (attrs.has(LF.asRoot)) attrs.delete(LF.asRoot);
  const trace = takeTraceFields(attrs, sink);
  const common = takeCommonFields(attrs, view.resource, opts.defaults);
  const name = observationName(view);
  const io = takeIO(attrs, view.events, sink);
  const level = takeLevel(view, sink);
  const statusMessage = toText(attrs.take(LF.statusMessage)) ?? view.status.message;

  const out: Attributes = {};
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
  if (opts.legacyTypes) {
    const hasModelData = completionStart !== undefined || model !== undefined || parameters !== undefined || usage !== undefined || cost !== undefined || prompt !== undefined;
    type = toLegacyType(type, hasModelData);
  }

  out[LF.observationType] = type.toLowerCase();
  if (io.input !== undefined && io.input !== null) out[LF.input] = text(io.input);
  if (io.output !== undefined && io.output !== null) out[LF.output] = text(io.output);
  set(out, LF.modelName, model);
  if (parameters !== undefined) out[LF.modelParameters] = text(parameters);
  if (usage !== undefined) out[LF.usageDetails] = text(usage);
  if (cost !== undefined) out[LF.costDetails] = text(cost);
  set(out, LF.completionStartTime, completionStart);
  set(out, LF.level, level);
  set(out, LF.statusMessage, statusMessage);
  if (prompt !== undefined) {
    out[LF.promptName] = prompt.promptName;
    out[LF.promptVersion] = prompt.promptVersion;
  }
  set(out, LF.version, common.version);
  set(out, LF.environment, common.environment);
  // As observationAttributes writes metadata: one key per top-level key (strings verbatim, others JSON).
  const metadataKeys = Object.keys(metadata);
  for (let i = 0; i < metadataKeys.length; i++) {
    const v = metadata[metadataKeys[i] as string];
    if (v !== undefined) out[metadataKey(LF.metadata, metadataKeys[i] as string)] = text(v);
  }
  return {
    view,
    attributes: out,
    name,
    input: io.input,
    output: io.output,
    trace,
    common,
    isRoot: view.parentSpanId === undefined || asRoot,
    parentSpanId: view.parentSpanId,
  };
}
