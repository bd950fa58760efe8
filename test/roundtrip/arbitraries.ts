/**
 * fast-check arbitraries of ingestion batches over explicit dimensions (the PICT idea of the
 * Collector's golden dataset): observation type x usage shape x IO shape x id style x time
 * precision x root/child x level x arrival order (creates and updates shuffled).
 */
import fc from 'fast-check';

const T0 = 1_795_550_980_246_000_000n; // 2026-11-24T20:09:40.246Z in nanoseconds

type Precision = 'ms' | 'us-offset' | 'ns';

const pad = (n: number | bigint, w: number): string => String(n).padStart(w, '0');

/** An ISO string for `nanos` since the epoch, written the way each kind of client writes it. */
export function formatTime(nanos: bigint, precision: Precision): string {
  const shift = precision === 'us-offset' ? -8n * 3600n * 1_000_000_000n : 0n;
  const local = nanos + shift;
  const date = new Date(Number(local / 1_000_000n));
  const base = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  const frac = pad(local % 1_000_000_000n, 9);
  if (precision === 'ms') return `${base}.${frac.slice(0, 3)}Z`;
  if (precision === 'us-offset') return `${base}.${frac.slice(0, 6)}-08:00`;
  return `${base}.${frac}Z`;
}

const idArb = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{16}$/).filter((s) => !/^0+$/.test(s)),
  fc.uuid(),
  fc.stringMatching(/^[a-zA-Z0-9_:.-]{1,30}$/),
);
const traceIdArb = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{32}$/).filter((s) => !/^0+$/.test(s)),
  fc.uuid(),
  fc.stringMatching(/^[a-zA-Z0-9_:.-]{1,30}$/),
);

const ioArb = fc.oneof(
  fc.constant(undefined),
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { minKeys: 1, maxKeys: 3 }),
  fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: fc.string({ minLength: 1 }) }), {
    minLength: 1,
    maxLength: 3,
  }),
);

const usageArb = fc.oneof(
  fc.constant({}),
  fc.record({ usageDetails: fc.record({ input: fc.nat(1e6), output: fc.nat(1e6) }) }),
  fc.record({
    usageDetails: fc.record({ input: fc.nat(1e6), output: fc.nat(1e6), total: fc.nat(2e6), cache_read_input_tokens: fc.nat(1e3) }),
    costDetails: fc.record({ input: fc.double({ min: 0, max: 1, noNaN: true }), output: fc.double({ min: 0, max: 1, noNaN: true }) }),
  }),
  fc.record({ usage: fc.record({ input: fc.nat(1e6), output: fc.nat(1e6), totalCost: fc.double({ min: 0, max: 1, noNaN: true }) }) }),
);

const levelArb = fc.oneof(
  fc.constant({}),
  fc.record({ level: fc.constantFrom('DEBUG', 'DEFAULT', 'WARNING', 'ERROR'), statusMessage: fc.string({ minLength: 1, maxLength: 20 }) }),
);

const TYPES = ['span', 'generation', 'event', 'agent', 'tool', 'chain', 'retriever', 'evaluator', 'embedding', 'guardrail'] as const;

const observationArb = fc.record({
  id: idArb,
  type: fc.constantFrom(...TYPES),
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
  startOffsetMicros: fc.nat(5_000_000),
  durationNanos: fc.bigInt(0n, 2_000_000_000n),
  precision: fc.constantFrom<Precision>('ms', 'us-offset', 'ns'),
  input: ioArb,
  output: ioArb,
  usage: usageArb,
  level: levelArb,
  model: fc.constantFrom('gpt-4o-mini', 'claude-3-5-haiku'),
  metadata: fc.option(fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.oneof(fc.string({ minLength: 1 }), fc.integer())), { nil: undefined }),
  parentIndex: fc.option(fc.nat(10), { nil: undefined }),
  splitUpdate: fc.boolean(),
});

function envelope(type: string, timestamp: string, body: Record<string, unknown>, n: number): Record<string, unknown> {
  return { id: `evt-${n}`, type, timestamp, body };
}

