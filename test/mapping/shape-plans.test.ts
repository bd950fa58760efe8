/**
 * The readers decide by the record's shape (its keys, src/mapping/attribute-shape.ts) which keys,
 * sources and rules can give anything, and skip the others. Padded with every key the mapping
 * knows, each with no value, a record's values are the same but its shape has every key: every
 * skip is then off. Both forward mappings must give exactly what they give unpadded: the OTLP
 * output (direct path and general path) and the ingestion output, on the recorded spans of the
 * five instrumentations and on generated spans of every dialect.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AI, GENAI, LF, OI, OTEL, TRACELOOP } from '../../src/mapping/keys.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { DEFAULT_MAX_SPAN_BYTES } from '../../src/mapping/to-langfuse-otlp/index.js';
import { directLangfuseOtlp } from '../../src/mapping/to-langfuse-otlp/direct/spans.js';
import { generalLangfuseOtlp } from '../../src/mapping/to-langfuse-otlp/spans.js';
import { DIALECTS, loadExampleSpans } from '../helpers/examples.js';
import { KEY_POOL, MEANINGFUL, SPAN_SPEC, toSpan } from '../helpers/span-arbitraries.js';

/** Every key of the dialects' tables, each prefix also with an indexed and a plain key under it, and the test pool. */
const KNOWN_KEYS: readonly string[] = [
  ...new Set(
    [LF, OTEL, GENAI, TRACELOOP, OI, AI]
      .flatMap((table): unknown[] => Object.values(table))
      .filter((k): k is string => typeof k === 'string')
      .flatMap((k) => (k.endsWith('.') ? [k, `${k}0.content`, `${k}0.message.role`, `${k}x`] : [k]))
      .concat(KEY_POOL, ['model', 'genkit:name', 'genkit:metadata:subtype', 'logfire.msg', `${AI.metadataPrefix}langfusePrompt`]),
  ),
];

/** The span with every known key it lacks added without a value (a getter-free copy: same values, wider shape). */
function padded(span: ReadableSpan): ReadableSpan {
  let attributes: Record<string, unknown>;
  try {
    attributes = { ...span.attributes };
  } catch {
    return span;
  }
  for (const key of KNOWN_KEYS) if (!Object.hasOwn(attributes, key)) attributes[key] = undefined;
  return Object.create(span as object, { attributes: { value: attributes, enumerable: true } }) as ReadableSpan;
}

/** Everything of a span the OTLP request carries, attribute order included. */
function otlpShape(s: ReadableSpan): unknown {
  const ctx = s.spanContext();
  return [ctx.traceId, ctx.spanId, s.parentSpanContext?.spanId, s.name, s.kind, s.startTime, s.endTime, s.status, Object.entries(s.attributes), s.resource.attributes, s.instrumentationScope];
}

function samePadded(spans: readonly ReadableSpan[], legacyTypes: boolean): void {
  const wide = spans.map(padded);
  const direct = directLangfuseOtlp(spans, { legacyTypes }, DEFAULT_MAX_SPAN_BYTES);
  expect(directLangfuseOtlp(wide, { legacyTypes }, DEFAULT_MAX_SPAN_BYTES)?.map(otlpShape)).toEqual(direct?.map(otlpShape));
  const general = generalLangfuseOtlp(spans, { legacyTypes });
  const generalWide = generalLangfuseOtlp(wide, { legacyTypes });
  expect(generalWide.value.spans.map(otlpShape)).toEqual(general.value.spans.map(otlpShape));
  expect(generalWide.issues).toEqual(general.issues);
  const ingestion = spansToIngestion(spans, { legacyTypes });
  const ingestionWide = spansToIngestion(wide, { legacyTypes });
  // Event ids and timestamps are made per call: the bodies and issues are what the mapping decided.
  expect(ingestionWide.value.map((e) => e.body)).toEqual(ingestion.value.map((e) => e.body));
  expect(ingestionWide.issues).toEqual(ingestion.issues);
}

/** Clean-ish spans (valid ids and times, so most take the direct path) of the keys the readers read. */
const KEYED_SPEC = fc
  .record({
    spec: SPAN_SPEC,
    attributes: fc.dictionary(fc.constantFrom(...KNOWN_KEYS), fc.oneof(MEANINGFUL, fc.integer({ min: -2, max: 5000 }), fc.double({ noNaN: true }), fc.boolean(), fc.array(fc.constantFrom('a', '{"b":1}', '"x"'), { maxLength: 2 })), { maxKeys: 10 }),
    span: fc.constantFrom('00f067aa0ba902b7', '1111111111111111', '2222222222222222'),
  })
  .map(({ spec, attributes, span }) => ({ ...spec, attributes, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: span, startTime: [1_795_550_920, 5], endTime: [1_795_550_921, 7], ended: true, events: [], links: [] }));

describe('records padded with every known key, without values, map as they are', () => {
  test.for(DIALECTS)('%s: the recorded spans', (dialect) => {
    const spans = loadExampleSpans(dialect);
    expect(directLangfuseOtlp(spans.map(padded), {}, DEFAULT_MAX_SPAN_BYTES)).toBeDefined();
    for (const legacyTypes of [false, true]) samePadded(spans, legacyTypes);
  });

  test('property: spans of the keys the readers read, with values that steer them', () => {
    fc.assert(
      fc.property(fc.uniqueArray(KEYED_SPEC, { maxLength: 3, selector: (s) => s.spanId }), fc.boolean(), (specs, legacyTypes) => samePadded(specs.map(toSpan), legacyTypes)),
      { numRuns: 600 },
    );
  });

  test('property: generated spans of every dialect, junk included', () => {
    fc.assert(fc.property(fc.array(SPAN_SPEC, { maxLength: 4 }), fc.boolean(), (specs, legacyTypes) => samePadded(specs.map(toSpan), legacyTypes)), { numRuns: 300 });
  });
});
