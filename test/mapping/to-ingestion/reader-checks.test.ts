/**
 * Readers that first check, by the record's shape, whether they can find anything at all (and are
 * not run where they cannot) against the same readers run without the check: the same value, the
 * same leftovers and the same issues, on the recorded spans and on generated spans of every
 * dialect, junk included.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueSink } from '../../../src/mapping/result.js';
import { readCompletionStart, readPrompt, takeCompletionStart, takePrompt } from '../../../src/mapping/to-ingestion/observation.js';
import type { SpanView } from '../../../src/mapping/to-ingestion/span-view.js';
import { toSpanView } from '../../../src/mapping/to-ingestion/span-view.js';
import { normaliseEnvironment, takeCommonFields } from '../../../src/mapping/to-ingestion/trace-fields.js';
import { DIALECTS, loadExampleSpans } from '../../helpers/examples.js';
import { EVENT, KEY_POOL, MEANINGFUL, SPAN_SPEC, toSpan } from '../../helpers/span-arbitraries.js';
import type { SpanSpec } from '../../helpers/span-arbitraries.js';

type Reader = (view: SpanView, issues: IssueSink) => unknown;

/** What `read` gives and leaves of a fresh view (undefined for a span without one). */
function reading(make: () => SpanView | undefined, read: Reader): unknown {
  const view = make();
  if (view === undefined) return undefined;
  const sink = new IssueSink();
  const value = read(view, sink);
  return { value, leftovers: view.attrs.leftovers(), size: view.attrs.size, issues: sink.issues };
}

/** Each pair: the reader with its check, and the same reading without it. */
const PAIRS: ReadonlyArray<readonly [string, Reader, Reader]> = [
  ['completion start', takeCompletionStart, readCompletionStart],
  ['prompt', (v, s) => takePrompt(v.attrs, s), (v, s) => readPrompt(v.attrs, s)],
];

function sameReadings(make: () => SpanView | undefined): void {
  for (const [, checked, unchecked] of PAIRS) expect(reading(make, checked)).toEqual(reading(make, unchecked));
}

const viewOf = (spec: SpanSpec) => (): SpanView | undefined => toSpanView(toSpan(spec), new IssueSink(), 1_000_000);

/** Spans of the keys these readers read, with values that steer them, and events. */
const KEYED_SPEC = fc
  .record({
    spec: SPAN_SPEC,
    attributes: fc.dictionary(fc.constantFrom(...KEY_POOL, 'langfuse.prompt.name', 'langfuse.prompt.version', 'ai.stream.msToFirstChunk', 'gen_ai.response.time_to_first_chunk'), fc.oneof(MEANINGFUL, fc.integer({ min: -2, max: 5000 }), fc.double()), { maxKeys: 8 }),
    events: fc.array(EVENT, { maxLength: 2 }),
  })
  .map(({ spec, attributes, events }) => ({ ...spec, attributes, events }));

describe('readers checked by shape read what they read unchecked', () => {
  test.for(DIALECTS)('%s: the recorded spans', (dialect) => {
    for (const span of loadExampleSpans(dialect)) sameReadings(() => toSpanView(span, new IssueSink(), 1_000_000));
  });

  test('property: generated spans of every dialect, junk included', () => {
    fc.assert(fc.property(SPAN_SPEC, (spec) => sameReadings(viewOf(spec))), { numRuns: 500 });
  });

  test('property: spans of the keys they read, and events', () => {
    fc.assert(fc.property(KEYED_SPEC, (spec) => sameReadings(viewOf(spec))), { numRuns: 1500 });
  });

  test('property: environment, release and version from the span or else the resource, whichever keys either has', () => {
    const keys = ['langfuse.environment', 'deployment.environment.name', 'deployment.environment', 'langfuse.release', 'langfuse.version', 'service.version', 'other'];
    const record = fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.constantFrom('', 'Prod', 'langfuse-x', 'v1'), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 4 });
    fc.assert(
      fc.property(SPAN_SPEC, record, record, fc.record({ environment: fc.constantFrom('dev', 'LF'), release: fc.constant('r') }, { requiredKeys: [] }), (spec, attributes, resource, defaults) => {
        const view = toSpanView(toSpan({ ...spec, attributes, resource }), new IssueSink(), 1_000_000);
        if (view === undefined) return;
        // The reading as it was: every key in order, the span's value first, then the resource's.
        const first = (names: readonly string[]): string | undefined => {
          for (const name of names) {
            const fromSpan = attributes[name];
            if ((typeof fromSpan === 'string' && fromSpan !== '') || typeof fromSpan === 'number' || typeof fromSpan === 'boolean') return String(fromSpan);
            const fromResource = view.resource[name];
            if ((typeof fromResource === 'string' && fromResource !== '') || typeof fromResource === 'number' || typeof fromResource === 'boolean') return String(fromResource);
          }
          return undefined;
        };
        const env = first(keys.slice(0, 3)) ?? defaults.environment;
        const release = first(['langfuse.release']) ?? defaults.release;
        const version = first(['langfuse.version', 'service.version']);
        const common = takeCommonFields(view.attrs, view.resource, defaults);
        expect(common.environment).toBe(env === undefined ? undefined : normaliseEnvironment(env));
        expect(common.release).toBe(release);
        expect(common.version).toBe(version);
      }),
      { numRuns: 1500 },
    );
  });
});