export const batchArbitrary = fc
  .record({
    traceId: traceIdArb,
    withTrace: fc.boolean(),
    trace: fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
      userId: fc.option(fc.stringMatching(/^user-[0-9]{1,3}$/), { nil: undefined }),
      sessionId: fc.option(fc.stringMatching(/^sess-[0-9]{1,3}$/), { nil: undefined }),
      tags: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,5}$/), { maxLength: 3 }),
      environment: fc.constantFrom('default', 'staging', 'prod-1'),
    }),
    observations: fc.uniqueArray(observationArb, { minLength: 1, maxLength: 5, selector: (o) => o.id }),
    scoreOn: fc.option(fc.nat(10), { nil: undefined }),
  })
  .chain((b) => fc.shuffledSubarray(build(b), { minLength: build(b).length }).map((events) => events));

function build(b: {
  traceId: string;
  withTrace: boolean;
  trace: { name: string; userId: string | undefined; sessionId: string | undefined; tags: string[]; environment: string };
  observations: Array<{
    id: string;
    type: (typeof TYPES)[number];
    name: string;
    startOffsetMicros: number;
    durationNanos: bigint;
    precision: Precision;
    input: unknown;
    output: unknown;
    usage: Record<string, unknown>;
    level: Record<string, unknown>;
    model: string;
    metadata: Record<string, unknown> | undefined;
    parentIndex: number | undefined;
    splitUpdate: boolean;
  }>;
  scoreOn: number | undefined;
}): Array<Record<string, unknown>> {
  let n = 0;
  const events: Array<Record<string, unknown>> = [];
  const t0 = formatTime(T0, 'ms');
  if (b.withTrace) {
    const body: Record<string, unknown> = { id: b.traceId, timestamp: t0, name: b.trace.name, environment: b.trace.environment };
    if (b.trace.userId) body.userId = b.trace.userId;
    if (b.trace.sessionId) body.sessionId = b.trace.sessionId;
    if (b.trace.tags.length > 0) body.tags = b.trace.tags;
    events.push(envelope('trace-create', t0, body, n++));
  }
  b.observations.forEach((o, i) => {
    const start = T0 + BigInt(o.startOffsetMicros) * 1000n + (o.precision === 'ns' ? 123n : 0n);
    const end = start + o.durationNanos;
    const startTime = formatTime(start, o.precision);
    const endTime = formatTime(end, o.precision);
    const carriesModel = o.type !== 'span' && o.type !== 'event';
    const body: Record<string, unknown> = { id: o.id, traceId: b.traceId, name: o.name, startTime, environment: b.trace.environment };
    const parent = o.parentIndex !== undefined && o.parentIndex < i ? b.observations[o.parentIndex] : undefined;
    if (parent) body.parentObservationId = parent.id;
    if (o.input !== undefined) body.input = o.input;
    if (o.metadata) body.metadata = o.metadata;
    Object.assign(body, o.level);
    const late: Record<string, unknown> = {};
    if (o.output !== undefined) late.output = o.output;
    if (o.type !== 'event') late.endTime = endTime;
    if (carriesModel) {
      body.model = o.model;
      Object.assign(late, o.usage);
    }
    const updatable = o.type === 'span' || o.type === 'generation';
    if (updatable && o.splitUpdate) {
      events.push(envelope(`${o.type}-create`, startTime, body, n++));
      events.push(envelope(`${o.type}-update`, endTime, { id: o.id, traceId: b.traceId, ...late }, n++));
    } else {
      events.push(envelope(`${o.type}-create`, startTime, { ...body, ...late }, n++));
    }
  });
  if (b.scoreOn !== undefined) {
    const target = b.observations[b.scoreOn % b.observations.length];
    const body: Record<string, unknown> = { id: `score-${n}`, name: 'quality', value: 0.5, traceId: b.traceId };
    if (b.scoreOn % 2 === 0 && target) body.observationId = target.id;
    events.push(envelope('score-create', t0, body, n++));
  }
  return events;
}
