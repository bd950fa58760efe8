/**
 * Generated ingestion events for the properties that hold the reverse mapping to its frozen
 * reference (test/helpers/reverse-reference/): the generated batches of the round-trip suite,
 * the recorded batches, the events the forward mapping makes of every recorded dialect (with the
 * OTel facts in their metadata), and odd events that reach every branch of the attribute rules
 * (keys an object orders first or inherits, model parameters two names map to, chat messages,
 * base64 media, long strings, errors, scores on any target, updates without a create, bad values).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { batchArbitrary, formatTime } from '../roundtrip/arbitraries.js';
import { DIALECTS, loadExampleSpans } from './examples.js';
import { recordedEvents } from './spans.js';

type Json = Record<string, unknown>;

const T0 = 1_795_550_980_246_000_000n;
const time = (offsetMillis: number): string => formatTime(T0 + BigInt(offsetMillis) * 1_000_000n, 'ms');

/** Every recorded batch and the forward mapping of every recorded dialect, as events. */
export const RECORDED_EVENTS: readonly Json[][] = [
  ...['litellm-batch.json', 'batches-langfuse-v3.json', 'batches-langfuse-vercel.json'].map((file) => recordedEvents(file)),
  ...DIALECTS.map((d) => spansToIngestion(loadExampleSpans(d)).value as unknown as Json[]),
];

const keyArb = fc.oneof(
  fc.constantFrom('a', 'b', '0', '7', '42', '01', '-1', '4294967294', '4294967295', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'),
  // Keys the GenAI twins use: the sender's own key wins over a twin.
  fc.constantFrom('gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.request.max_tokens', 'gen_ai.usage.input_tokens', 'error.type'),
  fc.stringMatching(/^[a-z_.]{1,8}$/),
);
const attributeValueArb = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }));
const jsonValueArb = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(keyArb, fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null), fc.dictionary(keyArb, fc.integer(), { maxKeys: 2 })), { maxKeys: 4 }),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxLength: 3 }),
);
const BASE64 = `data:image/png;base64,${'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk'.repeat(2)}`;
const textArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(`see ${BASE64} here`, 'é'.repeat(300), 'x'.repeat(700), '{"not": json', '[1,2]', '\u2028\ud800"\\\n') },
);
const chatArb = fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'tool'), content: textArb }), { minLength: 1, maxLength: 3 });
const ioArb = fc.oneof(textArb, jsonValueArb, chatArb, fc.record({ role: fc.constant('assistant'), content: textArb }), fc.constant(''), fc.constant(0), fc.constant(null));
/** OTel facts as the forward mapping writes them into metadata (design.md 5), some of them wrong. */
const factsArb = fc.record(
  {
    attributes: fc.oneof(fc.dictionary(keyArb, attributeValueArb, { maxKeys: 5 }), jsonValueArb),
    resourceAttributes: fc.oneof(fc.dictionary(fc.constantFrom('service.name', 'host.name', '3'), fc.string({ maxLength: 6 }), { maxKeys: 2 }), fc.constant('x')),
    scope: fc.oneof(fc.record({ name: fc.string({ maxLength: 6 }), version: fc.option(fc.string({ maxLength: 3 }), { nil: undefined }) }), fc.constant(3)),
    span_kind: fc.constantFrom('INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER', 'WRONG'),
    span_name: fc.string({ maxLength: 8 }),
    status_code: fc.constantFrom('UNSET', 'OK', 'ERROR', 'NOPE'),
    status_message: fc.string({ maxLength: 8 }),
    trace_state: fc.constantFrom('a=1,b=2', 'vendor=x', 'bad state,,', ''),
    events: fc.oneof(fc.constant([{ name: 'exception', time: time(5), attributes: { 'exception.message': 'boom', '0': 1 } }]), fc.constant([{ name: 'x' }])),
    links: fc.oneof(fc.constant([{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { k: 'v' } }]), fc.constant([{ traceId: 'zz' }])),
    start_time_unix_nano: fc.constantFrom('1795550980246123456', '12', 'x'),
    end_time_unix_nano: fc.constantFrom('1795550980346123456', '99999999999999999999'),
  },
  { requiredKeys: [] },
);
const metadataArb = fc.oneof(
  fc.dictionary(keyArb, jsonValueArb, { maxKeys: 4 }),
  factsArb.map((facts) => {
    const out: Json = {};
    for (const [k, v] of Object.entries(facts)) out[k === 'attributes' || k === 'resourceAttributes' || k === 'scope' ? k : `bridge.${k}`] = v;
    return out;
  }),
  fc.record({ hidden_params: fc.record({ custom_llm_provider: fc.constantFrom('openai', 'azure') }) }),
  jsonValueArb,
);
const modelParametersArb = fc.dictionary(
  fc.constantFrom('temperature', 'top_p', 'topP', 'max_tokens', 'maxTokens', 'max_output_tokens', 'seed', 'stop', 'frequency_penalty', 'other'),
  fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.integer({ min: 0, max: 100 }), fc.string({ maxLength: 5 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }), fc.constant('12')),
  { maxKeys: 5 },
);
const usageDetailsArb = fc.dictionary(
  fc.constantFrom(
    ...['input', 'output', 'total', 'input_cached_tokens', 'input_cache_read', 'cache_read_input_tokens', 'input_cache_creation', 'input_cache_write'],
    ...['cache_creation_input_tokens', 'output_reasoning_tokens', 'output_reasoning', 'input_audio', 'input_', 'inputs', 'output_x', 'outputs', 'toString'],
  ),
  fc.oneof(fc.nat(1000), fc.constant(-1), fc.constant(1.5), fc.constant('7'), fc.constant(' 8 '), fc.constant(2 ** 52 + 1), fc.constant(Number.MAX_SAFE_INTEGER)),
  { maxKeys: 6 },
);
const OBSERVATION_TYPES = ['span', 'generation', 'event', 'agent', 'tool', 'chain', 'retriever', 'evaluator', 'embedding', 'guardrail'] as const;

