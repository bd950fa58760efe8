/**
 * Splits one export's events into ingestion requests under Langfuse's size limits: 3.5 MB per
 * request (`langfuse-ingestion.md` §4.2) and about 1 MB per event, the cap the Langfuse SDKs apply
 * (peers.md §3.2). An oversized event is cut, never dropped.
 */
import { truncateUtf8 } from '../mapping/attribute-bag.js';
import type { IngestionEvent } from '../mapping/schema.js';

/** UTF-8 size of a string, natively (a JS loop over the characters costs more than the JSON.stringify that made it). */
function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Default cap on one event's JSON, in UTF-8 bytes (1 MB, as the Langfuse SDKs). */
export const DEFAULT_MAX_EVENT_BYTES = 1_000_000;
/** Default cap on one request body, in UTF-8 bytes (3.5 MB, Langfuse's documented batch limit). */
export const DEFAULT_MAX_BATCH_BYTES = 3_500_000;
/** Bytes reserved per request for `{"batch":[...],"metadata":{...}}` around the events (4 KiB). */
export const DEFAULT_WRAPPER_BYTES = 4096;

/** Size limits for {@link splitIntoRequests}, in UTF-8 bytes of JSON. */
export interface SplitLimits {
  /** Cap on one request body, wrapper included; an event bigger than that still goes alone. */
  readonly maxBatchBytes: number;
  /** Cap on one event; bigger events get their largest input/output/metadata truncated. */
  readonly maxEventBytes: number;
  /** Bytes reserved for the request wrapper and its metadata; default {@link DEFAULT_WRAPPER_BYTES}. */
  readonly wrapperBytes?: number;
}

/** One field cut to make an event fit: envelope id, field path (`body.input`) and its size before. */
export interface TruncatedField {
  readonly id: string;
  readonly field: string;
  readonly fromBytes: number;
}

export interface SplitResult {
  /** Requests in input order; each holds at least one event. */
  readonly requests: IngestionEvent[][];
  /**
   * Per request, its events' JSON in pieces, for the body: each piece is the JSON texts of
   * consecutive events joined by commas, so `[${pieces.join(',')}]` is `JSON.stringify(request)`.
   */
  readonly pieces: string[][];
  readonly truncated: TruncatedField[];
}

/**
 * Events serialised together in the common case. Their text stays well under 128 KiB, the size
 * from which V8 gives a string pages of its own, which made writing a part's text in one piece
 * (about 150 KB) cost half as much again as serialising it.
 */
const EVENTS_PER_PIECE = 32;

// Largest first, in this order on ties: what the Langfuse SDKs truncate.
const FIELDS = ['input', 'output', 'metadata'] as const;
type Field = (typeof FIELDS)[number];

/**
 * Truncates oversized events, then packs events greedily, in order, into requests whose JSON
 * stays under `maxBatchBytes`. Input events are not modified; truncated ones are copies. Each
 * event is serialised once; the texts come back with the requests to build the bodies from.
 */
export function splitIntoRequests(events: readonly IngestionEvent[], limits: SplitLimits): SplitResult {
  if (events.length === 0) return { requests: [], pieces: [], truncated: [] };
  const wrapper = limits.wrapperBytes ?? DEFAULT_WRAPPER_BYTES;
  // The common case: all of it is under both caps, so each event is too: one request.
  const cap = Math.min(limits.maxEventBytes, limits.maxBatchBytes - wrapper);
  const whole = piecesWithin(events, cap);
  if (whole !== undefined) return { requests: [[...events]], pieces: [whole], truncated: [] };
  const truncated: TruncatedField[] = [];
  const requests: IngestionEvent[][] = [];
  const pieces: string[][] = [];
  let current: IngestionEvent[] = [];
  let currentTexts: string[] = [];
  let currentBytes = wrapper;
  for (const original of events) {
    let event = original;
    let text = JSON.stringify(event);
    let bytes = utf8Length(text);
    if (bytes > limits.maxEventBytes) {
      ({ event, bytes } = fitEvent(event, bytes, limits.maxEventBytes, truncated));
      if (event !== original) text = JSON.stringify(event);
    }
    // +1 for the comma between events.
    if (current.length > 0 && currentBytes + bytes + 1 > limits.maxBatchBytes) {
      requests.push(current);
      pieces.push(currentTexts);
      current = [];
      currentTexts = [];
      currentBytes = wrapper;
    }
    current.push(event);
    currentTexts.push(text);
    currentBytes += bytes + 1;
  }
  requests.push(current);
  pieces.push(currentTexts);
  return { requests, pieces, truncated };
}

