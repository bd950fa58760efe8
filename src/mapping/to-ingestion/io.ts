/**
 * Observation input and output (genai-conventions.md 7.2). First source that yields a value wins;
 * message lists rank above raw request/response blobs, so chats render as chats. JSON objects
 * and arrays held in strings are parsed; other strings stay verbatim.
 */
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import { apart } from '../apart.js';
import type { AttributeBag } from '../attribute-bag.js';
import type { Shape } from '../attribute-shape.js';
import { isNonEmpty } from '../json.js';
import { AI, GENAI, LF, OI, TRACELOOP } from '../keys.js';
import type { IssueSink } from '../result.js';
import { decodeJsonish, decodeJsonText } from '../values.js';
import { takeIndexed, unwrap } from './dialects/indexed.js';

export interface IOResult {
  input?: unknown;
  output?: unknown;
  /** Indices of span events turned into input/output (they are not repeated in metadata). */
  consumedEvents: Set<number>;
}

const OI_WRAPPERS: ReadonlySet<string> = new Set(['message', 'message_content', 'tool_call', 'prompt', 'completion', 'tool']);
const MESSAGE_EVENTS: Readonly<Record<string, string>> = {
  [GENAI.systemMessageEvent]: 'system',
  [GENAI.userMessageEvent]: 'user',
  [GENAI.assistantMessageEvent]: 'assistant',
  [GENAI.toolMessageEvent]: 'tool',
};

/**
 * A source reads one place of one span; sources are built once, at module load (one class, so
 * that the loop over them sees one hidden class).
 */
class Source {
  readonly read: (r: Reader) => unknown;
  /**
   * Whether a record of this shape may give anything here: false only where the source finds
   * nothing and changes nothing whatever the values (the record has none of the keys it reads).
   */
  readonly finds: (shape: Shape) => boolean;
  /** Whether it reads the span's events instead (they are not part of the shape). */
  readonly readsEvents: boolean;

  constructor(read: (r: Reader) => unknown, finds: (shape: Shape) => boolean, readsEvents: boolean) {
    this.read = read;
    this.finds = finds;
    this.readsEvents = readsEvents;
  }
}

const keySource = (key: string, read: (r: Reader) => unknown): Source => new Source(read, (shape) => shape.hasKey(key), false);
const eventSource = (read: (r: Reader) => unknown): Source => new Source(read, () => false, true);

interface Reader {
  attrs: AttributeBag;
  issues: IssueSink;
  events: readonly TimedEvent[];
  consumed: Set<number>;
}

/**
 * Takes `key` when its value is non-empty, decoding JSON containers; `jsonEncoded` keys (the AI
 * SDK's) hold JSON whatever the value, scalars included.
 */
function attr(key: string, jsonEncoded = false): Source {
  return keySource(key, (r) => {
    const v = r.attrs.peek(key);
    if (!isNonEmpty(v)) return undefined;
    r.attrs.delete(key);
    return jsonEncoded ? decodeJsonText(v, r.issues, key) : decodeJsonish(v, r.issues, key);
  });
}

function withSystemInstructions(r: Reader, messages: unknown): unknown {
  const instructions = r.attrs.peek(GENAI.systemInstructions);
  if (!isNonEmpty(instructions) || !Array.isArray(messages)) return messages;
  // Not prepended over an existing system message; then the attribute stays in the leftovers.
  if (messages.some((m) => (m as { role?: unknown } | null)?.role === 'system')) return messages;
  r.attrs.delete(GENAI.systemInstructions);
  const decoded = decodeJsonish(instructions, r.issues, GENAI.systemInstructions);
  const system = Array.isArray(decoded) ? { role: 'system', parts: decoded } : { role: 'system', content: decoded };
  return [system, ...messages];
}

function eventAttributes(r: Reader, e: TimedEvent, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attributes = e.attributes ?? {};
  const keys = Object.keys(attributes);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    out[key] = decodeJsonish(attributes[key], r.issues, `events[${i}].attributes.${key}`);
  }
  return out;
}

