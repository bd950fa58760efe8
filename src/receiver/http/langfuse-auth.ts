/**
 * Auth when the receiver forwards to Langfuse v4 (langfuse-v4.md): clients keep their own key
 * pair and the receiver forwards with it, so one receiver serves many projects and holds no secret
 * of its own. A pair is checked once against Langfuse (`GET /api/public/projects`, what the Python
 * SDK's `auth_check()` calls) and the answer cached for a bounded time: a pair Langfuse refuses gets
 * 401 here too; when Langfuse cannot answer, 503 (the client keeps its events and retries).
 */
import { createHash } from 'node:crypto';
import { PROJECTS_PATH } from '../../ingestion-api/api.js';
import type { Clock } from '../clock.js';
import type { Authenticate, Principal } from './auth.js';
import { basicCredentials, unauthorized } from './auth.js';
import { unavailable } from './errors.js';

export interface LangfuseAuthOptions {
  /** Langfuse base URL (origin and optional path prefix, no trailing slash). */
  readonly baseUrl: string;
  readonly clock: Pick<Clock, 'now'>;
  /** A pair Langfuse accepted is trusted this long. Default 5 minutes. */
  readonly acceptedMillis?: number;
  /** A pair Langfuse refused is refused this long without asking again. Default 30 s. */
  readonly refusedMillis?: number;
  /** Pairs remembered (oldest forgotten first). Default 10,000. */
  readonly maxPairs?: number;
  /** How long one check may take. Default 10 s. */
  readonly timeoutMillis?: number;
}

interface Verdict {
  readonly ok: boolean;
  readonly until: number;
}

export function langfuseAuthenticator(options: LangfuseAuthOptions): Authenticate {
  const accepted = options.acceptedMillis ?? 5 * 60_000;
  const refused = options.refusedMillis ?? 30_000;
  const maxPairs = options.maxPairs ?? 10_000;
  const timeout = options.timeoutMillis ?? 10_000;
  const verdicts = new Map<string, Verdict>();
  const checking = new Map<string, Promise<boolean>>();

  const ask = async (authorization: string): Promise<boolean> => {
    let res: Response;
    try {
      res = await fetch(`${options.baseUrl}${PROJECTS_PATH}`, { headers: { authorization }, signal: AbortSignal.timeout(timeout) });
      await res.arrayBuffer();
    } catch {
      throw unavailable('Langfuse could not be reached to check the key pair; retry later');
    }
    if (res.status === 200) return true;
    if (res.status === 401 || res.status === 403) return false;
    throw unavailable(`Langfuse could not check the key pair (HTTP ${res.status}); retry later`);
  };

  return async (header): Promise<Principal> => {
    const { publicKey, secretKey } = basicCredentials(header);
    if (publicKey === '' || secretKey === '') throw unauthorized();
    const authorization = `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}`;
    const key = createHash('sha256').update(authorization).digest('base64');
    const now = options.clock.now();
    let verdict = verdicts.get(key);
    if (verdict === undefined || verdict.until <= now) {
      let pending = checking.get(key);
      if (pending === undefined) {
        pending = ask(authorization).finally(() => checking.delete(key));
        checking.set(key, pending);
      }
      const ok = await pending;
      verdict = { ok, until: options.clock.now() + (ok ? accepted : refused) };
      verdicts.delete(key);
      verdicts.set(key, verdict);
      if (verdicts.size > maxPairs) verdicts.delete(verdicts.keys().next().value as string);
    }
    if (!verdict.ok) throw unauthorized();
    return { publicKey, route: authorization };
  };
}
