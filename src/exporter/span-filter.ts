/**
 * Which finished spans the exporter sends (design.md §8): by default GenAI spans **and their
 * ancestors**, so the nesting survives in Langfuse while plain HTTP/DB spans stay out.
 *
 * Children end before their parents, and the BatchSpanProcessor exports in end order, so a parent
 * usually arrives after its GenAI child, often in a later `export()` call. When a span is kept we
 * remember its parent's id (bounded, with expiry); a later span whose id is remembered is kept and
 * passes the mark on to its own parent. A parent that ends *before* its GenAI child (fire-and-forget
 * work) has already been dropped by then: that is the price of not buffering spans.
 */
import { diag } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { LANGFUSE_SDK_SCOPE_PREFIX } from '../mapping/keys.js';

const logger = diag.createComponentLogger({ namespace: 'otel-langfuse-bridge' });

/** 'genai': GenAI spans and their ancestors; 'all': every span; a predicate: applied as is. */
export type SpanFilterMode = 'genai' | 'all' | ((span: ReadableSpan) => boolean);

export interface SpanFilterOptions {
  /** Most parent ids remembered at once; the oldest is forgotten first. Default 10_000. */
  maxRemembered?: number;
  /** How long a remembered parent id stays valid, in milliseconds. Default 600_000 (10 min). */
  ttlMillis?: number;
  /** Clock in milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface SpanFilter {
  /** The spans to send, in their original order. Stateful: one filter per exporter. */
  keep(spans: readonly ReadableSpan[]): ReadableSpan[];
}

/**
 * Attribute key prefixes that mark a GenAI span, one per dialect of genai-conventions.md §1-5:
 * `gen_ai.` (OTel GenAI, OpenLLMetry's indexed keys, AI SDK `doGenerate`), `llm.` (OpenInference,
 * Traceloop legacy), `ai.` (Vercel AI SDK), `langfuse.` (`@langfuse/tracing`), `traceloop.`
 * (Traceloop SDK), `openinference.`, and OpenInference's span-kind families `embedding.`,
 * `retrieval.`, `reranker.`, `tool.`.
 */
export const GENAI_KEY_PREFIXES: readonly string[] = [
  'gen_ai.', 'llm.', 'ai.', 'langfuse.', 'traceloop.', 'openinference.', 'embedding.', 'retrieval.', 'reranker.', 'tool.',
];
/** Whole keys that mark a GenAI span: OpenInference I/O, which Langfuse also reads as observation I/O. */
export const GENAI_KEYS: readonly string[] = ['input.value', 'output.value'];
/**
 * Keys that SDK span processors copy onto *every* span started in their context, HTTP and DB spans
 * included, so they prove nothing: `LangfuseSpanProcessor.onStart` (environment, release and
 * `propagateAttributes`: `@langfuse/core` getPropagatedAttributesFromContext) and the Traceloop
 * SDK's `onSpanStart` (workflow name, entity path, agent name, association properties).
 */
const PROPAGATED_KEY_PREFIXES: readonly string[] = [
  'langfuse.environment', 'langfuse.release', 'langfuse.version', 'langfuse.internal.', 'langfuse.user.id',
  'langfuse.session.id', 'langfuse.trace.name', 'langfuse.trace.tags', 'langfuse.trace.metadata',
  'langfuse.observation.prompt.', 'langfuse.experiment.', 'traceloop.workflow.name', 'traceloop.entity.path',
  'traceloop.association.properties.', 'gen_ai.agent.name', 'gen_ai.conversation.id',
];

/**
 * LLM instrumentation scopes. `SCOPES_DOTTED` is `@langfuse/otel`'s
 * KNOWN_LLM_INSTRUMENTATION_SCOPE_PREFIXES (peers.md §3.3): the scope itself or `<prefix>.…`,
 * except `ai` (Vercel AI SDK), which matches only exactly. `SCOPE_PREFIXES` adds the npm-named JS
 * instrumentations that list misses (it drops `@arizeai/openinference-instrumentation-openai`,
 * genai-conventions.md §5), and `SCOPES_EXACT` the OTel contrib one and Traceloop's SDK tracer.
 */
