/**
 * Minimal, dependency-free throughput measurement. Candidates are measured in interleaved rounds
 * (A, B, A, B, ...) so that machine noise hits them alike, and each reports its median round.
 */

export interface Candidate {
  readonly name: string;
  /** Processes `items` items once. */
  readonly work: () => unknown;
}

export interface Measurement {
  readonly name: string;
  /** Items processed per second (median round). */
  readonly perSecond: number;
}

function round(work: () => unknown, items: number, minMillis: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    work();
    n++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < minMillis);
  return (n * items * 1000) / elapsed;
}

/** Warms every candidate up, then runs `rounds` interleaved rounds of at least `minMillis` each. */
export function compare(items: number, candidates: readonly Candidate[], rounds = 9, minMillis = 200): Measurement[] {
  for (const c of candidates) round(c.work, items, minMillis * 2);
  const rates = candidates.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    candidates.forEach((c, i) => rates[i]!.push(round(c.work, items, minMillis)));
  }
  return candidates.map((c, i) => {
    const sorted = rates[i]!.sort((a, b) => a - b);
    return { name: c.name, perSecond: sorted[Math.floor(sorted.length / 2)]! };
  });
}

export function formatRate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}
