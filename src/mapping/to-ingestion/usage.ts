/**
 * Token usage and cost (genai-conventions.md 7.2, langfuse-ingestion.md 2.6 and 3.6).
 *
 * Langfuse buckets are exclusive: `input` excludes cache and audio input buckets, `output`
 * excludes reasoning and audio output buckets, and the ingestion API stores flat usage unchanged,
 * so the subtraction happens here. Counts are non-negative integers only.
 */
import type { AttributeBag } from '../attribute-bag.js';
import type { Shape } from '../attribute-shape.js';
import { AI, GENAI, LF, OI, TRACELOOP } from '../keys.js';
import type { IssueSink } from '../result.js';
import type { CostDetails, UsageDetails } from '../schema.js';
import { decodeJsonObject, roundCost, toCount, toNumber } from '../values.js';

const U = GENAI.usagePrefix;
const T = OI.tokenCountPrefix;

/**
 * One row per Langfuse bucket, its sources in precedence order. `aiSdk` sources are read only on
 * the AI SDK's model-call spans: the outer `ai.generateText` span repeats its children's usage.
 */
const BUCKETS: ReadonlyArray<{ bucket: string; keys: readonly string[]; aiSdk?: readonly string[] }> = [
  {
    bucket: 'input',
    keys: [`${U}input_tokens`, `${T}prompt`, `${U}prompt_tokens`],
    aiSdk: [`${AI.usagePrefix}inputTokens`, `${AI.usagePrefix}promptTokens`],
  },
  {
    bucket: 'output',
    keys: [`${U}output_tokens`, `${T}completion`, `${U}completion_tokens`],
    aiSdk: [`${AI.usagePrefix}outputTokens`, `${AI.usagePrefix}completionTokens`],
  },
  {
    bucket: 'total',
    keys: [`${U}total_tokens`, TRACELOOP.usageTotalTokens, `${T}total`],
    aiSdk: [`${AI.usagePrefix}totalTokens`, `${AI.usagePrefix}tokens`],
  },
  {
    bucket: 'input_cached_tokens',
    keys: [
      `${U}cache_read.input_tokens`,
      `${U}cache_read_input_tokens`,
      `${U}cache_read_tokens`,
      `${T}prompt_details.cache_read`,
    ],
    aiSdk: [`${AI.usagePrefix}cachedInputTokens`],
  },
  {
    bucket: 'input_cache_creation',
    keys: [
      `${U}cache_creation.input_tokens`,
      `${U}cache_creation_input_tokens`,
      `${U}cache_write_tokens`,
      `${T}prompt_details.cache_write`,
    ],
  },
  { bucket: 'input_audio_tokens', keys: [`${T}prompt_details.audio`] },
  {
    bucket: 'output_reasoning_tokens',
    keys: [`${U}reasoning.output_tokens`, `${U}reasoning_tokens`, `${T}completion_details.reasoning`],
    aiSdk: [`${AI.usagePrefix}reasoningTokens`],
  },
  { bucket: 'output_audio_tokens', keys: [`${T}completion_details.audio`] },
];

/** Per bucket, the sources on an AI SDK model-call span: its usual keys, then the AI SDK's (built once). */
const AI_SDK_CANDIDATES: ReadonlyMap<string, readonly string[]> = new Map(
  BUCKETS.map(({ bucket, keys, aiSdk }) => [bucket, aiSdk ? [...keys, ...aiSdk] : keys]),
);

/** A bucket and its source keys that a record's shape has, in precedence order. */
interface UsageRow {
  readonly bucket: string;
  readonly candidates: readonly string[];
}

/** Per shape: the buckets with a source key it has, on other spans and on AI SDK model calls. */
const planUsage = (shape: Shape): readonly [readonly UsageRow[], readonly UsageRow[]] => {
  const rows = (aiSdkModelCall: boolean): UsageRow[] =>
    BUCKETS.map((row) => ({ bucket: row.bucket, candidates: shape.present(aiSdkModelCall && row.aiSdk ? (AI_SDK_CANDIDATES.get(row.bucket) as readonly string[]) : row.keys) })).filter(
      (row) => row.candidates.length > 0,
    );
  return [rows(false), rows(true)];
};

