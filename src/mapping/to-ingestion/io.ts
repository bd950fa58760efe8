/**
 * Observation input and output (genai-conventions.md 7.2). First source that yields a value wins;
 * message lists rank above raw request/response blobs, so chats render as chats. JSON objects
 * and arrays held in strings are parsed; other strings stay verbatim.
 */
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { AttributeBag } from '../attribute-bag.js';
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

type Source = () => unknown;

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
function attr(r: Reader, key: string, jsonEncoded = false): Source {
  return () => {
    const v = r.attrs.peek(key);
    if (!isNonEmpty(v)) return undefined;
    r.attrs.delete(key);
    return jsonEncoded ? decodeJsonText(v, r.issues, key) : decodeJsonish(v, r.issues, key);
  };
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
  for (const [k, v] of Object.entries(e.attributes ?? {})) {
    out[k] = decodeJsonish(v, r.issues, `events[${i}].attributes.${k}`);
  }
  return out;
}

/** The `gen_ai.*.message` / `gen_ai.choice` span events (semconv 1.28-1.36). */
function messageEvents(r: Reader, side: 'input' | 'output'): Source {
  return () => {
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
  };
}

/** One attribute of the first event named `name` (the operation-details and content events). */
function eventAttr(r: Reader, name: string, key: string): Source {
  return () => {
    const i = r.events.findIndex((e) => e.name === name && isNonEmpty(e.attributes?.[key]));
    if (i < 0) return undefined;
    r.consumed.add(i);
    const e = r.events[i] as TimedEvent;
    return decodeJsonish(e.attributes?.[key], r.issues, `events[${i}].attributes.${key}`);
  };
}

function indexed(r: Reader, prefix: string, wrappers?: ReadonlySet<string>): Source {
  return () => {
    const rebuilt = takeIndexed(r.attrs, prefix);
    return rebuilt && wrappers ? unwrap(rebuilt, wrappers) : rebuilt;
  };
}

/** AI SDK output: text and tool calls together as one assistant message, else whichever exists. */
function aiSdkOutput(r: Reader): Source {
  return () => {
    const text = r.attrs.peek(AI.responseText);
    const calls = r.attrs.peek(AI.responseToolCalls);
    if (!isNonEmpty(text) || !isNonEmpty(calls)) return undefined;
    r.attrs.delete(AI.responseText);
    r.attrs.delete(AI.responseToolCalls);
    return { role: 'assistant', content: text, tool_calls: decodeJsonish(calls, r.issues, AI.responseToolCalls) };
  };
}

function first(sources: readonly Source[]): unknown {
  for (const source of sources) {
    const v = source();
    if (isNonEmpty(v)) return v;
  }
  return undefined;
}

/** Tool definitions from any dialect, as a list of objects. */
function takeTools(r: Reader): unknown[] | undefined {
  const defs = attr(r, GENAI.toolDefinitions)();
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

export function takeIO(attrs: AttributeBag, events: readonly TimedEvent[], issues: IssueSink): IOResult {
  const r: Reader = { attrs, issues, events, consumed: new Set() };
  const genaiInput: Source = () => {
    const v = attr(r, GENAI.inputMessages)();
    return v === undefined ? undefined : withSystemInstructions(r, v);
  };
  const detailsInput: Source = () => {
    const v = eventAttr(r, GENAI.operationDetailsEvent, GENAI.inputMessages)();
    return v === undefined ? undefined : withSystemInstructions(r, v);
  };

  let input = first([
    attr(r, LF.input),
    attr(r, AI.promptMessages),
    attr(r, AI.prompt),
    attr(r, AI.toolCallArgs, true),
    attr(r, AI.values, true),
    attr(r, AI.value, true),
    genaiInput,
    detailsInput,
    messageEvents(r, 'input'),
    indexed(r, OI.inputMessagesPrefix, OI_WRAPPERS),
    indexed(r, 'llm.prompts.', OI_WRAPPERS),
    indexed(r, GENAI.promptPrefix),
    attr(r, GENAI.prompt),
    attr(r, TRACELOOP.entityInput),
    attr(r, OI.inputValue),
    eventAttr(r, GENAI.contentPromptEvent, GENAI.prompt),
    attr(r, GENAI.toolCallArguments),
  ]);
  const output = first([
    attr(r, LF.output),
    aiSdkOutput(r),
    attr(r, AI.responseText),
    attr(r, AI.responseObject, true),
    attr(r, AI.responseToolCalls),
    attr(r, AI.resultText),
    attr(r, AI.resultObject),
    attr(r, AI.resultToolCalls),
    attr(r, AI.toolCallResult, true),
    attr(r, GENAI.outputMessages),
    eventAttr(r, GENAI.operationDetailsEvent, GENAI.outputMessages),
    messageEvents(r, 'output'),
    indexed(r, OI.outputMessagesPrefix, OI_WRAPPERS),
    indexed(r, 'llm.choices.', OI_WRAPPERS),
    indexed(r, GENAI.completionPrefix),
    attr(r, GENAI.completion),
    attr(r, TRACELOOP.entityOutput),
    attr(r, OI.outputValue),
    eventAttr(r, GENAI.contentCompletionEvent, GENAI.completion),
    attr(r, GENAI.toolCallResult),
  ]);
  const tools = takeTools(r);
  if (tools !== undefined) input = input === undefined ? { tools } : { messages: input, tools };

  const result: IOResult = { consumedEvents: r.consumed };
  if (input !== undefined) result.input = input;
  if (output !== undefined) result.output = output;
  return result;
}
