/**
 * Which client sent an ingestion request: its SDK, version, integration and public key, from the
 * request's `metadata` first, the `x-langfuse-sdk-*` headers (observed from the real v3 client)
 * where it says nothing, and the key that passed auth over any key a body claims. The receiver and
 * `convert` make each client's spans carry this as their resource.
 */
import type { ClientIdentity } from '../mapping/to-otel/index.js';
import { clientIdentity } from '../mapping/to-otel/index.js';

export type { ClientIdentity };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined;
}

export function requestClient(headers: Headers, metadata: unknown, authenticatedKey: string | undefined): ClientIdentity {
  return clientIdentity({
    sdk_integration: header(headers, 'x-langfuse-sdk-integration'),
    sdk_name: header(headers, 'x-langfuse-sdk-name'),
    sdk_version: header(headers, 'x-langfuse-sdk-version'),
    public_key: header(headers, 'x-langfuse-public-key'),
    ...clientIdentity(metadata),
    ...(authenticatedKey === undefined ? {} : { public_key: authenticatedKey }),
  });
}
