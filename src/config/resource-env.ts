/**
 * The resource the OpenTelemetry environment names, for the OTLP output of `serve` and `convert`:
 * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`, read by `@opentelemetry/resources`' own
 * `envDetector` (the one detector: the host detector's dynamic imports have no place in the
 * bundle), so values are parsed and percent-decoded exactly as every OTel SDK does.
 *
 * How it meets the resource each client's spans already have (`service.name`, `langfuse.sdk.*`,
 * `langfuse.public_key`):
 * - `service.name`: `--service-name` › `OTEL_SERVICE_NAME` › `service.name` in
 *   `OTEL_RESOURCE_ATTRIBUTES` › the client's `sdk_integration` › `langfuse-ingestion`. The
 *   environment names the service on purpose, so it wins over the client's integration name.
 * - every other attribute of `OTEL_RESOURCE_ATTRIBUTES` is added to each span's resource, under
 *   the client's own: an attribute the client identity sets (which SDK, which project key sent
 *   the data) is a fact about the data and is never overridden.
 */
import type { Attributes } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';

const SERVICE_NAME = 'service.name';

type Env = Readonly<Record<string, string | undefined>>;

export interface EnvResource {
  /** `OTEL_SERVICE_NAME`, else `service.name` of `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly serviceName?: string;
  /** The other attributes of `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly attributes: Attributes;
}

function decoded(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/**
 * The detector drops the whole variable when one entry is bad (as the spec says) and tells only
 * at debug level; a user who set it deserves a warning.
 */
function warnIfDropped(raw: string | undefined, detected: Attributes): void {
  const keys = (raw ?? '')
    .split(',')
    .filter((entry) => entry.trim() !== '')
    .map((entry) => decoded((entry.split('=')[0] ?? '').trim()))
    .filter((key) => key !== SERVICE_NAME);
  if (keys.length > 0 && !keys.some((key) => Object.hasOwn(detected, key))) {
    diag.warn(
      'OTEL_RESOURCE_ATTRIBUTES is not a list of key=value pairs (a "," or "=" inside a key or value must be percent-encoded); ' +
        'ignored as a whole, as OpenTelemetry SDKs do. OTEL_LOG_LEVEL=debug tells which entry.',
    );
  }
}

/**
 * The resource of `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`. The detector reads
 * `process.env`; `env` (the same variables, as `serve` hands them to its receiver thread) is
 * read only to tell whether a value the detector dropped was set.
 */
export function envResource(env: Env = process.env): EnvResource {
  const detected: Attributes = {};
  for (const [key, value] of Object.entries(envDetector.detect().attributes ?? {})) {
    // The env detector's values are strings, never promises.
    if (typeof value === 'string') detected[key] = value;
  }
  warnIfDropped(env.OTEL_RESOURCE_ATTRIBUTES, detected);
  const { [SERVICE_NAME]: serviceName, ...attributes } = detected;
  return typeof serviceName === 'string' && serviceName !== '' ? { serviceName, attributes } : { attributes };
}

/**
 * `spans` (or span records) with `attributes` added to each one's resource, the span's own
 * attributes winning. One merged resource per resource seen (spans of one client share theirs);
 * no attributes: the spans themselves.
 */
export function resourceMerger(attributes: Attributes): <S extends { readonly resource: Resource }>(spans: readonly S[]) => S[] {
  if (Object.keys(attributes).length === 0) return <S>(spans: readonly S[]) => spans as S[];
  const merged = new WeakMap<Resource, Resource>();
  const mergedOf = (resource: Resource): Resource => {
    let out = merged.get(resource);
    if (out === undefined) merged.set(resource, (out = resourceFromAttributes({ ...attributes, ...resource.attributes })));
    return out;
  };
  return <S extends { readonly resource: Resource }>(spans: readonly S[]) => spans.map((span) => ({ ...span, resource: mergedOf(span.resource) }));
}
