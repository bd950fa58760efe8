/**
 * The fast path of {@link parseIngestionEvent} for what real clients send (traces, spans, events,
 * generations and the other observation creates): the checks of the zod schemas in ./schema.ts,
 * written out by hand, producing what zod produces (the same values, and the same key order: the
 * schema's keys first, then the unknown ones in input order). Anything it is not sure of (a value
 * of the wrong type, a score, a legacy observation, a `__proto__` or `constructor` key, a symbol
 * key, an object that is not plain, nesting past {@link MAX_DEPTH}) gives `undefined`, and zod
 * has the last word, with its error message. Like zod, it copies what zod copies (objects of the
 * schema, records, arrays) and shares what zod shares (`input`, `output`, unknown keys). A property
 * test checks it against zod on generated and mutated events.
 */
import { z } from 'zod';
import type { IngestionEvent } from './schema.js';

/** A value the fast path does not vouch for. */
const FAIL: unique symbol = Symbol('fail');
type Check = (v: unknown) => unknown;

/** Deeper JSON values are left to zod (whose recursion is the reference for what is too deep). */
const MAX_DEPTH = 64;

const ISO_DATE: RegExp = z.regexes.date;
const TIME_WITH_OFFSET = /^T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * Own enumerable string keys of a plain object (prototype `Object.prototype` or null) with none of
 * the keys zod treats specially, else undefined.
 */
function plainKeys(v: object): string[] | undefined {
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const keys = Object.keys(v);
  for (const key of keys) if (key === '__proto__' || key === 'constructor') return undefined;
  return keys;
}

/** A plain object whose keys a zod record reads (`Reflect.ownKeys`: no symbols). */
function recordKeys(v: unknown): string[] | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const keys = plainKeys(v);
  return keys !== undefined && Object.getOwnPropertySymbols(v).length === 0 ? keys : undefined;
}

/** An object as `JSON.parse` makes it: prototype `Object.prototype`, no symbol keys. */
function strictPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && Object.getOwnPropertySymbols(v).length === 0;
}

/** `strict`: an array as `JSON.parse` makes it (prototype `Array.prototype`, no keys but its indices). */
const plainArray = (v: unknown[], strict: boolean): boolean =>
  !strict || (Object.getPrototypeOf(v) === Array.prototype && Object.getOwnPropertySymbols(v).length === 0 && Object.keys(v).length === v.length);

/** A key of an object schema, its check, and whether it must be there. */
type Shape = ReadonlyArray<readonly [key: string, check: Check, required?: true]>;

/**
 * The checks of the schemas, made twice: copying (each object, record and array the schema
 * describes is a new one, as zod makes it) and sharing (the checks only: the value given is the
 * value vouched for, for a caller that owns its input and needs no copy).
 */