export const SCOPES_DOTTED: readonly string[] = [
  LANGFUSE_SDK_SCOPE_PREFIX, 'agent_framework', 'haystack', 'langsmith', 'litellm', 'openinference',
  'opentelemetry.instrumentation.anthropic', 'opentelemetry.instrumentation.aws_bedrock',
  'opentelemetry.instrumentation.bedrock', 'opentelemetry.instrumentation.gemini',
  'opentelemetry.instrumentation.google_genai', 'opentelemetry.instrumentation.google_generativeai',
  'opentelemetry.instrumentation.openai', 'opentelemetry.instrumentation.openai_v2',
  'opentelemetry.instrumentation.vertex_ai', 'opentelemetry.instrumentation.vertexai', 'strands-agents', 'vllm',
];
/** npm-named JS instrumentation families (any scope starting with one). */
export const SCOPE_PREFIXES: readonly string[] = ['@arizeai/openinference-', '@traceloop/'];
/** Scopes matched exactly. */
export const SCOPES_EXACT: readonly string[] = ['ai', '@opentelemetry/instrumentation-openai', 'traceloop.tracer'];

function isGenAIScope(scope: string): boolean {
  return (
    SCOPES_EXACT.includes(scope) ||
    SCOPE_PREFIXES.some((p) => scope.startsWith(p)) ||
    SCOPES_DOTTED.some((p) => scope === p || scope.startsWith(`${p}.`))
  );
}

function isGenAIKey(key: string): boolean {
  return (GENAI_KEYS.includes(key) || GENAI_KEY_PREFIXES.some((p) => key.startsWith(p))) && !PROPAGATED_KEY_PREFIXES.some((p) => key.startsWith(p));
}

/**
 * What {@link isGenAIScope} and {@link isGenAIKey} said of the scope names and attribute keys
 * seen lately: the same few dozen come back in every span. Bounded, it starts over when full (a
 * memo: results never depend on it).
 */
const SCOPE_MEMO = new Map<string, boolean>();
const KEY_MEMO = new Map<string, boolean>();
const MAX_MEMO = 4096;

function memo(map: Map<string, boolean>, key: string, decide: (key: string) => boolean): boolean {
  let known = map.get(key);
  if (known === undefined) {
    known = decide(key);
    if (map.size >= MAX_MEMO) map.clear();
    map.set(key, known);
  }
  return known;
}

/** True when the span has a GenAI attribute or comes from a known LLM instrumentation scope. */
export function isGenAISpan(span: ReadableSpan): boolean {
  if (memo(SCOPE_MEMO, span.instrumentationScope.name, isGenAIScope)) return true;
  const keys = Object.keys(span.attributes);
  for (let i = 0; i < keys.length; i++) if (memo(KEY_MEMO, keys[i] as string, isGenAIKey)) return true;
  return false;
}

const DEFAULT_MAX_REMEMBERED = 10_000;
const DEFAULT_TTL_MILLIS = 10 * 60_000;

/** A remembered parent: when its mark expires (ms), and its span id (the map's key holds the trace id too). */
interface Mark {
  readonly expiry: number;
  readonly spanId: string;
}

/**
 * Creates the filter for one exporter.
 * @throws RangeError when `maxRemembered` or `ttlMillis` is not a positive number.
 */
