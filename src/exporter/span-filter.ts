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

/** True when the span has a GenAI attribute or comes from a known LLM instrumentation scope. */
export function isGenAISpan(span: ReadableSpan): boolean {
  const scope = span.instrumentationScope.name;
  if (
    SCOPES_EXACT.includes(scope) ||
    SCOPE_PREFIXES.some((p) => scope.startsWith(p)) ||
    SCOPES_DOTTED.some((p) => scope === p || scope.startsWith(`${p}.`))
  ) {
    return true;
  }
  return Object.keys(span.attributes).some(
    (key) =>
      (GENAI_KEYS.includes(key) || GENAI_KEY_PREFIXES.some((p) => key.startsWith(p))) &&
      !PROPAGATED_KEY_PREFIXES.some((p) => key.startsWith(p)),
  );
}

const DEFAULT_MAX_REMEMBERED = 10_000;
const DEFAULT_TTL_MILLIS = 10 * 60_000;

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
  // Key `traceId/spanId` -> expiry (ms). Map order is insertion order and every entry gets the same
  // ttl, so the first entry is always the oldest and expires first.
  const remembered = new Map<string, number>();

  const prune = (at: number): void => {
    for (const [key, expiry] of remembered) {
      if (expiry > at) return;
      remembered.delete(key);
    }
  };
  const remember = (key: string, at: number): void => {
    remembered.delete(key);
    remembered.set(key, at + ttlMillis);
    if (remembered.size > maxRemembered) remembered.delete(remembered.keys().next().value as string);
  };

  return {
    keep(spans) {
      const at = now();
      prune(at);
      const byKey = new Map<string, ReadableSpan>();
      const kept = new Set<ReadableSpan>();
      const pending: ReadableSpan[] = [];
      for (const span of spans) {
        const key = keyOf(span);
        byKey.set(key, span);
        // A span ends once: its mark is used up now.
        const marked = remembered.delete(key);
        if (marked || isGenAISpan(span)) pending.push(span);
      }
      // Walk up from every kept span: through this batch first, else remember the parent for later.
      while (pending.length > 0) {
        const span = pending.pop() as ReadableSpan;
        if (kept.has(span)) continue;
        kept.add(span);
        const parent = span.parentSpanContext;
        if (parent === undefined || parent.isRemote === true) continue; // a remote parent is exported elsewhere
        const parentKey = `${parent.traceId}/${parent.spanId}`;
        const inBatch = byKey.get(parentKey);
        if (inBatch !== undefined) pending.push(inBatch);
        else remember(parentKey, at);
      }
      return spans.filter((s) => kept.has(s));
    },
  };
}

function keyOf(span: ReadableSpan): string {
  const ctx = span.spanContext();
  return `${ctx.traceId}/${ctx.spanId}`;
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
