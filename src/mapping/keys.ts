/**
 * Every attribute key the mapping reads or writes, in one place, grouped by dialect.
 * Sources: genai-conventions.md (dialects) and langfuse-ingestion.md section 3 (Langfuse's reader).
 */

/** Langfuse's own keys (`@langfuse/tracing`, read by Langfuse's OTLP endpoint). */
export const LF = {
  observationType: 'langfuse.observation.type',
  input: 'langfuse.observation.input',
  output: 'langfuse.observation.output',
  metadata: 'langfuse.observation.metadata',
  metadataPrefix: 'langfuse.observation.metadata.',
  level: 'langfuse.observation.level',
  statusMessage: 'langfuse.observation.status_message',
  modelName: 'langfuse.observation.model.name',
  modelParameters: 'langfuse.observation.model.parameters',
  usageDetails: 'langfuse.observation.usage_details',
  costDetails: 'langfuse.observation.cost_details',
  completionStartTime: 'langfuse.observation.completion_start_time',
  promptName: 'langfuse.observation.prompt.name',
  promptVersion: 'langfuse.observation.prompt.version',
  legacyPromptName: 'langfuse.prompt.name',
  legacyPromptVersion: 'langfuse.prompt.version',
  legacyMetadata: 'langfuse.metadata',
  legacyMetadataPrefix: 'langfuse.metadata.',
  traceName: 'langfuse.trace.name',
  traceInput: 'langfuse.trace.input',
  traceOutput: 'langfuse.trace.output',
  traceTags: 'langfuse.trace.tags',
  tracePublic: 'langfuse.trace.public',
  traceMetadata: 'langfuse.trace.metadata',
  traceMetadataPrefix: 'langfuse.trace.metadata.',
  legacyTags: 'langfuse.tags',
  legacyPublic: 'langfuse.public',
  userId: 'langfuse.user.id',
  sessionId: 'langfuse.session.id',
  environment: 'langfuse.environment',
  release: 'langfuse.release',
  version: 'langfuse.version',
  asRoot: 'langfuse.internal.as_root',
  isAppRoot: 'langfuse.internal.is_app_root',
  /** Ours: the original Langfuse ids, kept when ids had to be hashed into OTel form. */
  traceId: 'langfuse.trace.id',
  observationId: 'langfuse.observation.id',
  /** Ours: markers the reverse mapping writes. */
  bridgeIncomplete: 'langfuse.bridge.incomplete',
  bridgeSyntheticRoot: 'langfuse.bridge.synthetic_root',
  bridgeTraceUpdate: 'langfuse.bridge.trace_update',
  /** Ours: the original id of the parent observation, when it had to be hashed. */
  bridgeParentId: 'langfuse.bridge.parent_observation_id',
  /** Ours, on a synthetic root: the trace's own timestamp (the root spans its observations). */
  bridgeTraceTimestamp: 'langfuse.bridge.trace_timestamp',
  /** Ours: the GenAI twin keys the reverse mapping derived from `langfuse.*` keys (string[]). */
  bridgeGenaiTwins: 'langfuse.bridge.genai_twins',
  /**
   * Ours, set by the receiver: why a trace went out before it was quiet and complete
   * (`max_hold`, `memory`, `shutdown`); later events for it are late.
   */
  bridgeFlushedEarly: 'langfuse.bridge.flushed_early',
} as const;

/** Attributes of the `langfuse.score` span events that carry `score-create` bodies. */
export const SCORE = {
  event: 'langfuse.score',
  fields: [
    ['id', 'langfuse.score.id'],
    ['name', 'langfuse.score.name'],
    ['dataType', 'langfuse.score.data_type'],
    ['comment', 'langfuse.score.comment'],
    ['source', 'langfuse.score.source'],
    ['configId', 'langfuse.score.config_id'],
    ['environment', 'langfuse.score.environment'],
    ['traceId', 'langfuse.score.trace_id'],
    ['observationId', 'langfuse.score.observation_id'],
    ['sessionId', 'langfuse.score.session_id'],
  ] as const,
  value: 'langfuse.score.value',
  metadata: 'langfuse.score.metadata',
} as const;

/** The instrumentation scope of spans the reverse mapping makes. */
export const BRIDGE_SCOPE_NAME = 'otel-langfuse-bridge';

/** OTel registry keys that are not GenAI-specific. */
export const OTEL = {
  userId: 'user.id',
  sessionId: 'session.id',
  serviceName: 'service.name',
  serviceVersion: 'service.version',
  deploymentEnvironmentName: 'deployment.environment.name',
  deploymentEnvironment: 'deployment.environment',
  errorType: 'error.type',
  exceptionEvent: 'exception',
} as const;

