/**
 * What Langfuse v4 stores for a span it received over OTLP, read from the span's `langfuse.*` keys
 * as Langfuse's direct write path reads them (langfuse-v4.md, OtelIngestionProcessor
 * processToEvent), and what it stores for a legacy ingestion event, both in one shape, so a test
 * can compare what reaches Langfuse by either path in full. Langfuse keeps input, output and
 * metadata values as text, so both sides hold them as text: a string as it is, anything else as
 * JSON. Written for the tests, independently of the code under test.
 */
import type { StoredSpan } from './fake-langfuse-otlp.js';
import { isRecord } from './loopback.js';

type Json = Record<string, unknown>;

/** One observation as Langfuse stores it, and the trace fields its row carries. */
export interface StoredObservation {
  /** `span`, `generation`, `tool`, ... */
  readonly type: string;
  readonly body: Json;
  /** Trace fields on the observation's own row (v4 keeps them per observation). */
  readonly trace: Json;
}

/** Text as Langfuse keeps it: a string as it is, anything else as JSON. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An OTLP AnyValue (OTLP/JSON shape, 64-bit integers as decimal strings) as a plain value. */
export function plainValue(value: unknown): unknown {
  if (!isRecord(value)) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if (isRecord(value.arrayValue)) return ((value.arrayValue.values ?? []) as unknown[]).map(plainValue);
  return value;
}

/** A KeyValue list as an object, in list order. */
export function plainAttributes(list: unknown): Json {
  const out: Json = {};
  for (const kv of Array.isArray(list) ? list : []) if (isRecord(kv) && typeof kv.key === 'string') out[kv.key] = plainValue(kv.value);
  return out;
}

/** Nanoseconds since the epoch (decimal text) as the ingestion output writes times: 3 fractional digits for whole milliseconds, else 9. */
export function isoFromNanos(nanos: string): string {
  const n = BigInt(nanos);
  const iso = new Date(Number(n / 1_000_000n)).toISOString();
  const sub = n % 1_000_000_000n;
  return sub % 1_000_000n === 0n ? iso : `${iso.slice(0, -4)}${sub.toString().padStart(9, '0')}Z`;
}

/** A JSON object text as an object; absent when empty (Langfuse treats `{}` as none). */
function objectOf(text: unknown): Json | undefined {
  if (typeof text !== 'string') return undefined;
  const value: unknown = JSON.parse(text);
  if (!isRecord(value)) throw new Error(`not a JSON object: ${text.slice(0, 100)}`);
  return Object.keys(value).length === 0 ? undefined : value;
}

function set(out: Json, key: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '') out[key] = value;
}

const OBSERVATION_METADATA = 'langfuse.observation.metadata.';
const TRACE_METADATA = 'langfuse.trace.metadata.';

/** The keys under `prefix`, the prefix removed. */
function under(attributes: Json, prefix: string): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(attributes)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  return out;
}

