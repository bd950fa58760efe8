/**
 * A consume-and-delete view of a span's attributes (the Collector Zipkin translator's technique):
 * mappers `take` what they map, and whatever is left becomes `metadata.attributes`, so nothing is
 * lost and nothing is written twice.
 */
import { HOSTILE_KEYS, isNonEmpty, utf8Length } from './json.js';
import type { IssueSink } from './result.js';

export type AttrValue = unknown;

/** Default cap on one attribute string, in UTF-8 bytes: the per-event limit of the Langfuse SDKs. */
export const DEFAULT_MAX_ATTRIBUTE_BYTES = 1_000_000;

const TRUNCATION_MARKER = '...[truncated by otel-langfuse-bridge, original length ';

/** Cuts `text` to at most `maxBytes` UTF-8 bytes (plus a marker naming the original length). */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    if (size === 4) i++;
  }
  return `${text.slice(0, i)}${TRUNCATION_MARKER}${utf8Length(text)} bytes]`;
}

function hasHostileSegment(key: string): boolean {
  if (!key.includes('__proto__') && !key.includes('constructor') && !key.includes('prototype')) return false;
  if (HOSTILE_KEYS.has(key)) return true;
  for (const segment of key.split('.')) if (HOSTILE_KEYS.has(segment)) return true;
  return false;
}

export class AttributeBag {
  private readonly _map = new Map<string, AttrValue>();

  /**
   * Copies `attributes`, dropping keys with a `__proto__`/`constructor`/`prototype` segment and
   * cutting strings (also inside arrays) longer than `maxBytes`; each drop or cut is an issue.
   */
  constructor(attributes: unknown, issues: IssueSink, maxBytes = DEFAULT_MAX_ATTRIBUTE_BYTES) {
    if (typeof attributes !== 'object' || attributes === null) return;
    for (const key of Object.keys(attributes)) {
      if (hasHostileSegment(key)) {
        issues.add('HOSTILE_KEY', `attribute key "${key.slice(0, 100)}" dropped`, key);
        continue;
      }
      let value = (attributes as Record<string, unknown>)[key];
      if (value === undefined || value === null) continue;
      if (maxBytes > 0) value = capValue(value, key, maxBytes, issues);
      this._map.set(key, value);
    }
  }

  get size(): number {
    return this._map.size;
  }

  has(key: string): boolean {
    return this._map.has(key);
  }

  peek(key: string): AttrValue {
    return this._map.get(key);
  }

  /** The value under `key`, removed from the leftovers. */
  take(key: string): AttrValue {
    const v = this._map.get(key);
    this._map.delete(key);
    return v;
  }

  delete(key: string): void {
    this._map.delete(key);
  }

  /** A string value (numbers and booleans are not coerced), without consuming it. */
  peekString(key: string): string | undefined {
    const v = this._map.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  /** The first key of `keys` whose value is non-empty in Langfuse's sense. */
  firstNonEmpty(keys: readonly string[]): string | undefined {
    for (const k of keys) if (isNonEmpty(this._map.get(k))) return k;
    return undefined;
  }

  /** Entries whose key starts with `prefix`, with the prefix removed, in insertion order. */
  withPrefix(prefix: string): Array<[string, AttrValue]> {
    const out: Array<[string, AttrValue]> = [];
    for (const [k, v] of this._map) if (k.startsWith(prefix)) out.push([k.slice(prefix.length), v]);
    return out;
  }

  /** Removes and returns the entries under `prefix` (prefix removed). */
  takePrefix(prefix: string): Array<[string, AttrValue]> {
    const out = this.withPrefix(prefix);
    for (const [k] of out) this._map.delete(prefix + k);
    return out;
  }

  /** What no mapper took, keys sorted so output is byte-stable. */
  leftovers(): Record<string, AttrValue> {
    const out: Record<string, AttrValue> = {};
    for (const k of [...this._map.keys()].sort()) out[k] = this._map.get(k);
    return out;
  }
}

function capValue(value: unknown, key: string, maxBytes: number, issues: IssueSink): unknown {
  if (typeof value === 'string') {
    // A UTF-8 byte is at most one UTF-16 unit, so only long strings need measuring.
    if (value.length > maxBytes / 3 && utf8Length(value) > maxBytes) {
      issues.add('TRUNCATED', `attribute cut to ${maxBytes} bytes (was ${utf8Length(value)})`, key);
      return truncateUtf8(value, maxBytes);
    }
    return value;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const capped = typeof item === 'string' ? capValue(item, key, maxBytes, issues) : item;
      if (capped !== item) changed = true;
      return capped;
    });
    return changed ? out : value;
  }
  return value;
}