/** OTel GenAI semantic conventions, current (v1.37+) and older forms. */
export const GENAI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  requestPrefix: 'gen_ai.request.',
  usagePrefix: 'gen_ai.usage.',
  usageCost: 'gen_ai.usage.cost',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
  toolDefinitions: 'gen_ai.tool.definitions',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  conversationId: 'gen_ai.conversation.id',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  /** Indexed OpenLLMetry keys squatting the `gen_ai.` prefix: `gen_ai.prompt.0.content`. */
  promptPrefix: 'gen_ai.prompt.',
  completionPrefix: 'gen_ai.completion.',
  prompt: 'gen_ai.prompt',
  completion: 'gen_ai.completion',
  /** Span events. */
  operationDetailsEvent: 'gen_ai.client.inference.operation.details',
  systemMessageEvent: 'gen_ai.system.message',
  userMessageEvent: 'gen_ai.user.message',
  assistantMessageEvent: 'gen_ai.assistant.message',
  toolMessageEvent: 'gen_ai.tool.message',
  choiceEvent: 'gen_ai.choice',
  contentPromptEvent: 'gen_ai.content.prompt',
  contentCompletionEvent: 'gen_ai.content.completion',
} as const;

/** OpenLLMetry / Traceloop keys beyond the `gen_ai.*` ones. */
export const TRACELOOP = {
  requestType: 'llm.request.type',
  spanKind: 'traceloop.span.kind',
  workflowName: 'traceloop.workflow.name',
  entityInput: 'traceloop.entity.input',
  entityOutput: 'traceloop.entity.output',
  associationPrefix: 'traceloop.association.properties.',
  usageTotalTokens: 'llm.usage.total_tokens',
  topK: 'llm.top_k',
  frequencyPenalty: 'llm.frequency_penalty',
  presencePenalty: 'llm.presence_penalty',
  stopSequences: 'llm.chat.stop_sequences',
  functionsPrefix: 'llm.request.functions.',
} as const;

/** OpenInference (Arize). */
export const OI = {
  spanKind: 'openinference.span.kind',
  modelName: 'llm.model_name',
  requestModelName: 'llm.request.model_name',
  responseModelName: 'llm.response.model_name',
  responseModel: 'llm.response.model',
  embeddingModelName: 'embedding.model_name',
  invocationParameters: 'llm.invocation_parameters',
  inputMessagesPrefix: 'llm.input_messages.',
  outputMessagesPrefix: 'llm.output_messages.',
  toolsPrefix: 'llm.tools.',
  tokenCountPrefix: 'llm.token_count.',
  costPrefix: 'llm.cost.',
  inputValue: 'input.value',
  inputMimeType: 'input.mime_type',
  outputValue: 'output.value',
  outputMimeType: 'output.mime_type',
  metadata: 'metadata',
  tags: 'tag.tags',
  system: 'llm.system',
  provider: 'llm.provider',
} as const;

/** Vercel AI SDK (`ai.*`, scope `ai`). */
export const AI = {
  scope: 'ai',
  operationId: 'ai.operationId',
  operationName: 'operation.name',
  resourceName: 'resource.name',
  functionId: 'ai.telemetry.functionId',
  metadataPrefix: 'ai.telemetry.metadata.',
  modelId: 'ai.model.id',
  modelProvider: 'ai.model.provider',
  settingsPrefix: 'ai.settings.',
  prompt: 'ai.prompt',
  promptMessages: 'ai.prompt.messages',
  promptTools: 'ai.prompt.tools',
  promptToolChoice: 'ai.prompt.toolChoice',
  responseText: 'ai.response.text',
  responseToolCalls: 'ai.response.toolCalls',
  responseObject: 'ai.response.object',
  responseModel: 'ai.response.model',
  responseFinishReason: 'ai.response.finishReason',
  responseProviderMetadata: 'ai.response.providerMetadata',
  responseMsToFirstChunk: 'ai.response.msToFirstChunk',
  streamMsToFirstChunk: 'ai.stream.msToFirstChunk',
  firstChunkEvent: 'ai.stream.firstChunk',
  resultText: 'ai.result.text',
  resultToolCalls: 'ai.result.toolCalls',
  resultObject: 'ai.result.object',
  toolCallName: 'ai.toolCall.name',
  toolCallId: 'ai.toolCall.id',
  toolCallArgs: 'ai.toolCall.args',
  toolCallResult: 'ai.toolCall.result',
  value: 'ai.value',
  values: 'ai.values',
  embedding: 'ai.embedding',
  embeddings: 'ai.embeddings',
  usagePrefix: 'ai.usage.',
} as const;

/**
 * Metadata keys we write on ingestion events. `attributes`, `resourceAttributes` and `scope` are
 * the names Langfuse's own OTLP mapping uses; the `bridge.*` keys carry OTel facts Langfuse has no
 * field for, so the reverse mapping can restore them.
 */
export const META = {
  attributes: 'attributes',
  resourceAttributes: 'resourceAttributes',
  scope: 'scope',
  spanKind: 'bridge.span_kind',
  spanName: 'bridge.span_name',
  statusCode: 'bridge.status_code',
  statusMessage: 'bridge.status_message',
  links: 'bridge.links',
  events: 'bridge.events',
  startTimeUnixNano: 'bridge.start_time_unix_nano',
  endTimeUnixNano: 'bridge.end_time_unix_nano',
  traceState: 'bridge.trace_state',
  incomplete: 'bridge.incomplete',
  droppedAttributes: 'bridge.dropped_attributes_count',
} as const;

/** Instrumentation scopes of Langfuse's own SDKs (their unmapped attributes are not copied). */
export const LANGFUSE_SDK_SCOPE_PREFIX = 'langfuse-sdk';
