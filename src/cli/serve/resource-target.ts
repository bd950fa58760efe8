/**
 * A receiver target whose spans get the OpenTelemetry environment's resource attributes
 * (src/config/resource-env.ts) before they leave. A retried export is the same batch object
 * again, so it gets the same spans again: a fan-out behind it still knows which of its targets
 * already took it.
 */
import type { Attributes } from '@opentelemetry/api';
import { resourceMerger } from '../../config/resource-env.js';
import type { ExportBatch, ReceiverTarget } from '../../receiver/targets/target.js';

export function withResourceAttributes(target: ReceiverTarget, attributes: Attributes): ReceiverTarget {
  if (Object.keys(attributes).length === 0) return target;
  const merge = resourceMerger(attributes);
  const sent = new WeakMap<ExportBatch, ExportBatch>();
  return {
    description: target.description,
    export(batch) {
      let out = sent.get(batch);
      if (out === undefined) sent.set(batch, (out = { ...batch, spans: merge(batch.spans) }));
      return target.export(out);
    },
    shutdown: () => target.shutdown(),
  };
}
