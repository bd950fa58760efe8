/**
 * Payload hygiene towards tracing backends (design.md 6.8): Jaeger and Tempo store GenAI
 * payloads badly, so inline base64 media is replaced by a small placeholder and long strings are
 * cut with a marker that names the original length. Langfuse media tags pass unchanged.
 */
import type { Attributes } from '@opentelemetry/api';
import { hash } from 'node:crypto';
import { truncateUtf8 } from '../../../src/mapping/attribute-bag.js';
import { utf8Length } from '../../../src/mapping/json.js';
import type { IssueSink } from '../../../src/mapping/result.js';

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

/** Applies both rules to every string (and string array item) of `attrs`, in place. */
export function cleanAttributes(attrs: Attributes, opts: HygieneOptions, issues: IssueSink): Attributes {
  for (const key of Object.keys(attrs)) {
    const value = attrs[key];
    if (typeof value === 'string') {
      const clean = cleanString(value, key, opts, issues);
      if (clean !== value) attrs[key] = clean;
    }
    else if (Array.isArray(value) && value.some((v) => typeof v === 'string')) {
      attrs[key] = (value as Array<string | null | undefined>).map((v) =>
        typeof v === 'string' ? cleanString(v, key, opts, issues) : v,
      ) as string[];
    }
  }
  return attrs;
}