/** One odd observation (create, and sometimes an update), with fields of every kind. */
const oddObservationArb = fc.record(
  {
    type: fc.constantFrom(...OBSERVATION_TYPES),
    id: fc.constantFrom('o1', 'o2', 'o3', 'aaaaaaaaaaaaaaaa', 'AbCdEf0123456789'),
    parent: fc.constantFrom('o1', 'o2', 'missing', ''),
    name: fc.string({ maxLength: 8 }),
    start: fc.integer({ min: -5, max: 50 }),
    end: fc.option(fc.integer({ min: -5, max: 80 }), { nil: undefined }),
    completionStart: fc.integer({ min: -5, max: 80 }),
    input: ioArb,
    output: ioArb,
    metadata: metadataArb,
    level: fc.constantFrom('DEBUG', 'DEFAULT', 'WARNING', 'ERROR'),
    statusMessage: fc.string({ maxLength: 8 }),
    model: fc.string({ maxLength: 8 }),
    modelParameters: modelParametersArb,
    usageDetails: usageDetailsArb,
    costDetails: fc.dictionary(fc.constantFrom('input', 'output', 'total'), fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant('0.5')), { maxKeys: 3 }),
    usage: fc.oneof(
      fc.record({ input: fc.nat(100), output: fc.nat(100), totalCost: fc.double({ min: 0, max: 1, noNaN: true }) }, { requiredKeys: [] }),
      fc.record({ promptTokens: fc.nat(100), completionTokens: fc.nat(100), totalTokens: fc.nat(200) }, { requiredKeys: [] }),
      fc.dictionary(
        fc.constantFrom('promptTokens', 'completionTokens', 'totalTokens', 'input', 'output', 'total', 'inputCost', 'outputCost', 'totalCost', 'unit'),
        fc.oneof(fc.nat(100), fc.constant(1.5), fc.constant(-2), fc.constant(null)),
        { maxKeys: 6 },
      ),
    ),
    prompt: fc.constantFrom(undefined, { promptName: 'p', promptVersion: 3 }),
    version: fc.string({ maxLength: 4 }),
    environment: fc.constantFrom('default', 'prod'),
    update: fc.constantFrom(undefined, 'update', 'update-only'),
  },
  { requiredKeys: ['type', 'id', 'start'] },
);

function oddEvents(traceId: string, observations: ReadonlyArray<Record<string, unknown>>, trace: Json | undefined, scores: readonly Json[]): Json[] {
  const events: Json[] = [];
  let n = 0;
  const envelope = (type: string, offset: number, body: Json): void => {
    events.push({ id: `odd-${n++}`, type, timestamp: time(offset), body });
  };
  if (trace !== undefined) envelope('trace-create', 0, { id: traceId, timestamp: time(0), ...trace });
  for (const o of observations) {
    const body: Json = { id: o.id, traceId, startTime: time(o.start as number) };
    for (const field of ['name', 'input', 'output', 'metadata', 'level', 'statusMessage', 'model', 'modelParameters', 'usageDetails', 'costDetails', 'usage', 'version', 'environment']) {
      if (o[field] !== undefined) body[field] = o[field];
    }
    if (o.parent !== undefined) body.parentObservationId = o.parent;
    if (o.end !== undefined) body.endTime = time(o.end as number);
    if (o.completionStart !== undefined) body.completionStartTime = time(o.completionStart as number);
    if (o.prompt !== undefined) Object.assign(body, o.prompt);
    const type = o.type as string;
    if (o.update === 'update-only' && (type === 'span' || type === 'generation')) envelope(`${type}-update`, (o.start as number) + 1, body);
    else envelope(`${type}-create`, o.start as number, body);
    if (o.update === 'update' && (type === 'span' || type === 'generation')) envelope(`${type}-update`, (o.start as number) + 2, { id: o.id, traceId, output: 'later', metadata: { later: 1 } });
  }
  for (const s of scores) envelope('score-create', 3, s);
  return events;
}

