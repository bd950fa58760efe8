/**
 * Lines of JSON text into documents: one per line (JSON Lines), or one document spread over many
 * lines (pretty-printed JSON) when the first line opens one and the name does not say JSON Lines.
 * A line that does not parse, or is over the cap, costs only itself.
 */
import { isPlainObject } from '../../mapping/json.js';
import { lineText } from './lines.js';
import type { Line } from './lines.js';

/** A line with its text decoded. */
type TextLine = { readonly lineNo: number; readonly text: string } | { readonly lineNo: number; readonly tooLong: number };

const decoded = (line: Line): TextLine => ('bytes' in line ? { lineNo: line.lineNo, text: lineText(line) } : line);

/** A parsed document, or why a line gave none, named `<input>:<line>` (or `<input>` for a whole document). */
export type Document = { readonly where: string; readonly json: unknown } | { readonly where: string; readonly error: string };

/**
 * A first line that opens a document spread over lines, as pretty-printed JSON does (`{`, `[`,
 * `{"batch": [`), not a JSON line cut short (`{"batch":[{"id":"x","ty`).
 */
function opensDocument(line: string): boolean {
  const t = line.trim();
  return (t.startsWith('{') || t.startsWith('[')) && /[[{,:]$/.test(t);
}

function parseLine(name: string, line: TextLine, maxLineBytes: number): Document | undefined {
  const where = `${name}:${line.lineNo}`;
  if ('tooLong' in line) return { where, error: `line ${line.lineNo} has ${line.tooLong} bytes, over the cap of ${maxLineBytes}; skipped` };
  const text = line.lineNo === 1 && line.text.startsWith('\uFEFF') ? line.text.slice(1) : line.text; // a byte order mark
  if (text.trim() === '') return undefined;
  try {
    return { where, json: JSON.parse(text) as unknown };
  } catch {
    return { where, error: `line ${line.lineNo} is not JSON` };
  }
}

/**
 * The documents of one input's lines. `linesOnly`: never one document over many lines. A document
 * spread over lines is held whole up to `maxLineBytes`; past that, or when it does not parse, its
 * lines are read as JSON Lines after all. Each group of lines gives its documents one at a time,
 * each parsed only when it is asked for: a group's parsed documents are never all alive at once
 * (a megabyte of lines parsed in one go outlived young-generation collections and was copied).
 */
export async function* readDocuments(name: string, groups: AsyncIterable<Line[]>, linesOnly: boolean, maxLineBytes: number): AsyncGenerator<Iterable<Document>> {
  const state: { first: boolean; held: TextLine[] | undefined; heldBytes: number } = { first: true, held: undefined, heldBytes: 0 };
  function* documents(lines: readonly Line[]): Generator<Document> {
    for (const bytes of lines) {
      const line = decoded(bytes);
      if (state.held !== undefined) {
        state.heldBytes += 'text' in line ? line.text.length + 1 : maxLineBytes + 1;
        state.held.push(line);
        if (state.heldBytes <= maxLineBytes) continue;
        const held = state.held;
        state.held = undefined;
        for (const l of held) {
          const doc = parseLine(name, l, maxLineBytes);
          if (doc) yield doc;
        }
        continue;
      }
      const doc = parseLine(name, line, maxLineBytes);
      if (doc === undefined) continue;
      if (state.first && 'error' in doc && !linesOnly && 'text' in line && opensDocument(line.text)) {
        state.held = [line];
        state.heldBytes = line.text.length + 1;
      } else yield doc;
      state.first = false;
    }
  }
  for await (const lines of groups) yield documents(lines);
  const held = state.held;
  if (held === undefined) return;
  const text = held.map((l) => ('text' in l ? l.text : '')).join('\n');
  try {
    yield [{ where: name, json: JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as unknown }];
  } catch {
    // Not one document after all: read as JSON Lines, so one bad line costs only itself.
    const docs = held.map((l) => parseLine(name, l, maxLineBytes)).filter((d): d is Document => d !== undefined);
    if (docs.length > 0) yield docs;
  }
}

/** What a parsed document holds: ingestion events (with the request metadata) or an OTLP request. */
export type Classified =
  | { readonly kind: 'ingestion'; readonly events: unknown[]; readonly metadata?: unknown }
  | { readonly kind: 'otlp'; readonly request: unknown }
  | { readonly kind: 'unknown' };

export function classify(doc: unknown): Classified[] {
  if (Array.isArray(doc)) {
    // An array of events is one request; an array of requests (or OTLP requests) is several.
    if (doc.length > 0 && doc.every((e) => isPlainObject(e) && typeof e.type === 'string' && 'body' in e)) {
      return [{ kind: 'ingestion', events: doc }];
    }
    return doc.flatMap(classify);
  }
  if (!isPlainObject(doc)) return [{ kind: 'unknown' }];
  if (Array.isArray(doc.resourceSpans)) return [{ kind: 'otlp', request: doc }];
  if (Array.isArray(doc.batch)) return [{ kind: 'ingestion', events: doc.batch, metadata: doc.metadata }];
  if (typeof doc.type === 'string' && 'body' in doc) return [{ kind: 'ingestion', events: [doc] }];
  return [{ kind: 'unknown' }];
}
