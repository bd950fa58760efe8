/**
 * Zod schemas of every Langfuse ingestion event, as `POST /api/public/ingestion` validates them
 * (langfuse/langfuse `packages/shared/src/server/ingestion/types.ts` at v4.16.0+30, `62751446`;
 * summary in `langfuse-ingestion.md` §2).
 *
 * Deliberate differences from the server, all in the direction of keeping data:
 * - Every object keeps unknown keys (`z.looseObject`). The server strips them, which is fine for a
 *   store but silent data loss for a bridge (style.md §2.6). Zod itself skips `__proto__` keys.
 * - No transforms and no defaults: `usage` is not rewritten from the OpenAI shape, `usageDetails`
 *   and `costDetails` are not filtered, `environment` is not normalised, score `source` gets no
 *   default. The parsed event equals its input; the mapping decides what each value means.
 * - Datetimes use our own pattern because the installed zod (4.6) requires seconds, while the
 *   server's zod (4.3.6) accepts `YYYY-MM-DDTHH:MMZ`.
 */
import { z } from 'zod';
import { fastCheckEvent, fastParseEvent } from './schema-fast.js';

/** Envelope and entity id: 1–800 chars (S3 key room), no carriage return. */
export const idSchema = z
  .string()
  .min(1)
  .max(800)
  .refine((id) => !id.includes('\r'), { message: 'ID cannot contain carriage return characters' });

const isoDate = z.iso.date();
const TIME_WITH_OFFSET =
  /^T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * ISO-8601 datetime with a mandatory offset (`Z` or `±HH:MM`), any fractional precision, seconds
 * optional: the acceptance set of zod 4.3.6's `z.iso.datetime({ offset: true })`, which the server
 * uses. Rejects no offset, a space separator, `+0200` and a bare date.
 */
export const isoDateTimeSchema = z
  .string()
  .refine((s) => isoDate.safeParse(s.slice(0, 10)).success && TIME_WITH_OFFSET.test(s.slice(10)), {
    message: 'Invalid ISO datetime: expected YYYY-MM-DDTHH:MM[:SS[.fraction]] with Z or ±HH:MM',
  });
const dateTime = isoDateTimeSchema.nullish();

/** A JSON value; `null` is allowed nested but not at the root (the server's `jsonSchema`). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
const jsonNested: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.array(jsonNested), z.record(z.string(), jsonNested), z.string(), z.number(), z.boolean(), z.null()]),
);
const jsonSchema: z.ZodType<Exclude<JsonValue, null>> = z.lazy(() =>
  z.union([z.array(jsonNested), z.record(z.string(), jsonNested), z.string(), z.number(), z.boolean()]),
);

const levelSchema = z.enum(['DEBUG', 'DEFAULT', 'WARNING', 'ERROR']);

/** Observation types Langfuse stores; the last seven have only a `<type>-create` event. */
export const OBSERVATION_TYPES = [
  'SPAN',
  'GENERATION',
  'EVENT',
  'AGENT',
  'TOOL',
  'CHAIN',
  'RETRIEVER',
  'EVALUATOR',
  'EMBEDDING',
  'GUARDRAIL',
] as const;

const usageCount = z.number().int().nullish();
/**
 * Legacy `usage`: integer counts (a float fails the event), unit enum, costs. The OpenAI-style
 * `promptTokens`/`completionTokens`/`totalTokens` are validated but, unlike the server, not
 * converted to `input`/`output`/`total`.
 */
const usageSchema = z
  .looseObject({
    input: usageCount,
    output: usageCount,
    total: usageCount,
    unit: z.enum(['CHARACTERS', 'TOKENS', 'SECONDS', 'MILLISECONDS', 'IMAGES', 'REQUESTS']).nullish(),
    promptTokens: usageCount,
    completionTokens: usageCount,
    totalTokens: usageCount,
    inputCost: z.number().nullish(),
    outputCost: z.number().nullish(),
    totalCost: z.number().nullish(),
  })
  .nullish();

// The server accepts any object for both and silently drops entries that are not non-negative
// integers (usage) or non-negative numbers (cost); the mapping reports those as issues instead.
const usageDetailsSchema = z.record(z.string(), z.unknown()).nullish();
const costDetailsSchema = z.record(z.string(), z.unknown()).nullish();

const modelParametersSchema = z
  .record(
    z.string(),
    z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.record(z.string(), z.string())]).nullish(),
  )
  .nullish();

// Never rejected by the server: anything is normalised to a valid name or "default" (§2.3).
const environmentSchema = z.unknown().optional();

const traceBodySchema = z.looseObject({
  // Optional in the schema, but a trace-create without it is acknowledged and never processed.
  id: idSchema.nullish(),
  timestamp: dateTime,
  name: z.string().max(1000).nullish(),
  externalId: z.string().nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  sessionId: z.string().nullish(),
  userId: z.string().nullish(),
  environment: environmentSchema,
  metadata: jsonSchema.nullish(),
  release: z.string().nullish(),
  version: z.string().nullish(),
  public: z.boolean().nullish(),
  tags: z.array(z.string()).nullish(),
});