/** Every alias key above: an unused alias stays an attribute, it never becomes a bucket of its own. */
const KNOWN_KEYS = new Set(BUCKETS.flatMap((b) => [...b.keys, ...(b.aiSdk ?? [])]));

/** Where unknown token counters live. */
const COUNTER_PREFIXES = [U, T];

function takeCount(attrs: AttributeBag, key: string, issues: IssueSink): number | undefined {
  const n = toCount(attrs.peek(key));
  if (n === undefined) {
    issues.add('INVALID_USAGE', 'usage count is not a non-negative integer; kept as an attribute', key);
    return undefined;
  }
  attrs.delete(key);
  return n;
}

export function takeUsage(
  attrs: AttributeBag,
  reading: { aiSdkModelCall: boolean; embedding: boolean },
  issues: IssueSink,
): UsageDetails | undefined {
  const { aiSdkModelCall, embedding } = reading;
  if (attrs.has(LF.usageDetails)) {
    const given = decodeJsonObject(attrs.peek(LF.usageDetails), issues, LF.usageDetails);
    if (given !== undefined) {
      attrs.delete(LF.usageDetails);
      return countsOnly(given, issues, LF.usageDetails);
    }
  }

  const found: Record<string, number> = {};
  // Only the buckets with a source key in the record's shape (decided once per shape).
  const rows = attrs.plan(planUsage)[aiSdkModelCall ? 1 : 0];
  for (let b = 0; b < rows.length; b++) {
    const row = rows[b] as UsageRow;
    const candidates = row.candidates;
    for (let i = 0; i < candidates.length; i++) {
      const key = candidates[i] as string;
      if (!attrs.has(key)) continue;
      const n = takeCount(attrs, key, issues);
      if (n !== undefined) {
        found[row.bucket] = n;
        break;
      }
    }
  }
  // Unknown token counters pass through under their stripped names, as Langfuse's reader does.
  for (let p = 0; p < COUNTER_PREFIXES.length; p++) {
    const prefix = COUNTER_PREFIXES[p] as string;
    const entries = attrs.withPrefix(prefix);
    for (let i = 0; i < entries.length; i++) {
      const name = (entries[i] as [string, unknown])[0];
      const n = toCount((entries[i] as [string, unknown])[1]);
      const key = prefix + name;
      if (KNOWN_KEYS.has(key) || key === GENAI.usageCost || n === undefined) continue;
      found[name] = n;
      attrs.delete(key);
    }
  }
  // Embedding calls consume input tokens only; the AI SDK reports them as a bare total.
  if (embedding && found.input === undefined && found.output === undefined && found.total !== undefined) {
    found.input = found.total;
  }
  if (found.input === undefined && found.output === undefined && found.total === undefined) {
    return Object.keys(found).length > 0 ? found : undefined;
  }
  return makeExclusive(found, issues);
}

/** Subtracts detail buckets from `input`/`output` (in place) and fills `total` (the inclusive sum). */
export function makeExclusive(found: Record<string, number>, issues: IssueSink): UsageDetails {
  const total = found.total ?? (found.input ?? 0) + (found.output ?? 0);
  subtractDetails(found, wholeCount, issues);
  found.total = total;
  return found;
}

/** Counts need no rounding. */
function wholeCount(n: number): number {
  return n;
}

const DETAIL_SIDES = ['input', 'output'] as const;
const DETAIL_PREFIXES = ['input_', 'output_'] as const;

/**
 * Langfuse buckets are exclusive: `input` and `output` less the sum of their `input_*` /
 * `output_*` detail buckets, floored at 0, in place. Details larger than their whole are an
 * issue when `issues` is given (usage). Shared by usage and cost, which follow the same rule.
 */
