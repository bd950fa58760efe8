/**
 * A consume-and-delete view of a span's attributes (the Collector Zipkin translator's technique):
 * mappers `take` what they map, and whatever is left becomes `metadata.attributes`, so nothing is
 * lost and nothing is written twice.
 */
import { apart } from './apart.js';
import { hasHostileSegment, shapeOf } from './attribute-shape.js';
import type { Shape, ShapePlan } from './attribute-shape.js';
import { isNonEmpty, parseJson, utf8Length } from './json.js';
import { IssueSink } from './result.js';

export { SCANNED_PREFIXES } from './attribute-shape.js';

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

export class AttributeBag {
  /**
   * A sink and a bag that live as long as the class and are never read. V8 reaches the hidden
   * class of instances with fields only through weak map transitions: with no instance alive, as
   * between two exports, a full GC collects it and throws away every optimised function that
   * embeds it (about 40 of the forward mapping's), which then run at half speed until V8 has
   * optimised them again. Measured: 10,000 AI SDK spans mapped right after a full GC took 440-500
   * ms without these, 250-290 ms with them (the steady state).
   */
  static readonly hiddenClassKeepers: readonly object[] = [new IssueSink(), new AttributeBag({}, new IssueSink())];

  private readonly _shape: Shape;
  /** The value of each key of the shape, by position; undefined once taken, and for keys dropped or without a value. */
  private readonly _values: AttrValue[] = [];
  private _size = 0;