const observationFields = {
  id: idSchema,
  traceId: idSchema.nullish(),
  environment: environmentSchema,
  name: z.string().nullish(),
  startTime: dateTime,
  metadata: jsonSchema.nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  level: levelSchema.nullish(),
  statusMessage: z.string().nullish(),
  parentObservationId: z.string().nullish(),
  version: z.string().nullish(),
};

// The server's Create* and Update* bodies are identical (both require `id`), so one schema each.
const eventBodySchema = z.looseObject(observationFields);
const spanBodySchema = z.looseObject({ ...observationFields, endTime: dateTime });
const generationBodySchema = z
  .looseObject({
    ...observationFields,
    endTime: dateTime,
    completionStartTime: dateTime,
    model: z.string().nullish(),
    modelParameters: modelParametersSchema,
    usage: usageSchema,
    usageDetails: usageDetailsSchema,
    costDetails: costDetailsSchema,
    promptName: z.string().nullish(),
    promptVersion: z.number().int().nullish(),
  })
  // Truthiness as on the server: promptVersion 0 or promptName "" count as absent.
  .refine((b) => Boolean(b.promptName) === Boolean(b.promptVersion), {
    message: 'promptName and promptVersion must be set together or not at all',
    path: ['promptVersion'],
  });

const scoreFields = {
  id: idSchema.nullish(),
  name: z.string().min(1),
  traceId: z.string().nullish(),
  sessionId: z.string().nullish(),
  datasetRunId: z.string().nullish(),
  observationId: z.string().nullish(),
  environment: environmentSchema,
  comment: z.string().nullish(),
  metadata: jsonSchema.nullish(),
  source: z.enum(['API', 'EVAL', 'ANNOTATION']).optional(),
  executionTraceId: z.string().nullish(),
  queueId: z.string().nullish(),
  configId: z.string().nullish(),
};
const TEXT_SCORE_MAX_LENGTH = 500;
const scoreBodySchema = z
  .discriminatedUnion('dataType', [
    z.looseObject({ ...scoreFields, dataType: z.literal('NUMERIC'), value: z.number() }),
    z.looseObject({ ...scoreFields, dataType: z.literal('CATEGORICAL'), value: z.string() }),
    z.looseObject({
      ...scoreFields,
      dataType: z.literal('BOOLEAN'),
      value: z.number().refine((v) => v === 0 || v === 1, {
        message: 'Value must be a number equal to either 0 or 1 for data type BOOLEAN',
      }),
    }),
    z.looseObject({
      ...scoreFields,
      dataType: z.literal('CORRECTION'),
      value: z.string(),
      configId: z.undefined().nullish(), // a correction cannot have a score config
    }),
    z.looseObject({
      ...scoreFields,
      dataType: z.literal('TEXT'),
      value: z.string().min(1).max(TEXT_SCORE_MAX_LENGTH),
    }),
    // `.optional()`: zod 4.6 treats a bare z.undefined() key as required; the server means "absent".
    z.looseObject({ ...scoreFields, dataType: z.undefined().optional(), value: z.union([z.string(), z.number()]) }),
  ])
  .refine(
    (s) => {
      const [t, se, d] = [Boolean(s.traceId), Boolean(s.sessionId), Boolean(s.datasetRunId)];
      return (t && !se && !d) || (!s.observationId && ((se && !t && !d) || (d && !t && !se)));
    },
    {
      message:
        'Provide exactly one of the following: traceId (with optional observationId), sessionId or datasetRunId. ' +
        'ObservationId requires traceId.',
    },
  );

const legacyObservationBodySchema = z.looseObject({
  id: idSchema.nullish(),
  traceId: idSchema.nullish(),
  type: z.enum(['GENERATION', 'SPAN', 'EVENT']),
  name: z.string().nullish(),
  startTime: dateTime,
  endTime: dateTime,
  completionStartTime: dateTime,
  model: z.string().nullish(),
  modelParameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullish()).nullish(),
  input: jsonSchema.nullish(),
  output: jsonSchema.nullish(),
  usage: usageSchema,
  usageDetails: usageDetailsSchema,
  costDetails: costDetailsSchema,
  metadata: jsonSchema.nullish(),
  parentObservationId: z.string().nullish(),
  level: levelSchema.nullish(),
  statusMessage: z.string().nullish(),
  version: z.string().nullish(),
});

const sdkLogBodySchema = z.looseObject({ log: jsonSchema, id: z.string().nullish() });

const datasetRunItemBodySchema = z.looseObject({
  id: idSchema.nullish(),
  traceId: z.string(),
  observationId: z.string().nullish(),
  error: z.string().nullish(),
  createdAt: dateTime,
  datasetId: z.string(),
  runId: z.string(),
  datasetItemId: z.string(),
  datasetVersion: isoDateTimeSchema.optional(),
});

