/**
 * Several targets as one: an export succeeds once every target has it. On a retry, targets that
 * already took the same export are not sent it again (no duplicate lines in a file sink).
 */
import type { ExportBatch, ReceiverTarget, TargetOutcome } from './target.js';

const WORST: Record<TargetOutcome['kind'], number> = { ok: 0, retryable: 1, refused: 2 };

export function fanOut(targets: readonly ReceiverTarget[]): ReceiverTarget {
  if (targets.length === 1) return targets[0] as ReceiverTarget;
  const delivered = new WeakMap<ExportBatch, Set<ReceiverTarget>>();
  return {
    description: targets.map((t) => t.description).join(' + '),
    async export(batch) {
      const done = delivered.get(batch) ?? new Set<ReceiverTarget>();
      delivered.set(batch, done);
      const outcomes = await Promise.all(
        targets.map(async (t): Promise<TargetOutcome> => {
          if (done.has(t)) return { kind: 'ok' };
          const outcome = await t.export(batch);
          if (outcome.kind === 'ok') done.add(t);
          return outcome;
        }),
      );
      return outcomes.reduce((worst, o) => (WORST[o.kind] > WORST[worst.kind] ? o : worst), { kind: 'ok' } as TargetOutcome);
    },
    async shutdown() {
      await Promise.all(targets.map((t) => t.shutdown()));
    },
  };
}