const scoreArb = fc
  .tuple(
    fc.record(
      {
        id: fc.constantFrom('s1', 's2'),
        name: fc.constant('quality'),
        value: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant('good')),
        comment: fc.string({ maxLength: 5 }),
        metadata: fc.dictionary(keyArb, fc.integer(), { maxKeys: 2 }),
        timestamp: fc.constantFrom(time(4), 'bad'),
      },
      { requiredKeys: ['id', 'name', 'value'] },
    ),
    fc.oneof(
      fc.record({ traceId: fc.constantFrom('trace-odd', 'other-trace'), observationId: fc.constantFrom('o1', 'o2', 'elsewhere') }, { requiredKeys: ['traceId'] }),
      fc.record({ sessionId: fc.constant('sess') }),
    ),
  )
  .map(([score, target]) => ({ ...score, ...target }));

/** Events of one trace with odd fields and values. */
export const oddTraceArb: fc.Arbitrary<Json[]> = fc
  .record({
    observations: fc.array(oddObservationArb, { maxLength: 4 }),
    trace: fc.option(
      fc.record(
        {
          name: fc.string({ maxLength: 8 }),
          userId: fc.string({ maxLength: 4 }),
          sessionId: fc.string({ maxLength: 4 }),
          tags: fc.array(fc.constantFrom('b', 'a', 'a', 'c'), { maxLength: 3 }),
          public: fc.boolean(),
          release: fc.string({ maxLength: 4 }),
          version: fc.string({ maxLength: 4 }),
          environment: fc.constantFrom('default', 'prod'),
          input: ioArb,
          output: ioArb,
          metadata: metadataArb,
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
    scores: fc.array(scoreArb, { maxLength: 2 }),
  })
  .map(({ observations, trace, scores }) => oddEvents('trace-odd', observations, trace, scores));

/** Bad events: wrong values, unknown types, sdk logs. */
const badEventArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.record({ id: fc.string({ maxLength: 4 }), type: fc.constantFrom('sdk-log', 'dataset-run-item-create', 'x', 'span-create'), timestamp: fc.constantFrom(time(1), '1969-01-01T00:00:00Z', 'x'), body: fc.anything({ maxDepth: 2 }) }),
);

/** A whole input: a few traces (generated, odd and recorded), some bad events, shuffled together or not. */
export const reverseInputArb: fc.Arbitrary<unknown[]> = fc
  .tuple(
    fc.array(batchArbitrary, { maxLength: 3 }),
    fc.array(oddTraceArb, { maxLength: 2 }),
    fc.option(fc.constantFrom(...RECORDED_EVENTS), { nil: undefined }),
    fc.array(badEventArb, { maxLength: 2 }),
    fc.boolean(),
  )
  .chain(([batches, odd, recorded, bad, shuffle]) => {
    const all: unknown[] = [...batches.flat(), ...odd.flat(), ...(recorded ?? []), ...bad];
    return shuffle ? fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }) : fc.constant(all);
  });

/** Options of the reverse mapping, every dialect and hygiene setting. */
export const reverseOptionsArb = fc.record(
  {
    attributes: fc.constantFrom('langfuse' as const, 'genai' as const, 'both' as const),
    serviceName: fc.constantFrom('svc'),
    batchMetadata: fc.constantFrom({ sdk_integration: 'litellm', sdk_name: 'python', sdk_version: '2', public_key: 'pk' }, { sdk_name: 'js' }, 'x'),
    maxAttributeBytes: fc.constantFrom(0, 16, 200, 65_536),
    keepBase64: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** Everything an OTLP backend sees of a span, in order (attribute order included), as text. */
export function exactSpanView(s: ReadableSpan): string {
  const ctx = s.spanContext();
  return JSON.stringify({
    name: s.name,
    kind: s.kind,
    ctx: [ctx.traceId, ctx.spanId, ctx.traceFlags, ctx.traceState?.serialize(), ctx.isRemote],
    parent: s.parentSpanContext === undefined ? undefined : [s.parentSpanContext.traceId, s.parentSpanContext.spanId, s.parentSpanContext.traceFlags],
    times: [s.startTime, s.endTime, s.duration, s.ended],
    attributes: Object.entries(s.attributes),
    events: s.events.map((e) => [e.name, e.time, e.attributes === undefined ? undefined : Object.entries(e.attributes), e.droppedAttributesCount]),
    links: s.links.map((l) => [l.context, l.attributes === undefined ? undefined : Object.entries(l.attributes), l.droppedAttributesCount]),
    status: s.status,
    resource: [Object.entries(s.resource.attributes), s.resource.schemaUrl],
    scope: s.instrumentationScope,
    dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
  });
}