/** Every event type the server's union knows, in the server's order. */
export const INGESTION_EVENT_TYPES = [
  'trace-create',
  'score-create',
  'event-create',
  'span-create',
  'span-update',
  'generation-create',
  'generation-update',
  'agent-create',
  'tool-create',
  'chain-create',
  'retriever-create',
  'evaluator-create',
  'embedding-create',
  'guardrail-create',
  'sdk-log',
  'dataset-run-item-create',
  'observation-create',
  'observation-update',
] as const;

const envelope = <T extends (typeof INGESTION_EVENT_TYPES)[number], B extends z.ZodType>(type: T, body: B) =>
  z.looseObject({
    id: idSchema,
    timestamp: isoDateTimeSchema,
    metadata: jsonSchema.nullish(),
    type: z.literal(type),
    body,
  });

/**
 * One ingestion event, discriminated on `type`. `dataset-run-item-create` is in the union, as on
 * the server, but always fails with the server's message: the public endpoint refuses it.
 */
export const ingestionEventSchema = z.discriminatedUnion('type', [
  envelope('trace-create', traceBodySchema),
  envelope('score-create', scoreBodySchema),
  envelope('event-create', eventBodySchema),
  envelope('span-create', spanBodySchema),
  envelope('span-update', spanBodySchema),
  envelope('generation-create', generationBodySchema),
  envelope('generation-update', generationBodySchema),
  envelope('agent-create', generationBodySchema),
  envelope('tool-create', generationBodySchema),
  envelope('chain-create', generationBodySchema),
  envelope('retriever-create', generationBodySchema),
  envelope('evaluator-create', generationBodySchema),
  envelope('embedding-create', generationBodySchema),
  envelope('guardrail-create', generationBodySchema),
  envelope('sdk-log', sdkLogBodySchema),
  envelope('dataset-run-item-create', datasetRunItemBodySchema).refine(() => false, {
    message: 'Dataset run item creation is only allowed for internal usage',
  }),
  envelope('observation-create', legacyObservationBodySchema),
  envelope('observation-update', legacyObservationBodySchema),
]);

/** Request body: only `batch` being an array is checked; validate each element with {@link parseIngestionEvent}. */
export const ingestionBatchSchema = z.object({ batch: z.array(z.unknown()), metadata: jsonSchema.nullish() });

export type IngestionEvent = z.infer<typeof ingestionEventSchema>;
export type IngestionEventType = (typeof INGESTION_EVENT_TYPES)[number];
export type ObservationType = (typeof OBSERVATION_TYPES)[number];
export type TraceBody = z.infer<typeof traceBodySchema>;
/** Body of span-create and span-update. */
export type SpanBody = z.infer<typeof spanBodySchema>;
export type EventBody = z.infer<typeof eventBodySchema>;
/**
 * Body of generation-create/-update and of agent-, tool-, chain-, retriever-, evaluator-, embedding-
 * and guardrail-create.
 */
export type GenerationBody = z.infer<typeof generationBodySchema>;
export type ScoreBody = z.infer<typeof scoreBodySchema>;
export type Level = z.infer<typeof levelSchema>;
/** Unfiltered: values that are not non-negative integers are dropped by the server, not rejected. */
export type UsageDetails = NonNullable<z.infer<typeof usageDetailsSchema>>;
/** Unfiltered: values that are not non-negative numbers are dropped by the server, not rejected. */
export type CostDetails = NonNullable<z.infer<typeof costDetailsSchema>>;
export type ModelParameters = NonNullable<z.infer<typeof modelParametersSchema>>;

export type ParseIngestionEventResult =
  | { ok: true; event: IngestionEvent }
  | { ok: false; id: string; message: string };

const MAX_MESSAGE_CHARS = 500;

/**
 * Validates one batch element. Never throws: a failure carries the envelope id (when it is a
 * string, else `"unknown"`, as the server reports it) and a one-line summary of at most 500 chars.
 */
export function parseIngestionEvent(raw: unknown): ParseIngestionEventResult {
  return checkIngestionEvent(raw, false);
}

/**
 * {@link parseIngestionEvent}; `fromJson`: `raw` is what `JSON.parse` made and its owner reads
 * the event's fields, never its key order: a valid one is then `raw` itself (no copy), where the
 * fast path vouches for it.
 */
export function checkIngestionEvent(raw: unknown, fromJson: boolean): ParseIngestionEventResult {
  let id = 'unknown';
  try {
    const candidate: unknown =
      typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
    if (typeof candidate === 'string') id = candidate;
    // What real clients send is checked by hand (the same result); zod decides the rest.
    const fast = fromJson ? fastCheckEvent(raw) : fastParseEvent(raw);
    if (fast !== undefined) return { ok: true, event: fast };
    const result = ingestionEventSchema.safeParse(raw);
    if (result.success) return { ok: true, event: result.data };
    return { ok: false, id, message: summarize(result.error.issues) };
  } catch (err) {
    // Cyclic or very deeply nested metadata overflows the stack of the recursive JSON schema.
    const reason = err instanceof RangeError ? 'input is cyclic or nested too deeply' : 'unexpected input';
    return { ok: false, id, message: `validation aborted: ${reason}` };
  }
}

function summarize(issues: readonly z.core.$ZodIssue[]): string {
  const text = issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}
