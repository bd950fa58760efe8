/** Parsers for command-line option values: each throws commander's InvalidArgumentError (exit 2). */
import { InvalidArgumentError } from 'commander';

/** A whole number >= `min` (1 unless given). */
export function integerAtLeast(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`);
    return n;
  };
}

export const positiveInteger = integerAtLeast(1);

/** A TCP port, 0 (any free port) to 65535. */
export function port(text: string): number {
  const n = integerAtLeast(0)(text);
  if (n > 65_535) throw new InvalidArgumentError('must be a port number, 0 to 65535');
  return n;
}

/** An http(s) URL, as typed. */
export function httpUrl(text: string): string {
  if (!/^https?:\/\/[^/]/i.test(text) || !URL.canParse(text)) throw new InvalidArgumentError('must be an http(s) URL');
  return text;
}
