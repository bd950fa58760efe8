/**
 * Reference converters for the convert bench, each a script for a child process of plain node
 * (`node --input-type=module -e SCRIPT input output`), reading and writing as the baseline does:
 *
 * - formatFloorScript: the least any converter of ingestion events to OTLP/JSON with Langfuse's
 *   keys must do, the format alone. Each line is parsed; each event becomes one span whose body
 *   fields are `langfuse.observation.*` attributes holding JSON text (metadata: one attribute per
 *   key), as OTLP needs; each line's spans are one request, written by one `JSON.stringify`. No
 *   validation, no merge. With `steps`, the two per-span steps no exact converter can skip, in
 *   their plainest form: ids by SHA-256 (design.md §3; without: the ids as they come) and ISO
 *   times to nanoseconds (without: a fixed time).
 * - PLAIN_CONVERTER_SCRIPT: the format floor with both steps, plus the merge: each trace's events
 *   held until 10,000 events came after its last (the default idle window: a generation's update
 *   comes thousands of events after its create) and merged per observation (`Object.assign`), the
 *   trace as a root span, requests of 2,048 spans. Still none of the merge rules, validation,
 *   trace fields, resources or dialects of `convert`.
 *
 * They tell how much of the baseline's speed the output's format, its ids and times, and the merge
 * window leave to a converter.
 */

/** What every reference converter shares: reading lines, spans of JSON-text attributes, ids, times, writing. */
const COMMON = `
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { hash } from 'node:crypto';
const [input, output] = process.argv.slice(1);
const out = createWriteStream(output, { highWaterMark: 1 << 20 });
const PREFIX = 'langfuse.observation.';
function attributes(body) {
  const list = [];
  for (const k in body) {
    const v = body[k];
    if (v === undefined || v === null) continue;
    if (k === 'metadata' && typeof v === 'object' && !Array.isArray(v)) {
      for (const m in v) if (v[m] !== undefined) list.push({ key: PREFIX + 'metadata.' + m, value: { stringValue: typeof v[m] === 'string' ? v[m] : JSON.stringify(v[m]) } });
    } else list.push({ key: PREFIX + k, value: { stringValue: typeof v === 'string' ? v : JSON.stringify(v) } });
  }
  return list;
}
function span(traceId, spanId, parentSpanId, name, start, end, body) {
  const s = { traceId, spanId, name, kind: 1, startTimeUnixNano: start, endTimeUnixNano: end, attributes: attributes(body), droppedAttributesCount: 0, events: [], droppedEventsCount: 0, status: { code: 0 }, links: [], droppedLinksCount: 0, flags: 257 };
  if (parentSpanId !== undefined) s.parentSpanId = parentSpanId;
  return s;
}
const REQUEST_HEAD = '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"litellm"}}],"droppedAttributesCount":0},"scopeSpans":[{"scope":{"name":"floor"},"spans":[';
const REQUEST_TAIL = ']}]}]}\\n';
let rest = '';
async function eachLine(onLine) {
  for await (const chunk of createReadStream(input, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + chunk).split('\\n');
    rest = lines.pop();
    let text = '';
    for (const line of lines) if (line !== '') text += onLine(JSON.parse(line));
    if (text !== '' && !out.write(text)) await once(out, 'drain');
  }
  if (rest !== '') out.write(onLine(JSON.parse(rest)));
}
const id = (prefix, text, hexChars) => hash('sha256', prefix + text, 'hex').slice(0, hexChars);
function nanos(iso) {
  if (typeof iso !== 'string') return '0';
  const ms = Date.parse(iso);
  const fraction = /\\.(\\d+)/.exec(iso);
  const digits = fraction === null ? '' : fraction[1];
  return String(Math.floor(ms / 1000)) + (digits + '000000000').slice(0, 9);
}
async function finish(text) {
  out.end(text);
  await once(out, 'finish');
}
`;

/** The format floor; with `steps`, span and trace ids by SHA-256 and times in nanoseconds too. */
export function formatFloorScript(steps: boolean): string {
  const spanOf = steps
    ? `(e) => {
    const body = e.body;
    const trace = e.type === 'trace-create';
    const traceId = String(trace ? body.id : body.traceId);
    const spanId = trace ? id('langfuse.trace-root:', traceId, 16) : id('langfuse.observation:', String(body.id), 16);
    const start = nanos(trace ? body.timestamp : body.startTime);
    return span(id('langfuse.trace:', traceId, 32), spanId, undefined, String(body.name ?? e.type), start, trace ? start : nanos(body.endTime ?? body.startTime), body);
  }`
    : `(e) => span(String(e.body.traceId ?? e.body.id), String(e.body.id), undefined, String(e.body.name ?? e.type), TIME, TIME, e.body)`;
  return `${COMMON}
const TIME = '1738887807257129000';
const spanOf = ${spanOf};
await eachLine((doc) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'litellm' } }], droppedAttributesCount: 0 }, scopeSpans: [{ scope: { name: 'floor' }, spans: doc.batch.map(spanOf) }] }] }) + '\\n');
await finish('');
`;
}

export const PLAIN_CONVERTER_SCRIPT = `${COMMON}
const IDLE_EVENTS = 10000;
const MAX_SPANS = 2048;
/** Open traces by id, in order of their last event (a trace seen again moves to the end). */
const open = new Map();
let events = 0;
let pending = '';
let spans = 0;
function add(s) {
  pending += (spans === 0 ? '' : ',') + JSON.stringify(s);
  if (++spans < MAX_SPANS) return '';
  const request = REQUEST_HEAD + pending + REQUEST_TAIL;
  pending = '';
  spans = 0;
  return request;
}
function close(traceId, trace) {
  const traceHex = id('langfuse.trace:', traceId, 32);
  const root = id('langfuse.trace-root:', traceId, 16);
  let traceBody;
  const observations = new Map();
  for (const e of trace.events) {
    if (e.type === 'trace-create') traceBody = Object.assign(traceBody ?? {}, e.body);
    else observations.set(e.body.id, Object.assign(observations.get(e.body.id) ?? {}, e.body));
  }
  let text = '';
  if (traceBody !== undefined) text += add(span(traceHex, root, undefined, String(traceBody.name), nanos(traceBody.timestamp), nanos(traceBody.timestamp), traceBody));
  for (const b of observations.values()) {
    text += add(span(traceHex, id('langfuse.observation:', String(b.id), 16), root, String(b.name), nanos(b.startTime), nanos(b.endTime ?? b.startTime), b));
  }
  return text;
}
await eachLine((doc) => {
  for (const e of doc.batch) {
    events++;
    const traceId = e.type === 'trace-create' ? e.body.id : e.body.traceId;
    const trace = open.get(traceId) ?? { last: 0, events: [] };
    open.delete(traceId);
    trace.last = events;
    trace.events.push(e);
    open.set(traceId, trace);
  }
  let text = '';
  for (const [traceId, trace] of open) {
    if (events - trace.last < IDLE_EVENTS) break;
    open.delete(traceId);
    text += close(traceId, trace);
  }
  return text;
});
let text = '';
for (const [traceId, trace] of open) text += close(traceId, trace);
await finish(spans === 0 ? text : text + REQUEST_HEAD + pending + REQUEST_TAIL);
`;
