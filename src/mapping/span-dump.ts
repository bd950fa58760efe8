/**
 * The "span dump" format: finished spans as plain JSON (HrTime times, attributes as an object,
 * resource attributes and scope), the shape the recorded fixtures and `examples/spans` use.
 * `spanDumpToReadableSpans` replays such a dump into `ReadableSpan`s.
 */
import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api';
import { TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import type { MappingResult } from './result.js';
import { IssueSink } from './result.js';

const hrTime = z.tuple([z.number(), z.number()]);
const attributes = z.record(z.string(), z.unknown());

const spanDumpSchema = z.object({
  name: z.string(),
  kind: z.number().int().min(0).max(4).default(0),
  traceId: z.string(),
  spanId: z.string(),
  traceFlags: z.number().int().default(TraceFlags.SAMPLED),
  traceState: z.string().optional(),
  parentSpanId: z.string().optional(),
  startTime: hrTime,
  endTime: hrTime,
  attributes: attributes.default({}),
  events: z
    .array(z.object({ name: z.string(), time: hrTime, attributes: attributes.optional() }))
    .default([]),
  links: z
    .array(
      z.object({
        context: z.object({ traceId: z.string(), spanId: z.string(), traceFlags: z.number().int().optional() }),
        attributes: attributes.optional(),
      }),
    )
    .default([]),
  status: z.object({ code: z.number().int().min(0).max(2), message: z.string().optional() }).default({ code: 0 }),
  resource: attributes.default({}),
  scope: z.object({ name: z.string(), version: z.string().optional() }).default({ name: '' }),
});

export type SpanDump = z.input<typeof spanDumpSchema>;

/** Spans of one SDK share one Resource; entries with equal resource attributes do too. */
function sharedResource(attributes: Record<string, unknown>, resources: Map<string, Resource>): Resource {
  const key = JSON.stringify(attributes);
  let resource = resources.get(key);
  if (resource === undefined) resources.set(key, (resource = resourceFromAttributes(attributes as Attributes)));
  return resource;
}

/** Replays one validated dump entry as a ReadableSpan of sdk-trace-base 2.x shape. */
function toReadableSpan(d: z.output<typeof spanDumpSchema>, resources: Map<string, Resource>): ReadableSpan {
  const context: SpanContext = { traceId: d.traceId, spanId: d.spanId, traceFlags: d.traceFlags };
  if (d.traceState !== undefined && d.traceState !== '') context.traceState = new TraceState(d.traceState);
  const parentSpanContext: SpanContext | undefined =
    d.parentSpanId === undefined ? undefined : { traceId: d.traceId, spanId: d.parentSpanId, traceFlags: d.traceFlags };
  const startTime = d.startTime as HrTime;
  const endTime = d.endTime as HrTime;
  const durationNanos = (BigInt(endTime[0]) - BigInt(startTime[0])) * 1_000_000_000n + BigInt(endTime[1] - startTime[1]);
  const duration: HrTime = [Number(durationNanos / 1_000_000_000n), Number(durationNanos % 1_000_000_000n)];
  return {
    name: d.name,
    kind: d.kind,
    spanContext: () => context,
    parentSpanContext,
    startTime,
    endTime,
    duration,
    ended: true,
    status: d.status.message === undefined ? { code: d.status.code } : { code: d.status.code, message: d.status.message },
    attributes: d.attributes as Attributes,
    links: d.links.map((l): Link => ({
      context: { traceId: l.context.traceId, spanId: l.context.spanId, traceFlags: l.context.traceFlags ?? 0 },
      ...(l.attributes ? { attributes: l.attributes as Attributes } : {}),
    })),
    events: d.events.map((e): TimedEvent => ({
      name: e.name,
      time: e.time as HrTime,
      ...(e.attributes ? { attributes: e.attributes as Attributes } : {}),
    })),
    resource: sharedResource(d.resource, resources),
    instrumentationScope: d.scope.version === undefined ? { name: d.scope.name } : { name: d.scope.name, version: d.scope.version },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Validates each entry on its own: a bad entry is an issue, the others are replayed. */
export function spanDumpToReadableSpans(input: unknown): MappingResult<ReadableSpan[]> {
  const sink = new IssueSink();
  const items = Array.isArray(input) ? input : [input];
  const spans: ReadableSpan[] = [];
  const resources = new Map<string, Resource>();
  items.forEach((item, i) => {
    const parsed = spanDumpSchema.safeParse(item);
    if (!parsed.success) {
      const spanId = (item as { spanId?: unknown } | null)?.spanId;
      sink
        .forItem(typeof spanId === 'string' ? { spanId } : {})
        .add('SKIPPED', `span dump entry ${i} is invalid: ${z.prettifyError(parsed.error).slice(0, 300)}`, `[${i}]`);
      return;
    }
    spans.push(toReadableSpan(parsed.data, resources));
  });
  return { value: spans, issues: sink.issues };
}