/**
 * The events' JSON in pieces of {@link EVENTS_PER_PIECE}, when `[${pieces.join(',')}]` is at
 * most `maxBytes` in UTF-8; else undefined, as soon as its UTF-16 length alone proves it is not.
 */
function piecesWithin(events: readonly IngestionEvent[], maxBytes: number): string[] | undefined {
  const out: string[] = [];
  // The brackets and the commas between pieces, then the pieces.
  let length = 1;
  for (let i = 0; i < events.length; i += EVENTS_PER_PIECE) {
    const group = events.length <= EVENTS_PER_PIECE ? events : events.slice(i, i + EVENTS_PER_PIECE);
    // Without the array's brackets; a slice of a flat string is not copied.
    const text = JSON.stringify(group).slice(1, -1);
    out.push(text);
    length += text.length + 1;
    if (length > maxBytes) return undefined;
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, two units, is 4): measure only when in doubt.
  if (length * 3 <= maxBytes) return out;
  let bytes = out.length + 1;
  for (const piece of out) bytes += utf8Length(piece);
  return bytes <= maxBytes ? out : undefined;
}

/**
 * The text of a request body `{ batch, metadata }` in parts, from the batch's pieces (as the split
 * makes them) and the metadata's JSON: joined, exactly `JSON.stringify({ batch, metadata })`.
 */
export function requestBodyParts(batchPieces: readonly string[], metadataJson: string): string[] {
  const parts = ['{"batch":['];
  batchPieces.forEach((piece, i) => (i === 0 ? parts.push(piece) : parts.push(',', piece)));
  parts.push('],"metadata":', metadataJson, '}');
  return parts;
}

function fitEvent(
  event: IngestionEvent,
  bytes: number,
  maxBytes: number,
  truncated: TruncatedField[],
): { event: IngestionEvent; bytes: number } {
  const done = new Set<Field>();
  while (bytes > maxBytes) {
    const field = largestField(event, done);
    if (field === undefined) break; // nothing left to cut: the event goes as it is
    done.add(field.name);
    const text = typeof field.value === 'string' ? field.value : JSON.stringify(field.value);
    // Escaping can make the cut text take more room than its own bytes: shrink until it fits.
    let budget = Math.max(0, utf8Length(text) - (bytes - maxBytes));
    let cut = event;
    let cutBytes = bytes;
    for (let attempt = 0; attempt < 8; attempt++) {
      cut = withField(event, field.name, truncateUtf8(text, budget));
      cutBytes = jsonBytes(cut);
      if (cutBytes <= maxBytes || budget === 0) break;
      budget = attempt === 6 ? 0 : Math.max(0, budget - (cutBytes - maxBytes));
    }
    // A field shorter than the marker would only grow.
    if (cutBytes >= bytes) continue;
    truncated.push({ id: event.id, field: `body.${field.name}`, fromBytes: field.bytes });
    event = cut;
    bytes = cutBytes;
  }
  return { event, bytes };
}

function largestField(
  event: IngestionEvent,
  done: ReadonlySet<Field>,
): { name: Field; value: unknown; bytes: number } | undefined {
  const body = event.body as Record<string, unknown>;
  let best: { name: Field; value: unknown; bytes: number } | undefined;
  for (const name of FIELDS) {
    const value = body[name];
    if (done.has(name) || value === undefined || value === null) continue;
    const bytes = jsonBytes(value);
    if (best === undefined || bytes > best.bytes) best = { name, value, bytes };
  }
  return best;
}

function withField(event: IngestionEvent, name: Field, value: string): IngestionEvent {
  return { ...event, body: { ...event.body, [name]: value } } as IngestionEvent;
}

function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? '');
}
