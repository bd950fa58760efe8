/**
 * Copies of recorded ingestion events as distinct traces: what tests and the bench use to grow the
 * recorded batches to any size. Shared test code (the bench imports it from here, never the reverse).
 */

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BODY_ID_FIELDS = ['id', 'traceId', 'parentObservationId', 'observationId'] as const;

/**
 * `copies` copies of `events`, ids rewritten consistently within each copy (envelope ids, trace
 * and observation ids, parents, score targets) so every copy is its own trace; nothing else
 * changes. A UUID keeps its shape (its first 8 hex digits become the copy number), any other id
 * gets the copy number appended, so the mapping takes the same id paths as on the original.
 */
export function replicateEvents(events: readonly Json[], copies: number): Json[] {
  const out: Json[] = [];
  for (let c = 0; c < copies; c++) {
    const tag = (c + 1).toString(16).padStart(8, '0');
    const id = (v: unknown): unknown =>
      typeof v !== 'string' || v === '' ? v : UUID.test(v) ? tag + v.slice(8) : `${v}-${tag}`;
    for (const event of events) {
      const body = isObject(event.body) ? { ...event.body } : event.body;
      if (isObject(body)) for (const field of BODY_ID_FIELDS) if (field in body) body[field] = id(body[field]);
      out.push({ ...event, id: id(event.id), body });
    }
  }
  return out;
}