function schemaChecks(copy: boolean): ReadonlyMap<string, Check> {
  /** A copy of `v`, element by element, as a zod array makes it (holes are `undefined`), or FAIL; `v` itself when sharing. */
  function copyArray(v: unknown, item: (x: unknown) => unknown): unknown {
    if (!Array.isArray(v) || !plainArray(v, !copy)) return FAIL;
    const out = copy ? new Array<unknown>(v.length) : undefined;
    for (let i = 0; i < v.length; i++) {
      const x = item(v[i]);
      if (x === FAIL) return FAIL;
      if (out !== undefined) out[i] = x;
    }
    return out ?? v;
  }

  /** A copy of a record, as a zod record makes it (values checked and copied by `value`), or FAIL; `v` itself when sharing. */
  function copyRecord(v: unknown, value: (x: unknown) => unknown): unknown {
    if (!copy) {
      // The same checks over its own keys, without their array.
      if (!strictPlainObject(v)) return FAIL;
      const input = v as Record<string, unknown>;
      for (const key in input) {
        if (!Object.hasOwn(input, key)) continue;
        if (key === '__proto__' || key === 'constructor' || value(input[key]) === FAIL) return FAIL;
      }
      return v;
    }
    const keys = recordKeys(v);
    if (keys === undefined) return FAIL;
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> | undefined = copy ? {} : undefined;
    for (const key of keys) {
      const x = value(input[key]);
      if (x === FAIL) return FAIL;
      if (out !== undefined) out[key] = x;
    }
    return out ?? v;
  }

  /** The server's `jsonSchema` below the root (arrays, records, strings, finite numbers, booleans, null), copied. */
  function copyJson(v: unknown, depth: number): unknown {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        return Number.isFinite(v) ? v : FAIL;
      case 'object':
        if (v === null) return null;
        if (depth > MAX_DEPTH) return FAIL;
        return Array.isArray(v) ? copyArray(v, jsonAt[depth + 1] as Check) : copyRecord(v, jsonAt[depth + 1] as Check);
      default:
        return FAIL;
    }
  }
  /** `copyJson` at each depth, made once (not a closure per object and array). */
  const jsonAt: readonly Check[] = Array.from({ length: MAX_DEPTH + 2 }, (_, depth) => (x: unknown) => copyJson(x, depth));

  const nullish = (check: Check): Check => (v) => (v === null ? null : check(v));
  const anything: Check = (v) => v;
  const string: Check = (v) => (typeof v === 'string' ? v : FAIL);
  const id: Check = (v) => (typeof v === 'string' && v.length >= 1 && v.length <= 800 && !v.includes('\r') ? v : FAIL);
  const dateTime: Check = (v) => (typeof v === 'string' && ISO_DATE.test(v.slice(0, 10)) && TIME_WITH_OFFSET.test(v.slice(10)) ? v : FAIL);
  const int: Check = (v) => (Number.isSafeInteger(v) ? v : FAIL);
  const number: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : FAIL);
  const boolean: Check = (v) => (typeof v === 'boolean' ? v : FAIL);
  const oneOf = (values: readonly string[]): Check => (v) => (typeof v === 'string' && values.includes(v) ? v : FAIL);
  /** `jsonSchema`: a JSON value, not null at its root (nullish wraps it where null is allowed). */
  const json: Check = (v) => (v === null ? FAIL : copyJson(v, 0));
  const stringArray: Check = (v) => copyArray(v, string);
  const record = (value: Check): Check => (v) => copyRecord(v, value);
  /** A `z.union`: the first option that takes the value gives the result. */
  const union = (...checks: Check[]): Check => (v) => {
    for (const check of checks) {
      const out = check(v);
      if (out !== FAIL) return out;
    }
    return FAIL;
  };

  /** A `z.looseObject`: the shape's keys present in the input, in shape order, then the others in input order; `v` itself when sharing. */
  function looseObject(shape: Shape): Check {
    const known = new Set(shape.map(([key]) => key));
    const shapeKeys = shape.map(([key]) => key);
    const shapeChecks = shape.map(([, check]) => check);
    const shapeRequired = shape.map(([, , required]) => required === true);
    if (!copy) {
      // The same checks: every own key (no `undefined` value, none zod treats specially), then the shape's.
      return (v) => {
        if (!strictPlainObject(v)) return FAIL;
        const input = v as Record<string, unknown>;
        for (const key in input) {
          if (!Object.hasOwn(input, key)) continue;
          if (key === '__proto__' || key === 'constructor' || input[key] === undefined) return FAIL;
        }
        for (let i = 0; i < shapeKeys.length; i++) {
          const key = shapeKeys[i] as string;
          if (!Object.hasOwn(input, key)) {
            if (shapeRequired[i]) return FAIL;
            continue;
          }
          if ((shapeChecks[i] as Check)(input[key]) === FAIL) return FAIL;
        }
        return v;
      };
    }
    return (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return FAIL;
      const keys = plainKeys(v);
      if (keys === undefined) return FAIL;
      const input = v as Record<string, unknown>;
      const out: Record<string, unknown> | undefined = copy ? {} : undefined;
      for (let i = 0; i < shape.length; i++) {
        const entry = shape[i] as (typeof shape)[number];
        const key = entry[0];
        const check = entry[1];
        const required = entry[2];
        if (!Object.hasOwn(input, key)) {
          if (required) return FAIL;
          continue;
        }
        const value = input[key];
        if (value === undefined) return FAIL;
        const checked = check(value);
        if (checked === FAIL) return FAIL;
        if (out !== undefined) out[key] = checked;
      }
      for (const key of keys) {
        if (known.has(key)) continue;
        const value = input[key];
        if (value === undefined) return FAIL;
        if (out !== undefined) out[key] = value;
      }
      return out ?? v;
    };
  }

  const observationFields: Shape = [
    ['id', id, true],
    ['traceId', nullish(id)],
    ['environment', anything],
    ['name', nullish(string)],
    ['startTime', nullish(dateTime)],
    ['metadata', nullish(json)],
    ['input', anything],
    ['output', anything],
    ['level', nullish(oneOf(['DEBUG', 'DEFAULT', 'WARNING', 'ERROR']))],
    ['statusMessage', nullish(string)],
    ['parentObservationId', nullish(string)],
    ['version', nullish(string)],
  ];

  const usage = looseObject([
    ['input', nullish(int)],
    ['output', nullish(int)],
    ['total', nullish(int)],
    ['unit', nullish(oneOf(['CHARACTERS', 'TOKENS', 'SECONDS', 'MILLISECONDS', 'IMAGES', 'REQUESTS']))],
    ['promptTokens', nullish(int)],
    ['completionTokens', nullish(int)],
    ['totalTokens', nullish(int)],
    ['inputCost', nullish(number)],
    ['outputCost', nullish(number)],
    ['totalCost', nullish(number)],
  ]);

  const traceBody = looseObject([
    ['id', nullish(id)],
    ['timestamp', nullish(dateTime)],
    ['name', nullish((v) => (typeof v === 'string' && v.length <= 1000 ? v : FAIL))],
    ['externalId', nullish(string)],
    ['input', anything],
    ['output', anything],
    ['sessionId', nullish(string)],
    ['userId', nullish(string)],
    ['environment', anything],
    ['metadata', nullish(json)],
    ['release', nullish(string)],
    ['version', nullish(string)],
    ['public', nullish(boolean)],
    ['tags', nullish(stringArray)],
  ]);
  const eventBody = looseObject(observationFields);
  const spanBody = looseObject([...observationFields, ['endTime', nullish(dateTime)]]);
  const generationFields = looseObject([
    ...observationFields,
    ['endTime', nullish(dateTime)],
    ['completionStartTime', nullish(dateTime)],
    ['model', nullish(string)],
    ['modelParameters', nullish(record(nullish(union(string, number, boolean, stringArray, record(string)))))],
    ['usage', nullish(usage)],
    ['usageDetails', nullish(record(anything))],
    ['costDetails', nullish(record(anything))],
    ['promptName', nullish(string)],
    ['promptVersion', nullish(int)],
  ]);
  /** The schema's refine: truthiness as on the server. */
  const generationBody: Check = (v) => {
    const out = generationFields(v);
    if (out === FAIL) return FAIL;
    const body = out as Record<string, unknown>;
    return Boolean(body.promptName) === Boolean(body.promptVersion) ? out : FAIL;
  };

  const BODIES: Readonly<Record<string, Check>> = {
    'trace-create': traceBody,
    'event-create': eventBody,
    'span-create': spanBody,
    'span-update': spanBody,
    ...Object.fromEntries(
      ['generation-create', 'generation-update', 'agent-create', 'tool-create', 'chain-create', 'retriever-create', 'evaluator-create', 'embedding-create', 'guardrail-create'].map(
        (type) => [type, generationBody],
      ),
    ),
  };

  return new Map(
    Object.entries(BODIES).map(([type, body]) => [
      type,
      looseObject([
        ['id', id, true],
        ['timestamp', dateTime, true],
        ['metadata', nullish(json)],
        ['type', anything, true],
        ['body', body, true],
      ]),
    ]),
  );
}

const COPYING = schemaChecks(true);
const SHARING = schemaChecks(false);

/**
 * The event zod's `ingestionEventSchema` would give for `raw`, when the fast path is sure of it;
 * `undefined` when zod must decide (a failure included). Throws what reading `raw` throws.
 */
export function fastParseEvent(raw: unknown): IngestionEvent | undefined {
  return vouch(COPYING, raw);
}

/**
 * {@link fastParseEvent} without the copy, for what `JSON.parse` made: `raw` itself when the fast
 * path vouches for it and every object and array in it is a plain one (zod would give the same
 * values, its objects in the schema's key order), else `undefined` (zod must decide). For a caller
 * that owns `raw` and reads the event's fields, never its key order.
 */
export function fastCheckEvent(raw: unknown): IngestionEvent | undefined {
  return vouch(SHARING, raw);
}

function vouch(envelopes: ReadonlyMap<string, Check>, raw: unknown): IngestionEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const type = (raw as { type?: unknown }).type;
  const envelope = typeof type === 'string' ? envelopes.get(type) : undefined;
  if (envelope === undefined) return undefined;
  const out = envelope(raw);
  return out === FAIL ? undefined : (out as IngestionEvent);
}
