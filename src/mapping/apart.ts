/**
 * Calls kept out of the optimising compiler's inlining. TurboFan inlines a function into every
 * caller it compiles, and a helper used in a dozen readers is compiled a dozen times over (besides
 * on its own): in a fresh process that compile work is a large part of the cost of the first ten
 * thousand spans. Through this one call site, which sees many functions and so is megamorphic
 * (V8 does not inline a megamorphic call), the helper is compiled once, on its own, and called.
 * Only for helpers whose work dwarfs a call (JSON parsing, the rare branch of a small check).
 */

/** `f(a, b, c, d)` through the shared call site. */
export function apart<A, B, C, D, R>(f: (a: A, b: B, c: C, d: D) => R, a: A, b: B, c: C, d: D): R;
export function apart<A, B, C, R>(f: (a: A, b: B, c: C) => R, a: A, b: B, c: C): R;
export function apart<A, B, R>(f: (a: A, b: B) => R, a: A, b: B): R;
export function apart<A, R>(f: (a: A) => R, a: A): R;
export function apart(f: (a: unknown, b: unknown, c: unknown, d: unknown) => unknown, a: unknown, b?: unknown, c?: unknown, d?: unknown): unknown {
  return f(a, b, c, d);
}
