/**
 * Span attributes as two parallel lists (keys, values) that behave exactly like the plain object
 * `out[key] = value` would build: a key set again keeps its place, `has` answers what `key in out`
 * answers (the keys of `Object.prototype` included), and the order of {@link AttrList.order} is
 * the order of `Object.keys(out)` (array-index keys first, ascending, then the others in the order
 * they were first set). Cheaper to build than an object with a few dozen dynamic keys, and read in
 * order by the OTLP writers without an `Object.keys` per span; {@link AttrList.toObject} makes the
 * object itself for the `ReadableSpan` API. A property test holds it equal to a real object.
 */
import type { Attributes } from '@opentelemetry/api';

/** An attribute's value as an `Attributes` object holds it. */
export type AttrValue = Attributes[string];

/** `'0'` to `'4294967294'` without leading zeros: the keys an object lists first, as numbers. */
export function isArrayIndex(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 10) return false;
  const first = key.charCodeAt(0);
  if (first < 0x30 || first > 0x39 || (first === 0x30 && n > 1)) return false;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return n < 10 || Number(key) <= 4_294_967_294;
}

export class AttrList {
  /** See LangfuseOtlpSpan.hiddenClassKeepers: a full GC must not collect this class's hidden class. */
  static readonly hiddenClassKeeper = new AttrList();

  readonly keys: string[] = [];
  readonly values: AttrValue[] = [];
  /** Whether some key is an array index (then {@link order} sorts). */
  private _indexKeys = false;

  get size(): number {
    return this.keys.length;
  }

  /** What `key in object` answers. */
  has(key: string): boolean {
    return this.keys.includes(key) || key in Object.prototype;
  }

  /** The value of an own key, as `Object.hasOwn(object, key) ? object[key] : undefined`. */
  get(key: string): AttrValue {
    const at = this.keys.indexOf(key);
    return at < 0 ? undefined : this.values[at];
  }

  /** `object[key] = value`. `__proto__` is never an own key of an object so set (it is ignored). */
  set(key: string, value: AttrValue): void {
    const at = this.keys.indexOf(key);
    if (at >= 0) this.values[at] = value;
    else if (key !== '__proto__') this.append(key, value);
  }

  /** `object[key] = value` for a key known not to be there yet. */
  append(key: string, value: AttrValue): void {
    this.keys.push(key);
    this.values.push(value);
    if (!this._indexKeys && isArrayIndex(key)) this._indexKeys = true;
  }

  /** Replaces the value at position `at` (of {@link keys}). */
  replaceAt(at: number, value: AttrValue): void {
    this.values[at] = value;
  }

  /** Empties the list, for the next use; returns it. */
  reset(): this {
    this.keys.length = 0;
    this.values.length = 0;
    this._indexKeys = false;
    return this;
  }

  /** `Object.assign(object, other)`: every key of `other`, in its order, set here. */
  assign(other: AttrList): void {
    const order = other.order();
    for (let j = 0; j < other.keys.length; j++) {
      const i = order === undefined ? j : (order[j] as number);
      this.set(other.keys[i] as string, other.values[i]);
    }
  }

  /** A list of the same keys and values (the values themselves shared, as `{ ...object }` shares them). */
  copy(): AttrList {
    const out = new AttrList();
    out.keys.push(...this.keys);
    out.values.push(...this.values);
    out._indexKeys = this._indexKeys;
    return out;
  }

  /** Positions in `Object.keys` order; undefined when that is the order of the lists (no array-index key). */
  order(): number[] | undefined {
    if (!this._indexKeys) return undefined;
    const positions = this.keys.map((_, i) => i);
    const index = positions.filter((i) => isArrayIndex(this.keys[i] as string)).sort((a, b) => Number(this.keys[a]) - Number(this.keys[b]));
    return [...index, ...positions.filter((i) => !isArrayIndex(this.keys[i] as string))];
  }

  /** The object the same assignments make. */
  toObject(): Attributes {
    const out: Attributes = {};
    const keys = this.keys;
    const values = this.values;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      // Only a list made by `of` can hold it: an own `__proto__` key, defined as such.
      if (key === '__proto__') Object.defineProperty(out, key, { value: values[i], enumerable: true, writable: true, configurable: true });
      else out[key] = values[i];
    }
    return out;
  }

  /** A list of an object's own enumerable keys and values, in their order. */
  static of(attributes: Attributes): AttrList {
    const list = new AttrList();
    for (const key of Object.keys(attributes)) list.append(key, attributes[key]);
    return list;
  }
}
