/**
 * The "span dump" format: finished spans as plain JSON (HrTime times, attributes as an object,
 * resource attributes and scope), the shape the recorded fixtures and `examples/spans` use.
 * `spanDumpToReadableSpans` replays such a dump into `ReadableSpan`s.
 */
import type { Attributes, HrTime, Link } from '@opentelemetry/api';
import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import type { MappingResult } from './result.js';
import { IssueSink } from './result.js';
import { ResourcePool, makeReadableSpan } from './readable-span.js';

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

/** Replays one validated dump entry as a ReadableSpan. */
function toReadableSpan(d: z.output<typeof spanDumpSchema>, resources: ResourcePool): ReadableSpan {
  return makeReadableSpan({
    name: d.name,
    kind: d.kind,
    traceId: d.traceId,
    spanId: d.spanId,
    parentSpanId: d.parentSpanId,
    traceFlags: d.traceFlags,
    traceState: d.traceState,
    startTime: d.startTime as HrTime,
    endTime: d.endTime as HrTime,
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
    status: d.status.message === undefined ? { code: d.status.code } : { code: d.status.code, message: d.status.message },
    resource: resources.get(d.resource as Attributes),
    scope: d.scope,
  });
}

/** Validates each entry on its own: a bad entry is an issue, the others are replayed. */
export function spanDumpToReadableSpans(input: unknown): MappingResult<ReadableSpan[]> {
  const sink = new IssueSink();
  const items = Array.isArray(input) ? input : [input];
  const spans: ReadableSpan[] = [];
  const resources = new ResourcePool();
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
