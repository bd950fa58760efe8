/**
 * The OTLP exporter's exact floor on this bench's input: an exporter that knows one dialect only
 * (the Vercel AI SDK's, the spans this bench sends) and sends, for these spans, exactly the spans
 * and attributes ours sends ({@link checkExactFloor} holds every span equal to ours before a run).
 * Straight-line code per span: a fixed table of what each AI SDK operation reads, JSON inputs
 * parsed and written again (Langfuse stores the text, so only the canonical text is exact), the
 * unused attributes as one sorted JSON metadata text, the OTel facts Langfuse has no field for,
 * the trace's fields on every span. No other dialect, no precedence beyond what these spans need,
 * no issues, no caps: a span it does not know throws. Then the same parts, encoder and transport
 * as ours (bench/exporter-otlp-floor.ts).
 *
 * What it tells: how fast the rules can be when they are written for the input at hand, against
 * the least normalisation (the floor) and against ours, which reads every dialect (the AI SDK's
 * records by position, src/mapping/to-langfuse-otlp/direct/ai-sdk.ts).
 *
 * The checked floor ({@link checkedFloorSpans}) is the same code with the checks of the input that
 * ours makes before it sends a span, each through the helper ours uses: ids and times valid, no links,
 * dropped counts or events a reader takes, every attribute a key the AI SDK rules know with a
 * value the rules take as it is (finite, under the length cap), JSON read with the hostile-key
 * and depth checks, a span id once in a call, the span's size bound under the cap. It is the
 * least code that sends what the rules decide for these spans, checked as the contract asks.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_MAX_EVENT_BYTES } from '../src/exporter/options.js';
import { LAST_PARTS_SPANS, partsByTrace, SPANS_PER_PART } from '../src/exporter/parts.js';
import { DEFAULT_MAX_ATTRIBUTE_BYTES } from '../src/mapping/attribute-bag.js';
import { isOtelSpanId, isOtelTraceId } from '../src/mapping/ids.js';
import { parseJson } from '../src/mapping/json.js';
import { addNanos, compareHrTime, decimalToNanos, hrTimeToIso, hrTimeToNanosText, isValidHrTime } from '../src/mapping/time.js';
import { isAiSdkKey } from '../src/mapping/to-langfuse-otlp/direct/ai-sdk.js';
import { otlpSpanBytes } from '../src/mapping/to-langfuse-otlp/fit.js';
import { LangfuseOtlpSpan, spansToLangfuseOtlp } from '../src/mapping/to-langfuse-otlp/index.js';
import { OtlpPartsExporter } from './otlp-parts-exporter.js';

const MODEL_CALLS: Readonly<Record<string, string>> = {
  'ai.generateText.doGenerate': 'generation',
  'ai.streamText.doStream': 'generation',
  'ai.embed.doEmbed': 'embedding',
};
const MODEL_KEYS = ['gen_ai.response.model', 'ai.response.model', 'gen_ai.request.model', 'ai.model.id'];
const TRACE_KEYS = ['ai.telemetry.metadata.userId', 'ai.telemetry.metadata.sessionId', 'ai.telemetry.metadata.tags'];

/** Longest text attribute ours takes as it is (3 bytes a UTF-16 unit at most). */
const LONGEST = DEFAULT_MAX_ATTRIBUTE_BYTES / 3;

function parse(text: unknown, checked: boolean): unknown {
  if (typeof text !== 'string') throw new Error('exact floor: a JSON attribute is not a string');
  if (!checked) return JSON.parse(text);
  const parsed = parseJson(text);
  if (!parsed.ok || parsed.droppedKeys > 0) throw new Error('checked floor: JSON ours would report');
  return parsed.value;
}

/** An attribute value ours takes as it is: a finite number, a boolean, text under the cap, or an array of them. */
function checkValue(key: string, v: unknown): void {
  if (typeof v === 'string' ? v.length <= LONGEST : typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (typeof item === 'string' ? item.length > LONGEST : typeof item !== 'boolean' && !(typeof item === 'number' && Number.isFinite(item))) throw new Error(`checked floor: ${key}`);
    }
    return;
  }
  throw new Error(`checked floor: ${key}`);
}

