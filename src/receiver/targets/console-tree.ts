/**
 * A readable trace tree on a terminal, the receiver's embedded sink when no backend is set: one
 * block per trace with each span's name, type, duration, model, tokens, cost and errors.
 *
 *   trace support-chat  user user-42  session s-7  1.250 s  (langfuse 7d3f…)
 *   ├─ handle-request  span  1.200 s
 *   │  └─ answer  generation  gpt-4o-mini  0.800 s  120 in / 30 out tokens  $0.001200
 *   └─ moderation  generation  omni-moderation-latest  0.000 s  ERROR upstream 503
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { GENAI, LF, OTEL } from '../../mapping/keys.js';
import type { ReceiverTarget } from './target.js';

function seconds(d: HrTime): string {
  return `${(d[0] + d[1] / 1e9).toFixed(3)} s`;
}

function text(attributes: Attributes, key: string): string | undefined {
  const v = attributes[key];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function jsonNumbers(attributes: Attributes, key: string): Record<string, number> {
  const raw = attributes[key];
  if (typeof raw !== 'string') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'number') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

/** The facts of one span worth a line: type, model, duration, tokens, cost, error. */
function describe(span: ReadableSpan): string {
  const a = span.attributes;
  const parts = [span.name];
  const type = text(a, LF.observationType);
  if (type !== undefined) parts.push(type.toLowerCase());
  const model = text(a, LF.modelName) ?? text(a, GENAI.responseModel) ?? text(a, GENAI.requestModel);
  if (model !== undefined) parts.push(model);
  if (type?.toUpperCase() !== 'EVENT') parts.push(seconds(span.duration));
  const usage = jsonNumbers(a, LF.usageDetails);
  const count = (key: string): number | undefined => (typeof a[key] === 'number' ? (a[key] as number) : undefined);
  const input = usage.input ?? count('gen_ai.usage.input_tokens');
  const output = usage.output ?? count('gen_ai.usage.output_tokens');
  if (input !== undefined || output !== undefined) parts.push(`${input ?? 0} in / ${output ?? 0} out tokens`);
  const cost = jsonNumbers(a, LF.costDetails).total ?? count(GENAI.usageCost);
  if (cost !== undefined) parts.push(`$${cost.toFixed(6)}`);
  if (span.status.code === SpanStatusCode.ERROR) parts.push(`ERROR ${span.status.message ?? ''}`.trim());
  if (a[LF.bridgeIncomplete] === true) parts.push('(incomplete)');
  return parts.join('  ');
}

function rootLine(root: ReadableSpan): string {
  const a = root.attributes;
  const parts = [`trace ${root.name}`];
  const user = text(a, OTEL.userId);
  const session = text(a, OTEL.sessionId);
  if (user !== undefined) parts.push(`user ${user}`);
  if (session !== undefined) parts.push(`session ${session}`);
  parts.push(seconds(root.duration));
  const id = text(a, LF.traceId);
  if (id !== undefined) parts.push(`(langfuse ${id.length > 12 ? `${id.slice(0, 12)}…` : id})`);
  return parts.join('  ');
}

/** The spans of each trace as an indented tree; spans whose parent is not here start a tree. */
export function formatTraceTrees(spans: readonly ReadableSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const children = new Map<string, ReadableSpan[]>();
  const roots: ReadableSpan[] = [];
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    if (parent !== undefined && ids.has(parent)) {
      const list = children.get(parent);
      if (list) list.push(span);
      else children.set(parent, [span]);
    } else roots.push(span);
  }
  const lines: string[] = [];
  const walk = (span: ReadableSpan, prefix: string): void => {
    const kids = children.get(span.spanContext().spanId) ?? [];
    kids.forEach((kid, i) => {
      const last = i === kids.length - 1;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${describe(kid)}`);
      walk(kid, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  for (const root of roots) {
    lines.push(root.attributes[LF.bridgeSyntheticRoot] === undefined ? describe(root) : rootLine(root));
    walk(root, '');
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** A target that prints each export's traces to `write` (a terminal). */
export function consoleTreeTarget(write: (text: string) => void): ReceiverTarget {
  return {
    description: 'console trace tree',
    export(batch) {
      write(formatTraceTrees(batch.spans));
      return Promise.resolve({ kind: 'ok' });
    },
    shutdown: () => Promise.resolve(),
  };
}
