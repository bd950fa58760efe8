/**
 * The V8 heap `convert` runs with, set by the command line's own process before it reads anything
 * (`v8.setFlagsFromString`; the collector reads both values at each collection, so they take
 * effect at run time):
 * - `--semi-space-growth-factor=1`: the young generation keeps its starting size (a 1 MiB
 *   semi-space) instead of growing to two 16 MiB semi-spaces. What lives long (the open traces)
 *   is promoted either way; what dies young dies as young in 1 MiB.
 * - `--heap-growing-percent=80`: between two full collections the old generation grows to 1.8
 *   times what the last one left alive, instead of up to about four times: the open traces and
 *   the remembered ids (about 47 MiB) then cost less than twice that, not four times (peak RSS
 *   at 400 MB of litellm-style log: 359 -> 178 MiB with both flags, for about 3% more CPU than
 *   V8's own growth).
 * A flag given on the command line or in `NODE_OPTIONS` (the same one, or one setting the same
 * size) is left as given.
 */
import { setFlagsFromString } from 'node:v8';

interface HeapFlag {
  /** The flag set. */
  readonly flag: string;
  /** Flags of the user's that set the same thing: when one is given, this one is not set. */
  readonly givenBy: readonly string[];
}

const CONVERT_HEAP: readonly HeapFlag[] = [
  { flag: '--semi-space-growth-factor=1', givenBy: ['semi-space-growth-factor', 'max-semi-space-size', 'min-semi-space-size'] },
  { flag: '--heap-growing-percent=80', givenBy: ['heap-growing-percent'] },
];

/** V8 reads `--a-b` and `--a_b` alike. */
const normal = (name: string): string => name.replace(/_/g, '-');

/** The names of the `--flags` in `args` (without `--` and value). */
function flagNames(args: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const arg of args) {
    const m = /^--?([a-z0-9_-]+)/i.exec(arg);
    if (m !== null) names.add(normal((m[1] as string).toLowerCase()));
  }
  return names;
}

/** The flags to set, given the process's own flags and `NODE_OPTIONS`. */
export function convertHeapFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = flagNames([...execArgv, ...(nodeOptions ?? '').split(/\s+/)]);
  return CONVERT_HEAP.filter((f) => !f.givenBy.some((name) => given.has(name))).map((f) => f.flag);
}

/** Sets {@link convertHeapFlags} in this process (the `convert` command line, first thing: ../main.ts). */
export function useConvertHeap(): void {
  for (const flag of convertHeapFlags(process.execArgv, process.env.NODE_OPTIONS)) setFlagsFromString(flag);
}
