/**
 * What the attribute bags of one record shape share: a record's keys in order (every span an
 * instrumentation makes has the same keys in the same order), per key whether it is hostile and
 * which scanned prefixes it starts with, the positions of each prefix's keys, the sorted order of
 * the leftovers. Shapes and per-key facts live in bounded memos: results never depend on them.
 */
import { apart } from './apart.js';
import { HOSTILE_KEYS, MENTIONS_HOSTILE_KEY } from './json.js';
import { AI, GENAI, LF, OI, TRACELOOP } from './keys.js';

const NO_KEYS: readonly string[] = Object.freeze([]);

/** A key with a `__proto__`/`constructor`/`prototype` segment. */
export function hasHostileSegment(key: string): boolean {
  if (!MENTIONS_HOSTILE_KEY.test(key)) return false;
  if (HOSTILE_KEYS.has(key)) return true;
  for (const segment of key.split('.')) if (HOSTILE_KEYS.has(segment)) return true;
  return false;
}

/**
 * Sorts `keys` in place by UTF-16 code units, as `Array.prototype.sort()` does. A plain insertion
 * sort: the default sort costs about twice as much on the dozen or so keys a span has left.
 */
function sortKeys(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}

/** Bit of a key's first character in {@link AttributeBag}'s first-character set. */
function firstCharBit(key: string): number {
  return 1 << (key.charCodeAt(0) & 31);
}

/**
 * The prefixes the forward mapping's readers scan (at most 30): a bag knows, per prefix, whether
 * any of its keys starts with it, and scans only the keys that start with one of them. A prefix
 * not listed here is scanned over every key, with the same result.
 */
export const SCANNED_PREFIXES: readonly string[] = [
  'langfuse.', LF.metadataPrefix, LF.legacyMetadataPrefix, LF.traceMetadataPrefix, AI.metadataPrefix, AI.settingsPrefix,
  GENAI.requestPrefix, GENAI.usagePrefix, OI.tokenCountPrefix, OI.costPrefix, OI.inputMessagesPrefix, OI.outputMessagesPrefix,
  'llm.prompts.', 'llm.choices.', GENAI.promptPrefix, GENAI.completionPrefix, OI.toolsPrefix, TRACELOOP.functionsPrefix,
];
const PREFIX_BITS = new Map<string, number>(SCANNED_PREFIXES.map((p, i) => [p, 1 << i]));
/** Set in a {@link KEY_INFO} entry: the key has no hostile segment. */
const CLEAN = 1 << 30;

/**
 * Per key: the bits of the scanned prefixes it starts with, and {@link CLEAN}. The same few dozen
 * keys come back in every span; bounded, it starts over when full (a memo: results never depend
 * on it).
 */
const KEY_INFO = new Map<string, number>();
const MAX_KEY_INFO = 8192;

/** The key's prefix bits with {@link CLEAN}, or -1 for a key with a hostile segment. */
function keyInfo(key: string): number {
  const known = KEY_INFO.get(key);
  if (known !== undefined) return known;
  if (hasHostileSegment(key)) return -1;
  let info = CLEAN;
  for (let i = 0; i < SCANNED_PREFIXES.length; i++) if (key.startsWith(SCANNED_PREFIXES[i] as string)) info |= 1 << i;
  if (KEY_INFO.size >= MAX_KEY_INFO) KEY_INFO.clear();
  KEY_INFO.set(key, info);
  return info;
}

/**
 * What the spans of one instrumentation share: the keys of their attribute records, in order (the
 * same keys come back in every span an instrumentation makes), what is known of each key, each
 * scanned prefix's keys, and the keys in sorted order. Looked up by the list of keys.
 */
export class Shape {
  /** See AttributeBag.hiddenClassKeepers. */
  static readonly hiddenClassKeeper = new Shape([]);

  readonly keys: readonly string[];
  /** Position of each key. */
  readonly index = new Map<string, number>();
  /** {@link keyInfo} of each key, by position. */
  readonly info: number[] = [];
  /** The bits of the scanned prefixes some key starts with. */
  readonly prefixBits: number;
  /** One bit per first character (modulo 32) of the keys. */
  readonly firstChars: number;
  /** The keys under each prefix asked for (none included): their positions and the rest of each key. */
  private readonly _byPrefix = new Map<string, PrefixKeys>();
  /** Positions of the keys without a hostile segment, by key in UTF-16 order. */
  private _sorted: readonly number[] | undefined;
  /**
   * Per list of keys asked for (the readers' constants): the ones this shape has, in order
   * ({@link present}'s memo, which AttributeBag looks up itself: one call less per reading).
   */
  readonly presentMemo = new Map<readonly string[], readonly string[]>();
  /** Per plan (a reader's constant function of a shape): what it made of this shape. */
  private readonly _plans = new Map<ShapePlan<unknown>, unknown>();