/** The `gen_ai.*.message` / `gen_ai.choice` span events (semconv 1.28-1.36). */
function messageEvents(side: 'input' | 'output'): Source {
  return eventSource((r) => {
    const items: unknown[] = [];
    const used: number[] = [];
    r.events.forEach((e, i) => {
      const role = Object.hasOwn(MESSAGE_EVENTS, e.name) ? MESSAGE_EVENTS[e.name] : undefined;
      if (side === 'input' && role !== undefined) items.push({ role, ...eventAttributes(r, e, i) });
      else if (side === 'output' && e.name === GENAI.choiceEvent) items.push(eventAttributes(r, e, i));
      else return;
      used.push(i);
    });
    if (items.length === 0) return undefined;
    for (const i of used) r.consumed.add(i);
    return side === 'output' && items.length === 1 ? items[0] : items;
  });
}

/** One attribute of the first event named `name` (the operation-details and content events). */
function eventAttr(name: string, key: string): Source {
  return eventSource((r) => {
    const i = r.events.findIndex((e) => e.name === name && isNonEmpty(e.attributes?.[key]));
    if (i < 0) return undefined;
    r.consumed.add(i);
    const e = r.events[i] as TimedEvent;
    return decodeJsonish(e.attributes?.[key], r.issues, `events[${i}].attributes.${key}`);
  });
}

function indexed(prefix: string, wrappers?: ReadonlySet<string>): Source {
  const read = (r: Reader): unknown => {
    const rebuilt = takeIndexed(r.attrs, prefix);
    return rebuilt && wrappers ? unwrap(rebuilt, wrappers) : rebuilt;
  };
  return new Source(read, (shape) => shape.hasPrefix(prefix), false);
}

/** AI SDK output: text and tool calls together as one assistant message, else whichever exists. */
const aiSdkOutput = new Source(
  (r) => {
    const text = r.attrs.peek(AI.responseText);
    const calls = r.attrs.peek(AI.responseToolCalls);
    if (!isNonEmpty(text) || !isNonEmpty(calls)) return undefined;
    r.attrs.delete(AI.responseText);
    r.attrs.delete(AI.responseToolCalls);
    return { role: 'assistant', content: text, tool_calls: decodeJsonish(calls, r.issues, AI.responseToolCalls) };
  },
  (shape) => shape.hasKey(AI.responseText) && shape.hasKey(AI.responseToolCalls),
  false,
);

function first(sources: readonly Source[], r: Reader): unknown {
  for (let i = 0; i < sources.length; i++) {
    const v = (sources[i] as Source).read(r);
    if (isNonEmpty(v)) return v;
  }
  return undefined;
}

const toolDefinitions = attr(GENAI.toolDefinitions).read;

/** Tool definitions from any dialect, as a list of objects. */
function takeTools(r: Reader): unknown[] | undefined {
  const defs = toolDefinitions(r);
  if (Array.isArray(defs) && defs.length > 0) return defs;
  const aiTools = r.attrs.peek(AI.promptTools);
  if (Array.isArray(aiTools) && aiTools.length > 0) {
    r.attrs.delete(AI.promptTools);
    return aiTools.map((t, i) => decodeJsonish(t, r.issues, `${AI.promptTools}[${i}]`));
  }
  const oiTools = takeIndexed(r.attrs, OI.toolsPrefix);
  if (oiTools) {
    return oiTools.map((t, i) => {
      const schema = (t as { tool?: { json_schema?: unknown } } | null)?.tool?.json_schema;
      return schema === undefined ? unwrap(t, OI_WRAPPERS) : decodeJsonish(schema, r.issues, `${OI.toolsPrefix}${i}`);
    });
  }
  const functions = takeIndexed(r.attrs, TRACELOOP.functionsPrefix);
  return functions && functions.length > 0 ? functions : undefined;
}

/** Message lists get the system instructions prepended (semconv >= 1.37 keeps them apart). */
function withInstructions(source: Source): Source {
  const read = (r: Reader): unknown => {
    const v = source.read(r);
    return v === undefined ? undefined : withSystemInstructions(r, v);
  };
  return new Source(read, source.finds, source.readsEvents);
}

