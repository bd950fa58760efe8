/**
 * The Langfuse environment variables a user of the command line would try: a key pair from
 * `LANGFUSE_BRIDGE_PUBLIC_KEY`/`_SECRET_KEY` (the receiver's own), else `LANGFUSE_PUBLIC_KEY`/
 * `LANGFUSE_SECRET_KEY` (what the SDKs read). A pair given by halves is an error, never a silently
 * open receiver.
 */
import { ConfigurationError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface KeyPairFromEnv {
  readonly publicKey: string;
  readonly secretKey: string;
  /** The variables it came from, for messages. */
  readonly source: string;
}

const set = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The key pair of the first family that names one; undefined when none does. */
export function keyPairFromEnv(env: Env): KeyPairFromEnv | undefined {
  for (const prefix of ['LANGFUSE_BRIDGE_', 'LANGFUSE_']) {
    const publicKey = set(env[`${prefix}PUBLIC_KEY`]);
    const secretKey = set(env[`${prefix}SECRET_KEY`]);
    if (publicKey === undefined && secretKey === undefined) continue;
    if (publicKey === undefined || secretKey === undefined) {
      const missing = publicKey === undefined ? `${prefix}PUBLIC_KEY` : `${prefix}SECRET_KEY`;
      const given = publicKey === undefined ? `${prefix}SECRET_KEY` : `${prefix}PUBLIC_KEY`;
      throw new ConfigurationError(`Configuration: ${given} is set but ${missing} is not; set both, or neither for an open (loopback-only) receiver`);
    }
    return { publicKey, secretKey, source: `${prefix}PUBLIC_KEY/${prefix}SECRET_KEY` };
  }
  return undefined;
}