  /**
   * Copies `attributes`, dropping keys with a `__proto__`/`constructor`/`prototype` segment and
   * cutting strings (also inside arrays) longer than `maxBytes`; each drop or cut is an issue.
   */
  constructor(attributes: unknown, issues: IssueSink, maxBytes = DEFAULT_MAX_ATTRIBUTE_BYTES) {
    const keys = recordKeys(attributes, issues, '');
    const shape = shapeOf(keys);
    this._shape = shape;
    const record = attributes as Record<string, unknown>;
    const info = shape.info;
    const values = this._values;
    // A UTF-8 byte is at most one UTF-16 unit: only strings longer than this may be over the cap.
    const longest = maxBytes > 0 ? maxBytes / 3 : Number.POSITIVE_INFINITY;
    let size = 0;
    // readEntry and capValue, with the common case (a clean key, a string, number, boolean or array of them) inline.
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      let value: unknown;
      if (info[i] === -1) value = readEntry(record, key, issues, '');
      else {
        try {
          value = record[key];
        } catch {
          value = unreadable(issues, key);
        }
        // isJsonScalar's tests inline (strings first: most values are).
        if (value === null) value = undefined;
        else if (value !== undefined && typeof value !== 'string' && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value)) && !isScalarArray(value)) {
          value = toJsonValue(value, key, issues);
        }
      }
      if (value !== undefined) {
        if (typeof value === 'string' ? value.length > longest : maxBytes > 0 && Array.isArray(value)) value = capValue(value, key, maxBytes, issues);
        size++;
      }
      values.push(value);
    }
    this._size = size;
  }

  get size(): number {
    return this._size;
  }

  has(key: string): boolean {
    // peek's body, not a call of it: called a dozen times a span, by readers that run unoptimised at first.
    const at = this._shape.index.get(key);
    return at !== undefined && this._values[at] !== undefined;
  }

  peek(key: string): AttrValue {
    const at = this._shape.index.get(key);
    return at === undefined ? undefined : this._values[at];
  }

  /** The value under `key`, removed from the leftovers. */
  take(key: string): AttrValue {
    const at = this._shape.index.get(key);
    if (at === undefined) return undefined;
    const v = this._values[at];
    if (v !== undefined) {
      this._values[at] = undefined;
      this._size--;
    }
    return v;
  }

  delete(key: string): void {
    const at = this._shape.index.get(key);
    if (at !== undefined && this._values[at] !== undefined) {
      this._values[at] = undefined;
      this._size--;
    }
  }

  /** A string value (numbers and booleans are not coerced), without consuming it. */
  peekString(key: string): string | undefined {
    const v = this.peek(key);
    return typeof v === 'string' ? v : undefined;
  }

  /** The first key of `keys` whose value is non-empty in Langfuse's sense. */
  firstNonEmpty(keys: readonly string[]): string | undefined {
    return AttributeBag.firstNonEmptyOf(this, keys);
  }

  /** {@link firstNonEmpty}, as the readers call it: apart (see apart.ts), the function called apart doing the work. */
  static firstNonEmptyOf(bag: AttributeBag, keys: readonly string[]): string | undefined {
    const present = bag.present(keys);
    for (let i = 0; i < present.length; i++) if (isNonEmpty(bag.peek(present[i] as string))) return present[i];
    return undefined;
  }

  /**
   * The keys of `keys` (a constant list: the answer is kept per record shape) that this bag's
   * shape has, in order: the only ones of them that can hold a value.
   */
  present(keys: readonly string[]): readonly string[] {
    return this._shape.presentMemo.get(keys) ?? this._shape.present(keys);
  }

  /** {@link Shape.plan} of this bag's shape: what `make` made of the shape, once per shape. */
  plan<T>(make: ShapePlan<T>): T {
    return this._shape.plan(make);
  }

  /** True when some key starts with `prefix` (no allocation: most prefixes are absent). */
  hasPrefix(prefix: string): boolean {
    const { positions } = this._shape.withPrefix(prefix);
    for (let i = 0; i < positions.length; i++) if (this._values[positions[i] as number] !== undefined) return true;
    return false;
  }

  /** Entries whose key starts with `prefix`, with the prefix removed, in insertion order. */
  withPrefix(prefix: string): Array<[string, AttrValue]> {
    // No key of the shape under it (most prefixes): nothing to read, no call.
    return this._shape.hasPrefix(prefix) ? apart(AttributeBag.entriesWithPrefix, this, prefix, false) : [];
  }

  /** Removes and returns the entries under `prefix` (prefix removed). */
  takePrefix(prefix: string): Array<[string, AttrValue]> {
    return this._shape.hasPrefix(prefix) ? apart(AttributeBag.entriesWithPrefix, this, prefix, true) : [];
  }

  /**
   * {@link withPrefix}, or {@link takePrefix} when `take`: called apart (see apart.ts: a dozen
   * readers call them), as a static method, so that the function called apart is the one that
   * does the work and is compiled once (a wrapper around it would be compiled with it inlined).
   */
  static entriesWithPrefix(bag: AttributeBag, prefix: string, take: boolean): Array<[string, AttrValue]> {
    const out: Array<[string, AttrValue]> = [];
    const { positions, rests } = bag._shape.withPrefix(prefix);
    const values = bag._values;
    for (let i = 0; i < positions.length; i++) {
      const at = positions[i] as number;
      const v = values[at];
      if (v === undefined) continue;
      out.push([rests[i] as string, v]);
      if (take) {
        values[at] = undefined;
        bag._size--;
      }
    }
    return out;
  }

  /** What no mapper took, keys sorted so output is byte-stable. */
  leftovers(): Record<string, AttrValue> {
    return AttributeBag.leftoversOf(this);
  }

  /** {@link leftovers}, as the OTLP path calls it: apart (see apart.ts), the function called apart doing the work. */
  static leftoversOf(bag: AttributeBag): Record<string, AttrValue> {
    const out: Record<string, AttrValue> = {};
    const sorted = bag._shape.sorted();
    const { keys } = bag._shape;
    const values = bag._values;
    for (let i = 0; i < sorted.length; i++) {
      const at = sorted[i] as number;
      if (values[at] !== undefined) out[keys[at] as string] = values[at];
    }
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
    // A copy only when an item is cut (attribute arrays are dense: holes never get this far).
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const capped = typeof item === 'string' ? capValue(item, key, maxBytes, issues) : item;
      if (capped !== item) (out ??= [...value])[i] = capped;
    }
    return out ?? value;
  }
  return value;
}

function isJsonScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * JSON.stringify replacer that cuts cycles and rewrites what JSON cannot hold (non-finite numbers
 * and bigints become text, as Langfuse writes them; functions and symbols are left out), noting
 * in `flags` that something was repaired.
 */
function repairingReplacer(flags: { repaired: boolean }): (this: unknown, key: string, v: unknown) => unknown {
  const path: unknown[] = [];
  return function (this: unknown, _key: string, v: unknown): unknown {
    // `this` holds `v`: what is above `this` on the path is no longer an ancestor.
    while (path.length > 0 && path[path.length - 1] !== this) path.pop();
    if (typeof v === 'object' && v !== null) {
      if (path.includes(v)) {
        flags.repaired = true;
        return '[Circular]';
      }
      path.push(v);
      return v;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      flags.repaired = true;
      return String(v);
    }
    if (typeof v === 'bigint') {
      flags.repaired = true;
      return v.toString();
    }
    if (typeof v === 'function' || typeof v === 'symbol') flags.repaired = true;
    return v;
  };
}

/**
 * A value as JSON can carry it, or undefined when nothing is left. OTel attribute values are
 * strings, numbers, booleans and arrays of them, which pass as they are; anything else (only
 * hand-built or decoded spans have it) goes through JSON with cycles cut (to `"[Circular]"`), hostile keys dropped and
 * values deeper than MAX_JSON_DEPTH kept as their JSON text. Each repair is an issue at `path`.
 */
