/** Minimal, dependency-free throughput measurement: warm up, then the median of several rounds. */

export interface Measurement {
  readonly name: string;
  /** Items processed per second (median round). */
  readonly perSecond: number;
  readonly rounds: number;
}

/**
 * Runs `work` (which processes `items` items) until `minMillis` of warm-up have passed, then
 * `rounds` timed rounds of at least `minMillis` each, and reports the median rate.
 */
export function measure(name: string, items: number, work: () => unknown, rounds = 7, minMillis = 250): Measurement {
  const run = (): number => {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    do {
      work();
      n++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    } while (elapsed < minMillis);
    return (n * items * 1000) / elapsed;
  };
  run();
  const rates = Array.from({ length: rounds }, run).sort((a, b) => a - b);
  return { name, perSecond: rates[Math.floor(rounds / 2)] as number, rounds };
}

export function formatRate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}
