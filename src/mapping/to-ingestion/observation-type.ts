/**
 * The observation-type decision, in the priority order of Langfuse's own OTLP mapping
 * (ObservationTypeMapperRegistry, langfuse-ingestion.md 3.4), plus the additions of
 * genai-conventions.md 7.2 (Traceloop request type and span kind, OpenInference embedding model).
 * The first rule that answers wins; the default is SPAN.
 */
import { apart } from '../apart.js';
import { AttributeBag } from '../attribute-bag.js';
import { isNonEmpty } from '../json.js';
import { AI, GENAI, LF, OI, TRACELOOP } from '../keys.js';
import type { ObservationType } from '../schema.js';

const LANGFUSE_TYPES: Readonly<Record<string, ObservationType>> = {
  span: 'SPAN',
  generation: 'GENERATION',
  event: 'EVENT',
  embedding: 'EMBEDDING',
  agent: 'AGENT',
  tool: 'TOOL',
  chain: 'CHAIN',
  retriever: 'RETRIEVER',
  guardrail: 'GUARDRAIL',
  evaluator: 'EVALUATOR',
};

const OPENINFERENCE_KINDS: Readonly<Record<string, ObservationType>> = {
  LLM: 'GENERATION',
  CHAIN: 'CHAIN',
  RETRIEVER: 'RETRIEVER',
  EMBEDDING: 'EMBEDDING',
  AGENT: 'AGENT',
  TOOL: 'TOOL',
  GUARDRAIL: 'GUARDRAIL',
  EVALUATOR: 'EVALUATOR',
};

const GENAI_OPERATIONS: Readonly<Record<string, ObservationType>> = {
  chat: 'GENERATION',
  completion: 'GENERATION',
  text_completion: 'GENERATION',
  generate_content: 'GENERATION',
  generate: 'GENERATION',
  embeddings: 'EMBEDDING',
  invoke_agent: 'AGENT',
  create_agent: 'AGENT',
  execute_tool: 'TOOL',
};

const GENKIT_SUBTYPES: Readonly<Record<string, ObservationType>> = {
  model: 'GENERATION',
  'background-model': 'GENERATION',
  embedder: 'EMBEDDING',
  tool: 'TOOL',
  'tool.v2': 'TOOL',
  retriever: 'RETRIEVER',
  evaluator: 'EVALUATOR',
};

/** The AI SDK's operations that stand for one model call, with the type each gives. */
export const AI_SDK_MODEL_CALLS: Readonly<Record<string, ObservationType>> = {
  'ai.generateText.doGenerate': 'GENERATION',
  'ai.streamText.doStream': 'GENERATION',
  'ai.generateObject.doGenerate': 'GENERATION',
  'ai.streamObject.doStream': 'GENERATION',
  'ai.embed.doEmbed': 'EMBEDDING',
  'ai.embedMany.doEmbed': 'EMBEDDING',
};

const AI_SDK_MODEL_KEYS = [LF.modelName, AI.modelId, GENAI.requestModel, GENAI.responseModel];
const MODEL_KEYS = [LF.modelName, GENAI.requestModel, GENAI.responseModel, OI.modelName, 'model'];

function lookup(table: Readonly<Record<string, ObservationType>>, v: unknown): ObservationType | undefined {
  return typeof v === 'string' && Object.hasOwn(table, v) ? table[v] : undefined;
}

/** The AI SDK operation id of a span (`ai.operationId`, or the start of `operation.name`). */
export function aiSdkOperationId(attrs: AttributeBag): string | undefined {
  const id = attrs.peekString(AI.operationId);
  if (id !== undefined) return id;
  const opName = attrs.peekString(AI.operationName);
  return opName?.split(' ')[0];
}

/** True for the AI SDK spans that stand for one model call (`*.doGenerate`, `*.doStream`, `*.doEmbed`). */
export function isAiSdkModelCall(attrs: AttributeBag): boolean {
  const op = aiSdkOperationId(attrs);
  return lookup(AI_SDK_MODEL_CALLS, op) !== undefined;
}

/** The keys whose value names the type, in precedence order, each with its table of values. */
const TYPE_TABLES: ReadonlyMap<string, Readonly<Record<string, ObservationType>>> = new Map([
  [LF.observationType, LANGFUSE_TYPES],
  [OI.spanKind, OPENINFERENCE_KINDS],
  [GENAI.operationName, GENAI_OPERATIONS],
  ['genkit:metadata:subtype', GENKIT_SUBTYPES],
]);
const TYPE_KEYS = [...TYPE_TABLES.keys()];
/** Every key the rules after the AI SDK's read: a record of none of them is a SPAN there. */
const LATER_KEYS = [GENAI.toolName, GENAI.toolCallId, TRACELOOP.requestType, TRACELOOP.spanKind, ...MODEL_KEYS, OI.embeddingModelName];

export function decideObservationType(attrs: AttributeBag): ObservationType {
  // Only the keys of the record's shape can hold a value (most records have none of these): in
  // precedence order, the first whose value its table knows.
  const typeKeys = attrs.present(TYPE_KEYS);
  for (let i = 0; i < typeKeys.length; i++) {
    const key = typeKeys[i] as string;
    const byValue = lookup(TYPE_TABLES.get(key) as Readonly<Record<string, ObservationType>>, attrs.peek(key));
    if (byValue) return byValue;
  }

  const op = aiSdkOperationId(attrs);
  if (op !== undefined) {
    const call = lookup(AI_SDK_MODEL_CALLS, op);
    if (call !== undefined && apart(AttributeBag.firstNonEmptyOf, attrs, AI_SDK_MODEL_KEYS) !== undefined) return call;
    if (op === 'ai.toolCall') return 'TOOL';
  }
  if (attrs.present(LATER_KEYS).length === 0) return 'SPAN';
  if (isNonEmpty(attrs.peek(GENAI.toolName)) || isNonEmpty(attrs.peek(GENAI.toolCallId))) return 'TOOL';

  const requestType = attrs.peek(TRACELOOP.requestType);
  if (requestType === 'chat' || requestType === 'completion') return 'GENERATION';
  const traceloopKind = attrs.peek(TRACELOOP.spanKind);
  if (traceloopKind === 'agent') return 'AGENT';
  if (traceloopKind === 'tool') return 'TOOL';

  if (apart(AttributeBag.firstNonEmptyOf, attrs, MODEL_KEYS) !== undefined) return 'GENERATION';
  if (isNonEmpty(attrs.peek(OI.embeddingModelName))) return 'EMBEDDING';
  return 'SPAN';
}

/** Types whose create event uses the generation body (model, usage, cost). */
export function carriesModel(type: ObservationType): boolean {
  return type !== 'SPAN' && type !== 'EVENT';
}

/**
 * For Langfuse servers older than v3.98.2, which know only span/generation/event: embeddings and
 * model-bearing agent/tool/... observations become generations, the rest spans.
 */
export function toLegacyType(type: ObservationType, hasModelData: boolean): ObservationType {
  if (type === 'SPAN' || type === 'EVENT' || type === 'GENERATION') return type;
  if (type === 'EMBEDDING') return 'GENERATION';
  return hasModelData ? 'GENERATION' : 'SPAN';
}