/** What Langfuse v4 stores for one span received over OTLP. */
export function readStoredSpan(stored: StoredSpan): StoredObservation {
  const { span } = stored;
  const a = plainAttributes(span.attributes);
  const body: Json = { id: a['langfuse.observation.id'] ?? span.spanId, traceId: a['langfuse.trace.id'] ?? span.traceId };
  set(body, 'parentObservationId', span.parentSpanId);
  body.name = span.name;
  body.startTime = isoFromNanos(String(span.startTimeUnixNano));
  body.endTime = isoFromNanos(String(span.endTimeUnixNano));
  set(body, 'completionStartTime', a['langfuse.observation.completion_start_time']);
  set(body, 'model', a['langfuse.observation.model.name']);
  set(body, 'modelParameters', objectOf(a['langfuse.observation.model.parameters']));
  set(body, 'usageDetails', objectOf(a['langfuse.observation.usage_details']));
  set(body, 'costDetails', objectOf(a['langfuse.observation.cost_details']));
  set(body, 'promptName', a['langfuse.observation.prompt.name']);
  set(body, 'promptVersion', a['langfuse.observation.prompt.version']);
  set(body, 'input', a['langfuse.observation.input']);
  set(body, 'output', a['langfuse.observation.output']);
  const metadata = under(a, OBSERVATION_METADATA);
  // Langfuse records the resource and scope the span came under.
  metadata.resourceAttributes = asText(plainAttributes(stored.resource.attributes));
  const scope: Json = { name: stored.scope.name ?? '' };
  set(scope, 'version', stored.scope.version);
  set(scope, 'schemaUrl', stored.scopeSchemaUrl);
  metadata.scope = asText(scope);
  body.metadata = metadata;
  set(body, 'level', a['langfuse.observation.level']);
  set(body, 'statusMessage', a['langfuse.observation.status_message']);
  set(body, 'version', a['langfuse.version']);
  set(body, 'environment', a['langfuse.environment']);
  const trace: Json = {};
  set(trace, 'name', a['langfuse.trace.name']);
  set(trace, 'userId', a['user.id']);
  set(trace, 'sessionId', a['session.id']);
  set(trace, 'input', a['langfuse.trace.input']);
  set(trace, 'output', a['langfuse.trace.output']);
  const traceMetadata = under(a, TRACE_METADATA);
  if (Object.keys(traceMetadata).length > 0) trace.metadata = traceMetadata;
  set(trace, 'tags', a['langfuse.trace.tags']);
  if (typeof a['langfuse.trace.public'] === 'boolean') trace.public = a['langfuse.trace.public'];
  set(trace, 'release', a['langfuse.release']);
  return { type: String(a['langfuse.observation.type']), body, trace };
}

/**
 * What Langfuse stores for an observation event of the ingestion API, in {@link readStoredSpan}'s
 * shape: input, output and metadata values as text, empty parameter and usage objects as none,
 * the end time of a span that never ended (or an event) as its start.
 */
export function storedFromEvent(event: { type: string; body: unknown }): StoredObservation {
  const b = event.body as Json;
  const body: Json = {};
  for (const key of ['id', 'traceId', 'parentObservationId', 'name', 'startTime']) set(body, key, b[key]);
  body.endTime = b.endTime ?? b.startTime;
  for (const key of ['completionStartTime', 'model']) set(body, key, b[key]);
  for (const key of ['modelParameters', 'usageDetails', 'costDetails']) {
    if (isRecord(b[key]) && Object.keys(b[key]).length > 0) body[key] = b[key];
  }
  for (const key of ['promptName', 'promptVersion']) set(body, key, b[key]);
  for (const key of ['input', 'output']) if (b[key] !== undefined && b[key] !== null) body[key] = asText(b[key]);
  const metadata: Json = {};
  for (const [key, value] of Object.entries(isRecord(b.metadata) ? b.metadata : {})) metadata[key] = asText(value);
  body.metadata = metadata;
  for (const key of ['level', 'statusMessage', 'version', 'environment']) set(body, key, b[key]);
  return { type: event.type.replace(/-create$/, ''), body, trace: {} };
}

/** The trace fields a trace-create gives every observation row of its trace (input and output: the root's only). */
export function traceFieldsFromEvent(traceBody: Json): { fields: Json; input?: string; output?: string } {
  const fields: Json = {};
  for (const key of ['name', 'userId', 'sessionId']) set(fields, key, traceBody[key]);
  if (isRecord(traceBody.metadata)) {
    const metadata: Json = {};
    for (const [key, value] of Object.entries(traceBody.metadata)) metadata[key] = asText(value);
    if (Object.keys(metadata).length > 0) fields.metadata = metadata;
  }
  if (Array.isArray(traceBody.tags) && traceBody.tags.length > 0) fields.tags = traceBody.tags;
  if (typeof traceBody.public === 'boolean') fields.public = traceBody.public;
  set(fields, 'release', traceBody.release);
  return {
    fields,
    ...(traceBody.input === undefined || traceBody.input === null ? {} : { input: asText(traceBody.input) }),
    ...(traceBody.output === undefined || traceBody.output === null ? {} : { output: asText(traceBody.output) }),
  };
}
