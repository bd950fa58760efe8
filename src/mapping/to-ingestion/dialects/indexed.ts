/**
 * Rebuilds flattened attribute families (OpenLLMetry `gen_ai.prompt.0.role`, OpenInference
 * `llm.input_messages.0.message.content`) into the arrays they stand for.
 */
import type { AttributeBag } from '../../attribute-bag.js';
import { HOSTILE_KEYS } from '../../json.js';

/** Langfuse's reader allows at most 10,001 array slots; past that the family is left alone. */
const MAX_INDEX = 10_000;

type Tree = Record<string, unknown>;

function insert(root: Tree, path: readonly string[], value: unknown): boolean {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as string;
    if (HOSTILE_KEYS.has(seg) || seg === '') return false;
    if (i === path.length - 1) {
      node[seg] = value;
      return true;
    }
    const next = node[seg];
    if (typeof next === 'object' && next !== null) node = next as Tree;
    else if (next === undefined) {
      const child: Tree = {};
      node[seg] = child;
      node = child;
    } else return false; // both a leaf and a branch: keep the attributes as they are
  }
  return false;
}

/** Objects whose keys are all small integers become arrays, recursively. */
function arrays(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const obj = v as Tree;
  const keys = Object.keys(obj);
  const numeric = keys.length > 0 && keys.every((k) => /^\d+$/.test(k) && Number(k) <= MAX_INDEX);
  if (numeric) {
    const out: unknown[] = [];
    for (const k of keys.sort((a, b) => Number(a) - Number(b))) out.push(arrays(obj[k]));
    return out;
  }
  const out: Tree = {};
  for (const k of keys) out[k] = arrays(obj[k]);
  return out;
}

/**
 * Takes every `<prefix><index>.<path>` attribute and returns the rebuilt array, or undefined when
 * there is none (or the keys do not form an indexed family, in which case nothing is consumed).
 */
export function takeIndexed(attrs: AttributeBag, prefix: string): unknown[] | undefined {
  // Most spans have no key of the family: the rebuild is not even called.
  return attrs.hasPrefix(prefix) ? rebuild(attrs, prefix) : undefined;
}

function rebuild(attrs: AttributeBag, prefix: string): unknown[] | undefined {
  const entries = attrs.withPrefix(prefix).filter(([rest]) => /^\d+(\.|$)/.test(rest));
  if (entries.length === 0) return undefined;
  const root: Tree = {};
  for (const [rest, value] of entries) {
    if (!insert(root, rest.split('.'), value)) return undefined;
  }
  const rebuilt = arrays(root);
  if (!Array.isArray(rebuilt)) return undefined;
  for (const [rest] of entries) attrs.delete(prefix + rest);
  return rebuilt;
}

/** Removes single-key wrapper objects OpenInference puts around items (`{message: {...}}`). */
export function unwrap(v: unknown, wrappers: ReadonlySet<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => unwrap(x, wrappers));
  if (typeof v !== 'object' || v === null) return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && wrappers.has(keys[0] as string)) {
    return unwrap((v as Tree)[keys[0] as string], wrappers);
  }
  const out: Tree = {};
  for (const k of keys) out[k] = unwrap((v as Tree)[k], wrappers);
  return out;
}