/** The span ids of a call so far, and its last valid trace id (a trace's spans come together). */
interface Seen {
  readonly ids: Set<string>;
  traceId: string;
}

/** The checks of a span's context, times, links, counts and events. */
function checkSpan(span: ReadableSpan, seen: Seen): void {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  if (ctx.traceId !== seen.traceId) {
    if (!isOtelTraceId(ctx.traceId)) throw new Error('checked floor: trace id');
    seen.traceId = ctx.traceId;
  }
  if (!isOtelSpanId(ctx.spanId) || ctx.traceState !== undefined || (parent !== undefined && !isOtelSpanId(parent))) throw new Error('checked floor: ids');
  const { ids } = seen;
  if (ids.has(ctx.spanId)) throw new Error('checked floor: a span id twice');
  ids.add(ctx.spanId);
  const { startTime, endTime } = span;
  if (!isValidHrTime(startTime) || !isValidHrTime(endTime) || endTime[0] < startTime[0] || (endTime[0] === startTime[0] && endTime[1] < startTime[1])) {
    throw new Error('checked floor: times');
  }
  if (span.links.length > 0 || span.droppedAttributesCount !== 0 || span.droppedEventsCount !== 0 || span.droppedLinksCount !== 0) throw new Error('checked floor: links or dropped');
  for (let i = 0; i < span.events.length; i++) {
    const name = (span.events[i] as TimedEvent).name;
    if (name.startsWith('gen_ai.') || name.startsWith('langfuse')) throw new Error('checked floor: an event a reader takes');
  }
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** What one span gives its trace. */
interface Mapped {
  readonly span: ReadableSpan;
  readonly name: string;
  readonly own: Attributes;
}

/** One span's own keys (everything but its trace's), in the order ours writes them. */
function mapSpan(span: ReadableSpan, checked: boolean): Mapped {
  if (span.instrumentationScope.name !== 'ai') throw new Error(`exact floor: scope ${span.instrumentationScope.name} is not the AI SDK's`);
  const a = span.attributes;
  const used = new Set<string>(TRACE_KEYS);
  const take = (key: string): unknown => {
    used.add(key);
    return a[key];
  };
  const op = String(a['ai.operationId']);
  const modelCall = MODEL_CALLS[op];
  const type = modelCall ?? (op === 'ai.toolCall' ? 'tool' : 'span');
  const functionId = a['ai.telemetry.functionId'];
  const name = op === 'ai.toolCall' ? String(a['ai.toolCall.name']) : typeof functionId === 'string' && functionId !== '' ? `${functionId}:${span.name}` : span.name;

  let input: unknown;
  let output: unknown;
  if (op === 'ai.toolCall') {
    input = parse(take('ai.toolCall.args'), checked);
    output = parse(take('ai.toolCall.result'), checked);
  } else if (a['ai.prompt.messages'] !== undefined) {
    const messages = parse(take('ai.prompt.messages'), checked);
    const tools = a['ai.prompt.tools'];
    input = Array.isArray(tools) ? { messages, tools: (take('ai.prompt.tools') as unknown[]).map((t) => parse(t, checked)) } : messages;
  } else if (a['ai.prompt'] !== undefined) input = parse(take('ai.prompt'), checked);
  else if (a['ai.values'] !== undefined) input = (take('ai.values') as unknown[]).map((t) => parse(t, checked));
  else if (a['ai.value'] !== undefined) input = parse(take('ai.value'), checked);
  if (op !== 'ai.toolCall') {
    if (a['ai.response.text'] !== undefined && a['ai.response.toolCalls'] !== undefined) throw new Error('exact floor: text and tool calls together');
    if (a['ai.response.text'] !== undefined) output = take('ai.response.text');
    else if (a['ai.response.toolCalls'] !== undefined) output = parse(take('ai.response.toolCalls'), checked);
  }

  const own: Attributes = { 'langfuse.observation.type': type };
  if (input !== undefined) own['langfuse.observation.input'] = text(input);
  if (output !== undefined) own['langfuse.observation.output'] = text(output);
  if (modelCall !== undefined) {
    const modelKey = MODEL_KEYS.find((k) => typeof a[k] === 'string' && a[k] !== '');
    if (modelKey !== undefined) own['langfuse.observation.model.name'] = String(take(modelKey));
    const parameters: Record<string, unknown> = {};
    let requested = false;
    for (const key in a) {
      if (key.startsWith('gen_ai.request.') && key !== 'gen_ai.request.model') {
        parameters[key.slice(15)] = take(key);
        requested = true;
      }
    }
    if (!requested) for (const key in a) if (key.startsWith('ai.settings.')) parameters[key.slice(12)] = take(key);
    own['langfuse.observation.model.parameters'] = JSON.stringify(parameters);
    let usage: Record<string, unknown>;
    if (a['ai.usage.tokens'] !== undefined) {
      const tokens = take('ai.usage.tokens');
      usage = { total: tokens, input: tokens };
    } else {
      const input = Number(take('gen_ai.usage.input_tokens'));
      const output = Number(take('gen_ai.usage.output_tokens'));
      const total = a['ai.usage.totalTokens'] !== undefined ? take('ai.usage.totalTokens') : input + output;
      usage = { input, output, total };
    }
    own['langfuse.observation.usage_details'] = JSON.stringify(usage);
    const firstChunk = a['ai.response.msToFirstChunk'];
    if (typeof firstChunk === 'number') {
      used.add('ai.response.msToFirstChunk');
      own['langfuse.observation.completion_start_time'] = hrTimeToIso(addNanos(span.startTime, decimalToNanos(firstChunk, 6) as bigint) as HrTime) as string;
    }
  }
  const environment = span.resource.attributes['deployment.environment.name'];
  if (typeof environment === 'string') own['langfuse.environment'] = environment;

  const rest: Record<string, unknown> = {};
  const keys = Object.keys(a).sort();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = a[key];
    if (checked) {
      if (!isAiSdkKey(key)) throw new Error(`checked floor: ${key} is no AI SDK key`);
      if (v !== undefined && v !== null) checkValue(key, v);
    }
    if (!used.has(key) && v !== undefined) rest[key] = v;
  }
  own['langfuse.observation.metadata.attributes'] = JSON.stringify(rest);
  // The OTel facts Langfuse has no field for, as ours writes them.
  if (modelCall !== undefined && span.kind !== 2) own['langfuse.observation.metadata.bridge.span_kind'] = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'][span.kind] as string;
  if (name !== span.name) own['langfuse.observation.metadata.bridge.span_name'] = span.name;
  if (span.startTime[1] % 1_000_000 !== 0) own['langfuse.observation.metadata.bridge.start_time_unix_nano'] = hrTimeToNanosText(span.startTime);
  if (span.endTime[1] % 1_000_000 !== 0) own['langfuse.observation.metadata.bridge.end_time_unix_nano'] = hrTimeToNanosText(span.endTime);
  if (span.events.length > 0) {
    own['langfuse.observation.metadata.bridge.events'] = JSON.stringify(
      span.events.map((e: TimedEvent) => ({
        name: e.name,
        time: hrTimeToIso(e.time),
        ...(e.attributes !== undefined && Object.keys(e.attributes).length > 0 ? { attributes: e.attributes } : {}),
      })),
    );
  }
  return { span, name, own };
}