  constructor(keys: readonly string[]) {
    this.keys = keys;
    let prefixBits = 0;
    let firstChars = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const info = keyInfo(key);
      this.info.push(info);
      this.index.set(key, i);
      if (info !== -1) prefixBits |= info & ~CLEAN;
      firstChars |= firstCharBit(key);
    }
    this.prefixBits = prefixBits;
    this.firstChars = firstChars;
  }

  /**
   * The keys that start with `prefix`, in order: their positions, and each key without the prefix
   * (cut once per shape, not once per bag). One lookup: the answer for a prefix none of the keys
   * has is kept too. The lookup is small, the build apart: the lookups are inlined wherever they
   * are called (a dozen places), and code inlined is compiled again in each.
   */
  withPrefix(prefix: string): PrefixKeys {
    return this._byPrefix.get(prefix) ?? apart(keysWithPrefix, this, prefix);
  }

  /** {@link withPrefix}'s build (called apart, see apart.ts: the lookup is inlined in a dozen places, the build is rare). */
  _keysWithPrefix(prefix: string): PrefixKeys {
    const bit = PREFIX_BITS.get(prefix);
    let found: PrefixKeys = NO_PREFIX_KEYS;
    // Its bits tell, without a scan, when no key can start with it.
    if (bit !== undefined ? (this.prefixBits & bit) !== 0 : prefix === '' || (this.firstChars & firstCharBit(prefix)) !== 0) {
      const positions: number[] = [];
      const rests: string[] = [];
      for (let i = 0; i < this.keys.length; i++) {
        const key = this.keys[i] as string;
        if (this.info[i] !== -1 && key.startsWith(prefix)) {
          positions.push(i);
          rests.push(key.slice(prefix.length));
        }
      }
      if (positions.length > 0) found = { positions, rests };
    }
    // Prefixes are the readers' constants and the few indexed families: bounded all the same.
    if (this._byPrefix.size < MAX_PREFIXES) this._byPrefix.set(prefix, found);
    return found;
  }

  /** True when the shape has `key` and it has no hostile segment (its value may still be absent). */
  hasKey(key: string): boolean {
    const at = this.index.get(key);
    return at !== undefined && this.info[at] !== -1;
  }

  /** The keys of `keys` this shape has ({@link hasKey}), in their order (lookup and build apart, as in withPrefix). */
  present(keys: readonly string[]): readonly string[] {
    return this.presentMemo.get(keys) ?? apart(buildPresent, this, keys);
  }

  /** {@link present}'s build (called apart, as withPrefix's). */
  _buildPresent(keys: readonly string[]): readonly string[] {
    const list: string[] = [];
    for (let i = 0; i < keys.length; i++) if (this.hasKey(keys[i] as string)) list.push(keys[i] as string);
    const found = list.length === 0 ? NO_KEYS : list.length === keys.length ? keys : list;
    // Lists are the readers' constants: bounded all the same.
    if (this.presentMemo.size < MAX_PER_SHAPE) this.presentMemo.set(keys, found);
    return found;
  }

  /** True when some key without a hostile segment starts with `prefix`. */
  hasPrefix(prefix: string): boolean {
    return this.withPrefix(prefix).positions.length > 0;
  }

  /**
   * What `make` makes of this shape, made once per shape (lookup and build apart, as in
   * withPrefix): a reader's plan, such as which of its sources can find anything in a record of
   * these keys. `make` must be a constant and its answer depend on the shape alone.
   */
  plan<T>(make: ShapePlan<T>): T {
    const known = this._plans.get(make);
    return known !== undefined ? (known as T) : (apart(buildPlan, this, make as ShapePlan<unknown>) as T);
  }

  /** {@link plan}'s build (called apart, as withPrefix's). */
  _buildPlan<T>(make: ShapePlan<T>): T {
    const plan = make(this);
    // Plans are the readers' constants: bounded all the same.
    if (this._plans.size < MAX_PER_SHAPE) this._plans.set(make as ShapePlan<unknown>, plan);
    return plan;
  }

  sorted(): readonly number[] {
    return this._sorted ?? apart(buildSorted, this);
  }

  /** {@link sorted}'s build (called apart, as withPrefix's). */
  _buildSorted(): readonly number[] {
    const keys = this.keys.filter((_, i) => this.info[i] !== -1);
    sortKeys(keys);
    this._sorted = keys.map((k) => this.index.get(k) as number);
    return this._sorted;
  }
}

/** A reader's plan for the records of one shape: a constant function of the shape alone, never undefined. */
export type ShapePlan<T> = (shape: Shape) => T;

const keysWithPrefix = (shape: Shape, prefix: string): PrefixKeys => shape._keysWithPrefix(prefix);
const buildPresent = (shape: Shape, keys: readonly string[]): readonly string[] => shape._buildPresent(keys);
const buildSorted = (shape: Shape): readonly number[] => shape._buildSorted();
const buildPlan = (shape: Shape, make: ShapePlan<unknown>): unknown => shape._buildPlan(make);

/** The keys of a shape under one prefix: their positions, in order, and each key without the prefix. */
export interface PrefixKeys {
  readonly positions: readonly number[];
  readonly rests: readonly string[];
}

const NO_PREFIX_KEYS: PrefixKeys = Object.freeze({ positions: Object.freeze([]), rests: Object.freeze([]) });
/** Bound on the prefixes one shape keeps (the readers' constants and the indexed families). */
const MAX_PREFIXES = 64;
/** Bound on the key lists one shape keeps (they are the readers' constants: a few dozen). */
const MAX_PER_SHAPE = 256;

/** Shapes seen lately, by number of keys; bounded, it starts over when full (a memo). */
const SHAPES = new Map<number, Shape[]>();
let shapeCount = 0;
const MAX_SHAPES = 256;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  // Keys of attribute records are internalised strings: mostly a pointer compare each.
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The shape of a record with these keys (the same object for the same keys in the same order). */
export function shapeOf(keys: readonly string[]): Shape {
  let list = SHAPES.get(keys.length);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) if (sameKeys((list[i] as Shape).keys, keys)) return list[i] as Shape;
  }
  if (shapeCount >= MAX_SHAPES) {
    // Bounded whatever the lengths: records of one length with ever new keys start it over too.
    SHAPES.clear();
    shapeCount = 0;
    list = undefined;
  }
  if (list === undefined) SHAPES.set(keys.length, (list = []));
  const shape = new Shape(keys);
  list.push(shape);
  shapeCount++;
  return shape;
}