export function createSpanFilter(mode: SpanFilterMode, options: SpanFilterOptions = {}): SpanFilter {
  if (mode === 'all') return { keep: (spans) => [...spans] };
  if (typeof mode === 'function') return predicateFilter(mode);
  if (mode !== 'genai') throw new RangeError(`span filter mode must be 'genai', 'all' or a function`);
  const maxRemembered = options.maxRemembered ?? DEFAULT_MAX_REMEMBERED;
  const ttlMillis = options.ttlMillis ?? DEFAULT_TTL_MILLIS;
  if (!(Number.isInteger(maxRemembered) && maxRemembered > 0)) throw new RangeError('maxRemembered must be a positive integer');
  if (!(ttlMillis > 0)) throw new RangeError('ttlMillis must be a positive number');
  const now = options.now ?? Date.now;
  // Key `traceId/spanId` -> mark. Map order is insertion order and every entry gets the same
  // ttl, so the first entry is always the oldest and expires first.
  const remembered = new Map<string, Mark>();
  // Span id -> how many remembered keys hold it: a span whose id is not here has no mark, and
  // its key is never built (the common case).
  const rememberedIds = new Map<string, number>();

  const drop = (key: string, mark: Mark): void => {
    remembered.delete(key);
    const count = rememberedIds.get(mark.spanId) as number;
    if (count === 1) rememberedIds.delete(mark.spanId);
    else rememberedIds.set(mark.spanId, count - 1);
  };
  const prune = (at: number): void => {
    for (const [key, mark] of remembered) {
      if (mark.expiry > at) return;
      drop(key, mark);
    }
  };
  const remember = (traceId: string, spanId: string, at: number): void => {
    const key = `${traceId}/${spanId}`;
    const old = remembered.get(key);
    if (old !== undefined) drop(key, old);
    remembered.set(key, { expiry: at + ttlMillis, spanId });
    rememberedIds.set(spanId, (rememberedIds.get(spanId) ?? 0) + 1);
    if (remembered.size > maxRemembered) {
      const [oldestKey, oldest] = remembered.entries().next().value as [string, Mark];
      drop(oldestKey, oldest);
    }
  };
  /** Uses up the span's mark: true when it had one. */
  const forget = (traceId: string, spanId: string): boolean => {
    if (!rememberedIds.has(spanId)) return false;
    const key = `${traceId}/${spanId}`;
    const mark = remembered.get(key);
    if (mark === undefined) return false;
    drop(key, mark);
    return true;
  };

  return {
    keep(spans) {
      const at = now();
      prune(at);
      const n = spans.length;
      const contexts = new Array<SpanContext>(n);
      // Span id -> the last span of the call with it, and each span's previous one with the same
      // id (-1 for none): a span id is there once unless a call holds it twice. `first`: where a
      // span given twice was first (itself otherwise), so that it is kept, and walked from, once.
      const last = new Map<string, number>();
      const previous = new Int32Array(n);
      const first = new Int32Array(n);
      const pending: number[] = [];
      for (let i = 0; i < n; i++) {
        const span = spans[i] as ReadableSpan;
        const ctx = span.spanContext();
        contexts[i] = ctx;
        let j = last.get(ctx.spanId) ?? -1;
        previous[i] = j;
        last.set(ctx.spanId, i);
        while (j !== -1 && spans[j] !== span) j = previous[j] as number;
        first[i] = j === -1 ? i : (first[j] as number);
        // A span ends once: its mark is used up now.
        const marked = forget(ctx.traceId, ctx.spanId);
        if (marked || isGenAISpan(span)) pending.push(i);
      }
      // Walk up from every kept span: through this call first (its last span with the parent's
      // ids), else remember the parent for later.
      const kept = new Uint8Array(n);
      while (pending.length > 0) {
        const i = first[pending.pop() as number] as number;
        if (kept[i] === 1) continue;
        kept[i] = 1;
        const parent = (spans[i] as ReadableSpan).parentSpanContext;
        if (parent === undefined || parent.isRemote === true) continue; // a remote parent is exported elsewhere
        let j = last.get(parent.spanId) ?? -1;
        while (j !== -1 && (contexts[j] as SpanContext).traceId !== parent.traceId) j = previous[j] as number;
        if (j !== -1) pending.push(j);
        else remember(parent.traceId, parent.spanId, at);
      }
      const out: ReadableSpan[] = [];
      for (let i = 0; i < n; i++) if (kept[first[i] as number] === 1) out.push(spans[i] as ReadableSpan);
      return out;
    },
  };
}

/** A user predicate, applied as is; one that throws keeps the span (losing data is worse) and logs once. */
function predicateFilter(predicate: (span: ReadableSpan) => boolean): SpanFilter {
  let warned = false;
  return {
    keep: (spans) =>
      spans.filter((span) => {
        try {
          return predicate(span);
        } catch (err) {
          if (!warned) {
            warned = true;
            const why = err instanceof Error ? err.name : typeof err;
            logger.warn(`spanFilter threw (${why}); keeping the span (logged once)`);
          }
          return true;
        }
      }),
  };
}