export function toJsonValue(value: unknown, path: string, issues: IssueSink): unknown {
  if (isJsonScalar(value)) return value;
  if (typeof value === 'number' || typeof value === 'bigint') {
    issues.add('INVALID_VALUE', `${String(value)} is not a finite JSON number; kept as text`, path);
    return String(value);
  }
  if (typeof value !== 'object' || value === null) {
    if (value !== undefined && value !== null) issues.add('INVALID_VALUE', `a ${typeof value} value was dropped`, path);
    return undefined;
  }
  if (isScalarArray(value)) return value;
  const flags = { repaired: false };
  let text: string | undefined;
  try {
    text = JSON.stringify(value, repairingReplacer(flags));
  } catch (err) {
    issues.add('INVALID_VALUE', `value dropped, JSON cannot hold it: ${err instanceof Error ? err.message.slice(0, 100) : ''}`, path);
    return undefined;
  }
  if (text === undefined) {
    issues.add('INVALID_VALUE', 'value dropped, JSON cannot hold it', path);
    return undefined;
  }
  if (flags.repaired) issues.add('INVALID_VALUE', 'cycles, non-finite numbers, bigints or functions repaired', path);
  const parsed = parseJson(text);
  if (!parsed.ok) {
    issues.add('INVALID_VALUE', `kept as JSON text: ${parsed.error}`, path);
    return text;
  }
  if (parsed.droppedKeys > 0) issues.add('HOSTILE_KEY', `${parsed.droppedKeys} hostile key(s) dropped`, path);
  return parsed.value;
}

/** The own keys of an attribute record; none (with an issue) when they cannot be read. */
function recordKeys(record: unknown, issues: IssueSink, prefix: string): readonly string[] {
  if (typeof record !== 'object' || record === null) return NO_KEYS;
  try {
    return Object.keys(record);
  } catch {
    issues.add('INVALID_VALUE', 'attributes could not be read; dropped', prefix || undefined);
    return NO_KEYS;
  }
}

const NO_KEYS: readonly string[] = Object.freeze([]);

/**
 * The value under `key` ready for JSON, or undefined when the entry is dropped: a key with a
 * `__proto__`/`constructor`/`prototype` segment, a value that cannot be read (each an issue at
 * `prefix + key`), null or undefined. Values pass through {@link toJsonValue}.
 */
function readEntry(record: Record<string, unknown>, key: string, issues: IssueSink, prefix: string): unknown {
  if (hasHostileSegment(key)) {
    issues.add('HOSTILE_KEY', `attribute key "${key.slice(0, 100)}" dropped`, prefix + key);
    return undefined;
  }
  return readValue(record, key, issues, prefix);
}

/** {@link readEntry} of a key known to have no hostile segment. */
function readValue(record: Record<string, unknown>, key: string, issues: IssueSink, prefix: string): unknown {
  let raw: unknown;
  try {
    raw = record[key];
  } catch {
    return unreadable(issues, prefix + key);
  }
  if (raw === undefined || raw === null) return undefined;
  // Scalars and arrays of them (every OTel attribute) need no repair and no path for an issue.
  return isJsonScalar(raw) || isScalarArray(raw) ? raw : toJsonValue(raw, prefix + key, issues);
}

/** An attribute whose value could not be read: dropped, with an issue at `path`. */
function unreadable(issues: IssueSink, path: string): undefined {
  issues.add('INVALID_VALUE', 'attribute could not be read; dropped', path);
  return undefined;
}

/** An array of JSON scalars, what toJsonValue passes as it is. */
function isScalarArray(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!isJsonScalar(v[i])) return false;
  return true;
}

/**
 * Calls `visit` with each entry of an attribute record (span, resource, event or link attributes),
 * ready for JSON: keys with a `__proto__`/`constructor`/`prototype` segment dropped, null and
 * undefined values skipped, values passed through {@link toJsonValue}. Each drop is an issue at
 * `prefix + key`.
 */
export function forEachJsonEntry(
  record: unknown,
  issues: IssueSink,
  prefix: string,
  visit: (key: string, value: unknown) => void,
): void {
  const keys = recordKeys(record, issues, prefix);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = readEntry(record as Record<string, unknown>, key, issues, prefix);
    if (value !== undefined) visit(key, value);
  }
}

/** {@link forEachJsonEntry} as a list of `[key, value]` pairs. */
export function jsonEntries(record: unknown, issues: IssueSink, prefix: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  forEachJsonEntry(record, issues, prefix, (key, value) => out.push([key, value]));
  return out;
}