/** Input sources, in precedence order. */
const INPUT_SOURCES: readonly Source[] = [
  attr(LF.input),
  attr(AI.promptMessages),
  attr(AI.prompt),
  attr(AI.toolCallArgs, true),
  attr(AI.values, true),
  attr(AI.value, true),
  withInstructions(attr(GENAI.inputMessages)),
  withInstructions(eventAttr(GENAI.operationDetailsEvent, GENAI.inputMessages)),
  messageEvents('input'),
  indexed(OI.inputMessagesPrefix, OI_WRAPPERS),
  indexed('llm.prompts.', OI_WRAPPERS),
  indexed(GENAI.promptPrefix),
  attr(GENAI.prompt),
  attr(TRACELOOP.entityInput),
  attr(OI.inputValue),
  eventAttr(GENAI.contentPromptEvent, GENAI.prompt),
  attr(GENAI.toolCallArguments),
];

/** Output sources, in precedence order. */
const OUTPUT_SOURCES: readonly Source[] = [
  attr(LF.output),
  aiSdkOutput,
  attr(AI.responseText),
  attr(AI.responseObject, true),
  attr(AI.responseToolCalls),
  attr(AI.resultText),
  attr(AI.resultObject),
  attr(AI.resultToolCalls),
  attr(AI.toolCallResult, true),
  attr(GENAI.outputMessages),
  eventAttr(GENAI.operationDetailsEvent, GENAI.outputMessages),
  messageEvents('output'),
  indexed(OI.outputMessagesPrefix, OI_WRAPPERS),
  indexed('llm.choices.', OI_WRAPPERS),
  indexed(GENAI.completionPrefix),
  attr(GENAI.completion),
  attr(TRACELOOP.entityOutput),
  attr(OI.outputValue),
  eventAttr(GENAI.contentCompletionEvent, GENAI.completion),
  attr(GENAI.toolCallResult),
];

/**
 * Which sources a record of one shape can find anything in (the others find nothing and change
 * nothing, whatever the values), for spans without events and with them: most spans have one or
 * two of the thirty-seven, and the rest are not even called.
 */
export interface IOPlan {
  readonly input: readonly Source[];
  readonly output: readonly Source[];
  readonly inputWithEvents: readonly Source[];
  readonly outputWithEvents: readonly Source[];
  /** Whether the record has a key tool definitions are read from. */
  readonly tools: boolean;
}

const planIO = (shape: Shape): IOPlan => {
  const may = (events: boolean) => (s: Source) => s.finds(shape) || (events && s.readsEvents);
  return {
    input: INPUT_SOURCES.filter(may(false)),
    output: OUTPUT_SOURCES.filter(may(false)),
    inputWithEvents: INPUT_SOURCES.filter(may(true)),
    outputWithEvents: OUTPUT_SOURCES.filter(may(true)),
    tools: shape.hasKey(GENAI.toolDefinitions) || shape.hasKey(AI.promptTools) || shape.hasPrefix(OI.toolsPrefix) || shape.hasPrefix(TRACELOOP.functionsPrefix),
  };
};

/** The plan that reads every source (what the plans of {@link planIO} must give the same results as). */
export const EVERY_SOURCE: IOPlan = {
  input: INPUT_SOURCES,
  output: OUTPUT_SOURCES,
  inputWithEvents: INPUT_SOURCES,
  outputWithEvents: OUTPUT_SOURCES,
  tools: true,
};

export function takeIO(attrs: AttributeBag, events: readonly TimedEvent[], issues: IssueSink, plan: IOPlan = attrs.plan(planIO)): IOResult {
  const r: Reader = { attrs, issues, events, consumed: new Set() };
  const withEvents = events.length > 0;
  // Two calls of one loop over sources of every kind: apart (see apart.ts), compiled once.
  let input = apart(first, withEvents ? plan.inputWithEvents : plan.input, r);
  const output = apart(first, withEvents ? plan.outputWithEvents : plan.output, r);
  const tools = plan.tools ? takeTools(r) : undefined;
  if (tools !== undefined) input = input === undefined ? { tools } : { messages: input, tools };

  const result: IOResult = { consumedEvents: r.consumed };
  if (input !== undefined) result.input = input;
  if (output !== undefined) result.output = output;
  return result;
}
