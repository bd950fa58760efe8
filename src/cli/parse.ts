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

const UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3,
};

/** A size in bytes: `1073741824`, `512MiB`, `2GB`, `100k` (decimal and binary units). */
export function byteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = match ? UNITS[(match[2] as string).toLowerCase()] : undefined;
  const n = match && factor !== undefined ? Math.floor(Number(match[1]) * factor) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a size in bytes, e.g. 1073741824, 512MiB or 2GB');
  return n;
}