function subtractDetails(values: Record<string, number>, round: (n: number) => number, issues?: IssueSink): void {
  for (let s = 0; s < DETAIL_SIDES.length; s++) {
    const side = DETAIL_SIDES[s] as string;
    const detailPrefix = DETAIL_PREFIXES[s] as string;
    const whole = values[side];
    if (whole === undefined) continue;
    let details = 0;
    const keys = Object.keys(values);
    for (let i = 0; i < keys.length; i++) if ((keys[i] as string).startsWith(detailPrefix)) details += values[keys[i] as string] ?? 0;
    if (details > whole) {
      issues?.add(
        'INVALID_USAGE',
        `${side} detail buckets (${details}) exceed ${side} (${whole}); ${side} set to 0`,
        `body.usageDetails.${side}`,
      );
    }
    values[side] = Math.max(0, round(whole - details));
  }
}

function countsOnly(given: Record<string, unknown>, issues: IssueSink, path: string): UsageDetails | undefined {
  const out: Record<string, number> = {};
  const keys = Object.keys(given);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = given[k];
    const n = toCount(v);
    if (n === undefined) {
      if (v !== null) issues.add('INVALID_USAGE', `usage "${k}" is not a non-negative integer; dropped`, `${path}.${k}`);
      continue;
    }
    out[k] = n;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Non-negative finite amounts only; `total` is always set (Langfuse stores none otherwise). */
function withTotal(costs: Record<string, number>): CostDetails | undefined {
  const keys = Object.keys(costs);
  if (keys.length === 0) return undefined;
  if (costs.total === undefined) costs.total = roundCost(keys.reduce((sum, k) => sum + (costs[k] ?? 0), 0));
  return costs;
}

function amount(v: unknown, issues: IssueSink, path: string): number | undefined {
  const n = toNumber(v);
  if (n === undefined || n < 0) {
    issues.add('INVALID_COST', 'cost is not a non-negative number; dropped', path);
    return undefined;
  }
  return n;
}

/** `cost_details` › `gen_ai.usage.cost` → total › `llm.cost.*` (prompt → input, completion → output). */
export function takeCost(attrs: AttributeBag, issues: IssueSink): CostDetails | undefined {
  // Most spans state no cost: the reading is not even called.
  if (!attrs.has(LF.costDetails) && !attrs.has(GENAI.usageCost) && !attrs.hasPrefix(OI.costPrefix)) return undefined;
  return readCost(attrs, issues);
}

function readCost(attrs: AttributeBag, issues: IssueSink): CostDetails | undefined {
  if (attrs.has(LF.costDetails)) {
    const given = decodeJsonObject(attrs.peek(LF.costDetails), issues, LF.costDetails);
    if (given !== undefined) {
      attrs.delete(LF.costDetails);
      const costs: Record<string, number> = {};
      const keys = Object.keys(given);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const n = amount(given[k], issues, `${LF.costDetails}.${k}`);
        if (n !== undefined) costs[k] = n;
      }
      return withTotal(costs);
    }
  }
  if (attrs.has(GENAI.usageCost)) {
    const n = amount(attrs.peek(GENAI.usageCost), issues, GENAI.usageCost);
    if (n !== undefined) {
      attrs.delete(GENAI.usageCost);
      return { total: n };
    }
  }
  const fromOpenInference = attrs.withPrefix(OI.costPrefix);
  if (fromOpenInference.length === 0) return undefined;
  const costs: Record<string, number> = {};
  for (let i = 0; i < fromOpenInference.length; i++) {
    const name = (fromOpenInference[i] as [string, unknown])[0];
    const key = OI.costPrefix + name;
    const n = amount((fromOpenInference[i] as [string, unknown])[1], issues, key);
    if (n === undefined) continue;
    attrs.delete(key);
    const bucket = name === 'prompt' ? 'input' : name === 'completion' ? 'output' : name
      .replace(/^prompt_details\./, 'input_')
      .replace(/^completion_details\./, 'output_');
    costs[bucket] = n;
  }
  // OpenInference's prompt/completion costs include their details; Langfuse buckets are
  // exclusive (as for usage), so the details are subtracted and the total is the inclusive sum.
  const total = costs.total ?? roundCost((costs.input ?? 0) + (costs.output ?? 0));
  subtractDetails(costs, roundCost);
  if (Object.keys(costs).length === 0) return undefined;
  costs.total = total;
  return costs;
}
