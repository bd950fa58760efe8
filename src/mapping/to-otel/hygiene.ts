/**
 * Payload hygiene towards tracing backends (design.md 6.8): Jaeger and Tempo store GenAI
 * payloads badly, so inline base64 media is replaced by a small placeholder and long strings are
 * cut with a marker that names the original length. Langfuse media tags pass unchanged.
 */
import { hash } from 'node:crypto';
import type { AttrList } from '../attr-list.js';
import { truncateUtf8 } from '../attribute-bag.js';
import { utf8Length } from '../json.js';
import type { IssueSink } from '../result.js';

export interface HygieneOptions {
  /** Cap per string attribute in UTF-8 bytes; 0 = off. */
  readonly maxAttributeBytes: number;
  /** Keep `data:` base64 media as it is. */
  readonly keepBase64: boolean;
}

/** `data:<mime>;base64,<payload>` with a payload long enough to be worth replacing. */
const DATA_URI = /data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/]{32,}={0,2})/g;

function placeholder(mime: string, payload: string): string {
  const bytes = Math.floor((payload.length * 3) / 4) - (payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0);
  return `[base64 ${mime}, ${bytes} bytes, sha256 ${hash('sha256', payload, 'hex').slice(0, 16)}]`;
}

function cleanString(value: string, key: string, opts: HygieneOptions, issues: IssueSink): string {
  let out = value;
  if (!opts.keepBase64 && out.includes(';base64,')) {
    let replaced = 0;
    out = out.replace(DATA_URI, (_m, mime: string, payload: string) => {
      replaced++;
      return placeholder(mime, payload);
    });
    if (replaced > 0) issues.add('TRUNCATED', `${replaced} base64 data URI(s) replaced by a placeholder`, key);
  }
  if (opts.maxAttributeBytes > 0 && out.length * 3 > opts.maxAttributeBytes && utf8Length(out) > opts.maxAttributeBytes) {
    issues.add('TRUNCATED', `attribute cut to ${opts.maxAttributeBytes} bytes (was ${utf8Length(out)})`, key);
    out = truncateUtf8(out, opts.maxAttributeBytes);
  }
  return out;
}

/** Applies both rules to every string (and string array item) of `attrs`, in place, in the order of their keys. */
export function cleanAttributes(attrs: AttrList, opts: HygieneOptions, issues: IssueSink): void {
  const order = attrs.order();
  const keys = attrs.keys;
  const values = attrs.values;
  for (let j = 0; j < keys.length; j++) {
    const i = order === undefined ? j : (order[j] as number);
    const value = values[i];
    if (typeof value === 'string') {
      if (!mayNeedCleaning(value, opts)) continue;
      const clean = cleanString(value, keys[i] as string, opts, issues);
      if (clean !== value) attrs.replaceAt(i, clean);
    } else if (Array.isArray(value)) {
      const clean = cleanArray(value as Array<string | null | undefined>, keys[i] as string, opts, issues);
      if (clean !== value) attrs.replaceAt(i, clean);
    }
  }
}

/** False when neither rule can change `value`: no base64 marker, and short enough in any encoding. */
function mayNeedCleaning(value: string, opts: HygieneOptions): boolean {
  return (!opts.keepBase64 && value.includes(';base64,')) || (opts.maxAttributeBytes > 0 && value.length * 3 > opts.maxAttributeBytes);
}

/**
 * The array with its strings cleaned: a copy (holes kept, as `map` keeps them) when a string in it
 * changes, else the array itself (equal to the copy `map` used to make of it).
 */
function cleanArray(value: Array<string | null | undefined>, key: string, opts: HygieneOptions, issues: IssueSink): string[] {
  let out: Array<string | null | undefined> | undefined;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'string' || !mayNeedCleaning(v, opts)) continue;
    const clean = cleanString(v, key, opts, issues);
    if (clean === v) continue;
    if (out === undefined) {
      out = new Array<string | null | undefined>(value.length);
      for (let j = 0; j < value.length; j++) if (j in value) out[j] = value[j];
    }
    out[i] = clean;
  }
  return (out ?? value) as string[];
}
