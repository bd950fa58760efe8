/**
 * The OpenTelemetry environment's resource for the OTLP output of serve and convert:
 * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` through the SDK's env detector, merged under
 * each span's own resource attributes; the merge cache changes no result (property test); the
 * serve target wrapper hands a retried batch on unchanged, so a fan-out sends nothing twice.
 */
import type { Attributes } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { envResource, resourceMerger } from '../../src/config/resource-env.js';
import { withResourceAttributes } from '../../src/cli/serve/resource-target.js';
import { fanOut } from '../../src/receiver/targets/fan-out.js';
import type { ExportBatch, ReceiverTarget } from '../../src/receiver/targets/target.js';
import { spanArb } from '../helpers/span-arbitrary.js';
import { spanView } from '../helpers/spans.js';
import { captureWarnings } from '../helpers/diag-capture.js';

afterEach(() => {
  vi.unstubAllEnvs();
  diag.disable();
});


describe('envResource', () => {
  test('OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES; the rest are attributes, percent-decoded', () => {
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'service.name=from-attributes, deployment.environment.name=prod,team=search%2Cranking,k%3Dv=1');
    vi.stubEnv('OTEL_SERVICE_NAME', 'checkout');
    expect(envResource()).toEqual({
      serviceName: 'checkout',
      attributes: { 'deployment.environment.name': 'prod', team: 'search,ranking', 'k=v': '1' },
    });
    vi.stubEnv('OTEL_SERVICE_NAME', '');
    expect(envResource().serviceName).toBe('from-attributes');
  });

  test('nothing set: no service name, no attributes, no warning', () => {
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', '');
    vi.stubEnv('OTEL_SERVICE_NAME', '');
    const warnings = captureWarnings();
    expect(envResource()).toEqual({ attributes: {} });
    expect(warnings).toEqual([]);
  });

  test('a malformed value is dropped as a whole, as the SDKs do, and the user is warned; OTEL_SERVICE_NAME still counts', () => {
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'team=a,url=http://x?a=b');
    vi.stubEnv('OTEL_SERVICE_NAME', 'svc');
    const warnings = captureWarnings();
    expect(envResource()).toEqual({ serviceName: 'svc', attributes: {} });
    expect(warnings).toEqual([expect.stringContaining('OTEL_RESOURCE_ATTRIBUTES is not a list of key=value pairs')]);
  });
});

const withResource = (span: ReadableSpan, attributes: Attributes): ReadableSpan => ({ ...span, resource: resourceFromAttributes(attributes) });

describe('resourceMerger', () => {
  test("the span's own attributes win; the environment's fill in", () => {
    const span = withResource(fc.sample(spanArb, { numRuns: 1, seed: 1 })[0] as ReadableSpan, { 'service.name': 'litellm', 'langfuse.sdk.name': 'python' });
    const [out] = resourceMerger({ 'langfuse.sdk.name': 'spoofed', 'deployment.environment.name': 'prod' })([span]);
    expect(out?.resource.attributes).toEqual({ 'service.name': 'litellm', 'langfuse.sdk.name': 'python', 'deployment.environment.name': 'prod' });
  });

  test('no attributes: the very spans', () => {
    const spans = fc.sample(spanArb, { numRuns: 3, seed: 2 });
    expect(resourceMerger({})(spans)).toBe(spans);
  });

  test('one merged resource per resource (the cache) gives what a merge per span gives, and changes nothing else', () => {
    const attributes = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()), { maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 8 }), attributes, (spans, env) => {
        const merged = resourceMerger(env)(spans);
        expect(merged).toHaveLength(spans.length);
        merged.forEach((out, i) => {
          const span = spans[i] as ReadableSpan;
          expect(out.resource.attributes).toEqual({ ...env, ...span.resource.attributes });
          expect(spanView({ ...out, resource: span.resource })).toEqual(spanView(span));
        });
        // Spans that shared a resource share the merged one.
        for (const a of merged.keys()) for (const b of merged.keys()) if (spans[a]?.resource === spans[b]?.resource) expect(merged[a]?.resource).toBe(merged[b]?.resource);
      }),
      { numRuns: 100 },
    );
  });
});

describe('withResourceAttributes (serve)', () => {
  test('a retried export is the same batch again: a fan-out behind it sends nothing twice', async () => {
    const received: Array<{ name: string; batch: ExportBatch }> = [];
    const target = (name: string, outcomes: Array<'ok' | 'retryable'>): ReceiverTarget => ({
      description: name,
      async export(batch) {
        received.push({ name, batch });
        return outcomes.shift() === 'retryable' ? { kind: 'retryable', reason: 'down' } : { kind: 'ok' };
      },
      shutdown: async () => undefined,
    });
    const wrapped = withResourceAttributes(fanOut([target('file', ['ok']), target('otlp', ['retryable', 'ok'])]), { 'service.namespace': 'shop' });
    const batch: ExportBatch = { spans: fc.sample(spanArb, { numRuns: 2, seed: 3 }), events: [], route: '' };
    expect((await wrapped.export(batch)).kind).toBe('retryable');
    expect((await wrapped.export(batch)).kind).toBe('ok');
    expect(received.map((r) => r.name)).toEqual(['file', 'otlp', 'otlp']);
    expect(received[2]?.batch).toBe(received[1]?.batch);
    for (const span of received[0]?.batch.spans ?? []) expect(span.resource.attributes['service.namespace']).toBe('shop');
    expect(wrapped.description).toBe('file + otlp');
  });

  test('no attributes: the target itself', () => {
    const target: ReceiverTarget = { description: 't', export: async () => ({ kind: 'ok' }), shutdown: async () => undefined };
    expect(withResourceAttributes(target, {})).toBe(target);
  });
});
