/**
 * JSON or OTLP protobuf, by the name when it says (`.json`, `.jsonl`, `.ndjson`; `.pb`, `.bin`,
 * `.protobuf`; `.gz` after any), else by the content: an `ExportTraceServiceRequest` starts with
 * the tag of `resource_spans` (0x0a), a length, then the tag of a ResourceSpans field (0x0a
 * resource, 0x12 scope_spans, 0x1a schema_url), and holds bytes no text has (control bytes: its
 * lengths, ids and fixed64 times). Anything else is read as JSON text, line by line, so a log whose
 * first line is cut loses only that line.
 */

const PROTOBUF_NAME = /\.(pb|bin|protobuf)(\.gz)?$/i;
const JSON_NAME = /\.(json|jsonl|ndjson)(\.gz)?$/i;
const RESOURCE_SPANS_FIELDS: ReadonlySet<number> = new Set([0x0a, 0x12, 0x1a]);

/** Control bytes other than tab, newline and carriage return: never in JSON text. */
function hasControlByte(head: Uint8Array): boolean {
  for (const byte of head) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return true;
  return false;
}

/** The start of a protobuf request: tag 0x0a, a varint length, a ResourceSpans field tag (or nothing: an empty one). */
function startsLikeRequest(head: Uint8Array): boolean {
  if (head[0] !== 0x0a) return false;
  let at = 1;
  let length = 0;
  for (let shift = 0; at < head.length && at <= 5; shift += 7) {
    const byte = head[at++] as number;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return length === 0 || at >= head.length || RESOURCE_SPANS_FIELDS.has(head[at] as number);
  }
  return false;
}

/** True when the input is to be read as OTLP protobuf, false for JSON. */
export function isProtobufInput(path: string, head: Uint8Array): boolean {
  if (PROTOBUF_NAME.test(path)) return true;
  if (JSON_NAME.test(path)) return false;
  return startsLikeRequest(head) && hasControlByte(head);
}

/** True for names that say JSON Lines (one value per line, never one document over many lines). */
export function isJsonLinesName(path: string): boolean {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(path);
}
