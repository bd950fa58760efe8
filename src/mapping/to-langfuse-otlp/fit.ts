/**
 * Sizes of spans in an OTLP protobuf request, and the cut that keeps one span under a cap. A span
 * over the cap has its largest input, output or metadata value cut with a marker naming the
 * original length, as the ingestion output cuts an event's largest field: it is still sent, never
 * dropped (Langfuse drops oversized spans itself).
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { truncateUtf8 } from '../attribute-bag.js';
import { utf8Length } from '../json.js';
import { LF } from '../keys.js';
import type { IssueSink } from '../result.js';

/**
 * What a span costs besides its name, status message and attributes: ids, times, kind, flags,
 * counts and the tags and lengths around them (about 70 bytes; rounded up).
 */
const SPAN_OVERHEAD_BYTES = 96;
/** Tags and lengths around one attribute's key and value (at most 12 bytes; rounded up). */
const ATTRIBUTE_OVERHEAD_BYTES = 16;
/** A number or boolean value: a varint or a double. */
const SCALAR_BYTES = 10;

type Measure = (text: string) => number;
/** UTF-8 is at most 3 bytes per UTF-16 unit (a surrogate pair, two units, is 4 bytes). */
const bound: Measure = (text) => text.length * 3;

function valueBytes(value: AttributeValue | undefined, measure: Measure): number {
  if (typeof value === 'string') return measure(value);
  if (!Array.isArray(value)) return SCALAR_BYTES;
  let n = ATTRIBUTE_OVERHEAD_BYTES;
  for (const item of value) n += ATTRIBUTE_OVERHEAD_BYTES + (typeof item === 'string' ? measure(item) : SCALAR_BYTES);
  return n;
}

function attributesBytes(attributes: Attributes, measure: Measure): number {
  let n = 0;
  for (const key in attributes) n += ATTRIBUTE_OVERHEAD_BYTES + measure(key) + valueBytes(attributes[key], measure);
  return n;
}

/** {@link attributesBytes} by {@link bound}, with the common case (a string value) inline: every span's bound is this. */
function attributesBound(attributes: Attributes): number {
  let n = 0;
  for (const key in attributes) {
    const value = attributes[key];
    n += ATTRIBUTE_OVERHEAD_BYTES + 3 * key.length + (typeof value === 'string' ? 3 * value.length : valueBytes(value, bound));
  }
  return n;
}

/**
 * The bytes `span` takes in an OTLP protobuf request (without its resource and scope): exact when
 * `exact`, else an upper bound that costs no pass over the text.
 */
export function otlpSpanBytes(span: ReadableSpan, exact: boolean): number {
  if (!exact) return SPAN_OVERHEAD_BYTES + 3 * span.name.length + 3 * (span.status.message ?? '').length + attributesBound(span.attributes);
  return SPAN_OVERHEAD_BYTES + utf8Length(span.name) + utf8Length(span.status.message ?? '') + attributesBytes(span.attributes, utf8Length);
}

/** Keys whose values may be cut, in the order the Langfuse SDKs cut on ties: input, output, metadata. */
function cuttable(key: string): number {
  if (key === LF.input || key === LF.traceInput) return 0;
  if (key === LF.output || key === LF.traceOutput) return 1;
  if (key.startsWith(LF.metadata) || key.startsWith(LF.traceMetadata)) return 2;
  return -1;
}

/** The largest value that may still be cut: by UTF-8 size, then input before output before metadata. */
function largest(attributes: Attributes, done: ReadonlySet<string>): { key: string; bytes: number } | undefined {
  let best: { key: string; bytes: number; rank: number } | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    const rank = cuttable(key);
    if (rank < 0 || typeof value !== 'string' || done.has(key)) continue;
    const bytes = utf8Length(value);
    if (best === undefined || bytes > best.bytes || (bytes === best.bytes && rank < best.rank)) best = { key, bytes, rank };
  }
  return best;
}

/**
 * Cuts the largest input, output or metadata values of `span`'s attributes (in place) until the
 * span takes at most `maxBytes` (0: no cap), each cut a `TRUNCATED` issue. A span that cannot be
 * made small enough that way goes as it is. Returns an upper bound of the bytes it then takes.
 */
export function fitSpan(span: ReadableSpan, maxBytes: number, issues: IssueSink): number {
  const bound = otlpSpanBytes(span, false);
  if (maxBytes <= 0 || bound <= maxBytes) return bound;
  let bytes = otlpSpanBytes(span, true);
  const attributes = span.attributes;
  const done = new Set<string>();
  while (bytes > maxBytes) {
    const field = largest(attributes, done);
    if (field === undefined) return bytes;
    done.add(field.key);
    const value = attributes[field.key] as string;
    // The marker (with the original length) takes room of its own.
    const marker = utf8Length(truncateUtf8(value, 0));
    const cut = truncateUtf8(value, Math.max(0, field.bytes - (bytes - maxBytes) - marker));
    const cutBytes = utf8Length(cut);
    // A value shorter than the marker would only grow.
    if (cutBytes >= field.bytes) continue;
    attributes[field.key] = cut;
    bytes -= field.bytes - cutBytes;
    issues.add('TRUNCATED', `cut to fit the per-span cap of ${maxBytes} bytes (was ${field.bytes} bytes)`, field.key);
  }
  return bytes;
}
