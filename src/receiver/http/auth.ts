/**
 * Who sent a request. With key pairs configured, Basic auth `publicKey:secretKey` must match one
 * (secrets compared in constant time, every pair tried). With none, the receiver is open (and the
 * factory binds it to loopback only). An authenticator is async so a target can check a pair
 * against a server of its own (Langfuse) before anything is accepted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.js';

export interface ReceiverKeyPair {
  readonly publicKey: string;
  readonly secretKey: string;
}

/** The client a request came from, as far as auth can tell. */
export interface Principal {
  /** The public key that passed auth; undefined when the receiver is open. */
  readonly publicKey?: string;
  /**
   * What the client's events are forwarded with, when the target routes per client (Langfuse v4:
   * the client's own `Authorization` header). Kept with the events in the spool, never logged.
   */
  readonly route?: string;
}

export type Authenticate = (authorization: string | undefined) => Promise<Principal>;

/** `publicKey` and `secret` of a Basic `Authorization` header; empty strings when it is not one. */
export function basicCredentials(authorization: string | undefined): { publicKey: string; secretKey: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  const decoded = match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  return colon < 0 ? { publicKey: '', secretKey: '' } : { publicKey: decoded.slice(0, colon), secretKey: decoded.slice(colon + 1) };
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export function unauthorized(): HttpError {
  return new HttpError(401, 'Invalid credentials: Basic auth with a configured public and secret key is required', {
    'www-authenticate': 'Basic realm="Langfuse"',
  });
}

/** Accepts exactly the configured pairs; an empty list accepts everyone (open receiver). */
export function keyPairAuthenticator(keys: readonly ReceiverKeyPair[]): Authenticate {
  if (keys.length === 0) return () => Promise.resolve({});
  const pairs = keys.map((k) => ({ publicKey: k.publicKey, secret: digest(k.secretKey) }));
  return (authorization) => {
    const given = basicCredentials(authorization);
    const secret = digest(given.secretKey);
    let ok = false;
    for (const pair of pairs) if ((pair.publicKey === given.publicKey) && timingSafeEqual(pair.secret, secret)) ok = true;
    return ok ? Promise.resolve({ publicKey: given.publicKey }) : Promise.reject(unauthorized());
  };
}
