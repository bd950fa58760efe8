/**
 * The environment `npm start` gives its receiver: the user's shell, less what would take the demo
 * elsewhere (an OTLP endpoint of theirs, a key pair the replay does not send, another interface
 * or spool). Those are named to the user, so nothing is ignored silently.
 */
import type { Env } from '../../src/cli/serve/start.js';

const LEFT_ASIDE = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'LANGFUSE_BRIDGE_PUBLIC_KEY',
  'LANGFUSE_BRIDGE_SECRET_KEY',
  'LANGFUSE_PUBLIC_KEY',
  'LANGFUSE_SECRET_KEY',
  'LANGFUSE_BRIDGE_HOST',
  'LANGFUSE_BRIDGE_SPOOL_DIR',
  'LANGFUSE_BRIDGE_QUIET_MILLIS',
] as const;

export function demoEnv(env: Env): { env: Env; ignored: string[] } {
  const out: Record<string, string | undefined> = { ...env };
  const ignored: string[] = [];
  for (const name of LEFT_ASIDE) {
    if ((out[name] ?? '').trim() !== '') ignored.push(name);
    delete out[name];
  }
  return { env: out, ignored };
}
