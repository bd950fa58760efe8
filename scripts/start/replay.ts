/**
 * The client half of `npm start`: recorded Langfuse ingestion requests (JSON Lines, one request
 * body `{batch, metadata}` per line, as examples/logs holds them) POSTed to a receiver the way the
 * Langfuse clients send them: `POST /api/public/ingestion`, JSON, Basic auth, the SDK headers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the receiver answered for one file's requests. */
export interface ReplayedFile {
  readonly file: string;
  /** The client that made the recording: `sdk_name sdk_version (sdk_integration)`. */
  readonly client: string;
  readonly requests: number;
  readonly events: number;
  /** Events answered 201 inside the 207s. */
  readonly accepted: number;
  /** Anything else, one line each: a per-event error or a request not answered 207. */
  readonly problems: readonly string[];
}

/** The key pair the replay sends (an open receiver takes any). */
export const REPLAY_KEYS = { publicKey: 'pk-lf-local', secretKey: 'sk-lf-local' } as const;

type Json = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The JSON Lines files of `dir`, in name order. */
export function logFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(dir, name));
}

/** The request bodies of one log file. */
export function logRequests(file: string): Json[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Json);
}

/** The headers a Langfuse SDK sends with a batch (JS v3 and Python v2 send these). */
function headersFor(metadata: Json): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${REPLAY_KEYS.publicKey}:${REPLAY_KEYS.secretKey}`).toString('base64')}`,
  };
  const name = text(metadata.sdk_name);
  const version = text(metadata.sdk_version);
  if (name !== undefined) headers['x-langfuse-sdk-name'] = name;
  if (version !== undefined) headers['x-langfuse-sdk-version'] = version;
  headers['x-langfuse-public-key'] = REPLAY_KEYS.publicKey;
  return headers;
}

interface IngestionAnswer {
  readonly successes?: ReadonlyArray<{ id: string; status: number }>;
  readonly errors?: ReadonlyArray<{ id: string; status: number; message?: string }>;
}

/** POSTs every request of `file` to the receiver at `baseUrl`, one after another. */
export async function replayFile(file: string, baseUrl: string): Promise<ReplayedFile> {
  const requests = logRequests(file);
  const metadata = (requests[0]?.metadata ?? {}) as Json;
  const client = [text(metadata.sdk_name), text(metadata.sdk_version)].filter(Boolean).join(' ') + (text(metadata.sdk_integration) ? ` (${text(metadata.sdk_integration)})` : '');
  let events = 0;
  let accepted = 0;
  const problems: string[] = [];
  for (const request of requests) {
    events += Array.isArray(request.batch) ? request.batch.length : 0;
    const res = await fetch(`${baseUrl}/api/public/ingestion`, {
      method: 'POST',
      headers: headersFor((request.metadata ?? {}) as Json),
      body: JSON.stringify(request),
    });
    const body = await res.text();
    if (res.status !== 207) {
      problems.push(`HTTP ${res.status}: ${body.slice(0, 200)}`);
      continue;
    }
    const answer = JSON.parse(body) as IngestionAnswer;
    accepted += (answer.successes ?? []).length;
    for (const e of answer.errors ?? []) problems.push(`event ${e.id}: ${e.status} ${e.message ?? ''}`.trim());
  }
  return { file, client, requests: requests.length, events, accepted, problems };
}
