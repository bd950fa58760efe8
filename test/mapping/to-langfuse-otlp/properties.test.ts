/**
 * Properties of spansToLangfuseOtlp over arbitrary span-like objects (every dialect's keys, junk
 * values, bad ids and times): it never throws, every span it makes carries ids Langfuse accepts
 * (its OTLP endpoint, faked, stores the stock encoding of them whole), the same input always
 * gives the same spans, every span of a trace carries the same trace keys, and the size bound
 * each span carries is an upper bound; the cut keeps a span under its cap.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueSink } from '../../../src/mapping/result.js';
import { fitSpan } from '../../../src/mapping/to-langfuse-otlp/fit.js';
import { LangfuseOtlpSpan, spansToLangfuseOtlp } from '../../../src/mapping/to-langfuse-otlp/index.js';
import { otlpVerdict } from '../../helpers/fake-langfuse-otlp.js';
import { encodeWithStockSerializer } from '../../helpers/otlp-proto.js';
import { SPAN_SPEC, toSpan } from '../../helpers/span-arbitraries.js';
import { span } from '../to-ingestion/build.js';

const RUNS = { numRuns: 250 };
const TRACE_KEY = /^(langfuse\.trace\.|langfuse\.release$|user\.id$|session\.id$)/;

function traceKeys(s: ReadableSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.attributes)) if (TRACE_KEY.test(k) && k !== 'langfuse.trace.input' && k !== 'langfuse.trace.output' && k !== 'langfuse.trace.id') out[k] = v;
  return out;
}

describe('spansToLangfuseOtlp over arbitrary spans', () => {
  test('never throws; ids Langfuse accepts; deterministic; one set of trace keys per trace', () => {
    fc.assert(
      fc.property(fc.array(SPAN_SPEC, { maxLength: 8 }), fc.boolean(), (specs, legacyTypes) => {
        const { value, issues } = spansToLangfuseOtlp(specs.map(toSpan), { legacyTypes });
        for (const issue of issues) expect(typeof issue.code).toBe('string');
        const byTrace = new Map<string, Record<string, unknown>>();
        for (const s of value.spans) {
          const ctx = s.spanContext();
          expect(ctx.traceId).toMatch(/^(?!0{32}$)[0-9a-f]{32}$/);
          expect(ctx.spanId).toMatch(/^(?!0{16}$)[0-9a-f]{16}$/);
          if (s.parentSpanContext !== undefined) expect(s.parentSpanContext.spanId).toMatch(/^(?!0{16}$)[0-9a-f]{16}$/);
          const keys = traceKeys(s);
          const first = byTrace.get(ctx.traceId);
          if (first === undefined) byTrace.set(ctx.traceId, keys);
          else expect(keys).toEqual(first);
        }
        if (value.spans.length > 0) {
          const verdict = otlpVerdict({ 'content-type': 'application/x-protobuf', 'x-langfuse-ingestion-version': '4' }, Buffer.from(encodeWithStockSerializer(value.spans)));
          expect(verdict.status).toBe(200);
          expect(verdict.spans).toHaveLength(value.spans.length);
        }
        const again = spansToLangfuseOtlp(specs.map(toSpan), { legacyTypes });
        expect(again.value.spans.map((s) => [s.spanContext(), s.parentSpanContext?.spanId, s.name, s.attributes])).toEqual(
          value.spans.map((s) => [s.spanContext(), s.parentSpanContext?.spanId, s.name, s.attributes]),
        );
      }),
      RUNS,
    );
  });

  test('the size bound a span carries is an upper bound of what it takes in a request', () => {
    fc.assert(
      fc.property(fc.array(SPAN_SPEC, { maxLength: 6 }), (specs) => {
        for (const s of spansToLangfuseOtlp(specs.map(toSpan)).value.spans) {
          const bare = Object.assign(Object.create(Object.getPrototypeOf(s) as object) as object, s, { attributes: {}, name: '', status: { code: 0 } }) as ReadableSpan;
          const envelope = encodeWithStockSerializer([bare]).length;
          expect(s).toBeInstanceOf(LangfuseOtlpSpan);
          expect(encodeWithStockSerializer([s]).length).toBeLessThanOrEqual((s as LangfuseOtlpSpan).bytesBound + envelope);
        }
      }),
      RUNS,
    );
  });
});

describe('fitSpan', () => {
  const CUTTABLE = ['langfuse.observation.input', 'langfuse.observation.output', 'langfuse.trace.input', 'langfuse.observation.metadata.attributes', 'langfuse.trace.metadata.k'];
  const text = fc.oneof(fc.string({ maxLength: 3000 }), fc.string({ unit: 'grapheme', maxLength: 2000 }), fc.integer({ min: 0, max: 40_000 }).map((n) => 'é'.repeat(n)));
  const ATTRS = fc.record({
    cut: fc.dictionary(fc.constantFrom(...CUTTABLE), text, { maxKeys: 5 }),
    kept: fc.dictionary(fc.constantFrom('langfuse.observation.type', 'langfuse.observation.model.name', 'user.id'), fc.string({ maxLength: 200 }), { maxKeys: 3 }),
  });

  test('property: a span over the cap is cut to fit, only where allowed, each cut a prefix and a marker', () => {
    fc.assert(
      fc.property(ATTRS, fc.integer({ min: 300, max: 60_000 }), ({ cut, kept }, cap) => {
        const [s] = spansToLangfuseOtlp([span({ name: 'n' })]).value.spans;
        const attributes = { ...kept, ...cut } as Attributes;
        const target = Object.assign(Object.create(Object.getPrototypeOf(s) as object) as object, s, { attributes: { ...attributes } }) as ReadableSpan;
        const bare = Object.assign(Object.create(Object.getPrototypeOf(s) as object) as object, s, { attributes: {}, name: '', status: { code: 0 } }) as ReadableSpan;
        const issues = new IssueSink();
        fitSpan(target, cap, issues);
        // Measured by the stock encoder, not by our own count.
        const taken = encodeWithStockSerializer([target]).length - encodeWithStockSerializer([bare]).length;
        const cutKeys = issues.issues.map((i) => i.path);
        for (const [key, value] of Object.entries(target.attributes)) {
          const original = attributes[key] as string;
          if (!cutKeys.includes(key)) {
            expect(value).toBe(original);
            continue;
          }
          expect(CUTTABLE).toContain(key);
          const marker = `...[truncated by otel-langfuse-bridge, original length ${Buffer.byteLength(original)} bytes]`;
          expect(String(value).endsWith(marker)).toBe(true);
          expect(original.startsWith(String(value).slice(0, -marker.length))).toBe(true);
        }
        // Fits, unless what is left uncut could not shrink: no longer than its own marker.
        if (taken > cap) {
          for (const [key, value] of Object.entries(cut)) {
            if (cutKeys.includes(key)) continue;
            const bytes = Buffer.byteLength(value);
            expect(bytes).toBeLessThanOrEqual(Buffer.byteLength(`...[truncated by otel-langfuse-bridge, original length ${bytes} bytes]`));
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