function byStart(x: Mapped, y: Mapped): number {
  const t = compareHrTime(x.span.startTime, y.span.startTime);
  if (t !== 0) return t;
  const a = x.span.spanContext().spanId;
  const b = y.span.spanContext().spanId;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One part's spans as ours sends them: traces in id order, each trace's spans by start, the trace's
 * keys on every span. `checked`: with the checks of the input (the checked floor).
 */
export function exactFloorSpans(spans: readonly ReadableSpan[], checked = false): LangfuseOtlpSpan[] {
  const traces = new Map<string, Mapped[]>();
  const seen: Seen = { ids: new Set(), traceId: '' };
  for (let i = 0; i < spans.length; i++) {
    if (checked) checkSpan(spans[i] as ReadableSpan, seen);
    const m = mapSpan(spans[i] as ReadableSpan, checked);
    const id = m.span.spanContext().traceId;
    const members = traces.get(id);
    if (members === undefined) traces.set(id, [m]);
    else members.push(m);
  }
  const out: LangfuseOtlpSpan[] = [];
  for (const id of [...traces.keys()].sort()) {
    const members = (traces.get(id) as Mapped[]).sort(byStart);
    const root = members.find((m) => m.span.parentSpanContext === undefined) ?? members[0];
    const first = (root as Mapped).span.attributes;
    const keys: Attributes = { 'langfuse.trace.name': (root as Mapped).name };
    if (first['ai.telemetry.metadata.userId'] !== undefined) keys['user.id'] = first['ai.telemetry.metadata.userId'];
    if (first['ai.telemetry.metadata.sessionId'] !== undefined) keys['session.id'] = first['ai.telemetry.metadata.sessionId'];
    if (first['ai.telemetry.metadata.tags'] !== undefined) keys['langfuse.trace.tags'] = first['ai.telemetry.metadata.tags'];
    for (const m of members) {
      const attributes = m.own;
      for (const key in keys) attributes[key] = keys[key];
      // Langfuse fills absent parameters and usage of AI SDK spans from `ai.*` keys: ours writes empty ones.
      if (attributes['langfuse.observation.model.parameters'] === undefined) attributes['langfuse.observation.model.parameters'] = '{}';
      if (attributes['langfuse.observation.usage_details'] === undefined) attributes['langfuse.observation.usage_details'] = '{}';
      const s = m.span;
      const span = new LangfuseOtlpSpan({
        context: s.spanContext(),
        parentSpanId: s.parentSpanContext?.spanId,
        name: m.name,
        kind: s.kind,
        startTime: s.startTime,
        endTime: s.endTime,
        status: s.status,
        attributes,
        resource: s.resource,
        scope: s.instrumentationScope,
      });
      if (checked) {
        span.bytesBound = otlpSpanBytes(span, false);
        // The exporter's default cap on a span (`maxEventBytes`).
        if (span.bytesBound > DEFAULT_MAX_EVENT_BYTES) throw new Error('checked floor: a span over the cap');
      }
      out.push(span);
    }
  }
  return out;
}

/** What a span sends, for the comparison: everything the encoder writes but the resource and scope objects. */
function sent(s: ReadableSpan): string {
  const ctx = s.spanContext();
  return JSON.stringify([ctx.traceId, ctx.spanId, s.parentSpanContext?.spanId, s.name, s.kind, s.startTime, s.endTime, s.status, Object.entries(s.attributes), s.events, s.links]);
}

/** The checked floor: {@link exactFloorSpans} with the checks of the input. */
export function checkedFloorSpans(spans: readonly ReadableSpan[]): LangfuseOtlpSpan[] {
  return exactFloorSpans(spans, true);
}

/**
 * Throws unless the exact floor and the checked floor send, span for span, what ours sends for
 * these spans; returns how many spans it compared.
 */
export function checkExactFloor(spans: readonly ReadableSpan[]): number {
  let compared = 0;
  for (const part of partsByTrace(spans, SPANS_PER_PART, LAST_PARTS_SPANS)) {
    const ours = spansToLangfuseOtlp(part, { legacyTypes: false }).value.spans;
    for (const floor of [exactFloorSpans(part), checkedFloorSpans(part)]) {
      if (ours.length !== floor.length) throw new Error(`exact floor: ${floor.length} spans, ours ${ours.length}`);
      for (let i = 0; i < ours.length; i++) {
        const a = sent(ours[i] as ReadableSpan);
        const b = sent(floor[i] as ReadableSpan);
        if (a !== b) throw new Error(`exact floor differs from ours:\n ours  ${a}\n floor ${b}`);
      }
    }
    compared += ours.length;
  }
  return compared;
}

/** The floor as an exporter: exactFloorSpans in our parts, encoder and transport. */
export class OtlpExactFloorExporter extends OtlpPartsExporter {
  constructor(options: { baseUrl: string; publicKey: string; secretKey: string }) {
    super(options, (part) => exactFloorSpans(part));
  }
}

/** The checked floor as an exporter. */
export class OtlpCheckedFloorExporter extends OtlpPartsExporter {
  constructor(options: { baseUrl: string; publicKey: string; secretKey: string }) {
    super(options, checkedFloorSpans);
  }
}
