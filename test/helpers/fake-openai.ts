import { createServer } from 'node:http';
import { isRecord, listenLoopback, readBody } from './loopback.js';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** One request as the fake server received it; `body` is the parsed JSON body (undefined if none). */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakeOpenAI {
  /** Origin without path, e.g. `http://127.0.0.1:41234`; clients use `${url}/v1` as base URL. */
  url: string;
  /** Requests in arrival order (appended before the answer is sent). */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * The canned answers mirror the fake used to record `../shared/fixtures/spans-*.json`, byte for byte
 * where the fixtures show the raw response (OpenInference's `output.value`). Ids and `created` are
 * fixed per answer kind, not per call: the fixtures show the AI SDK's second tool step answered with
 * `chatcmpl-peer-001` again.
 */
const TEXT = { id: 'chatcmpl-peer-001', created: 1738887807, content: 'Paris is the capital of France.' };
const TOOL = { id: 'chatcmpl-peer-002', created: 1738887808 };
const STREAM = { id: 'chatcmpl-peer-003', created: 1738887809, pieces: ['Paris', ' is', ' the', ' capital.'] };
const EMBEDDING = [0.1, 0.2, 0.3];
/** Pause between SSE chunks, so time-to-first-chunk and time-to-finish differ as with a real server. */
const STREAM_CHUNK_DELAY_MS = 5;

/** Starts the fake on 127.0.0.1, port 0. Endpoints: `POST /v1/chat/completions`, `POST /v1/embeddings`. */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    handle(req, res, requests).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(String(err)));
      res.end();
    });
  });
  const url = await listenLoopback(server);
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets of the client would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, requests: RecordedRequest[]): Promise<void> {
  const raw = (await readBody(req)).toString('utf8');
  let body: unknown;
  try {
    body = raw.length > 0 ? JSON.parse(raw) : undefined;
  } catch {
    sendJson(res, 400, errorBody('request body is not JSON'));
    return;
  }
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  requests.push({ method: req.method ?? '', path, headers: req.headers, body });

  if (req.method === 'POST' && path === '/v1/chat/completions' && isRecord(body)) {
    if (body['stream'] === true) {
      await streamChat(res, body);
    } else {
      sendJson(res, 200, wantsToolCall(body) ? toolCallCompletion(body) : textCompletion(body));
    }
    return;
  }
  if (req.method === 'POST' && path === '/v1/embeddings' && isRecord(body)) {
    sendJson(res, 200, embeddings(body));
    return;
  }
  sendJson(res, 404, errorBody(`no route for ${req.method} ${path}`));
}

/** Tools offered and the conversation does not end with a tool result: answer with a tool call. */
function wantsToolCall(body: Record<string, unknown>): boolean {
  const tools = body['tools'];
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  const last = messages.at(-1);
  return Array.isArray(tools) && tools.length > 0 && !(isRecord(last) && last['role'] === 'tool');
}

function textCompletion(body: Record<string, unknown>): object {
  return {
    id: TEXT.id,
    object: 'chat.completion',
    created: TEXT.created,
    model: body['model'],
    system_fingerprint: 'fp_peer',
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        logprobs: null,
        message: { role: 'assistant', content: TEXT.content, refusal: null },
      },
    ],
    usage: {
      prompt_tokens: 23,
      completion_tokens: 7,
      total_tokens: 30,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  };
}

function toolCallCompletion(body: Record<string, unknown>): object {
  return {
    id: TOOL.id,
    object: 'chat.completion',
    created: TOOL.created,
    model: body['model'],
    choices: [
      {
        index: 0,
        finish_reason: 'tool_calls',
        logprobs: null,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
      },
    ],
    usage: { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62 },
  };
}

/** SSE as OpenAI sends it: role chunk, content chunks, finish chunk, optional usage chunk, `[DONE]`. */
async function streamChat(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
  const base = { id: STREAM.id, object: 'chat.completion.chunk', created: STREAM.created, model: body['model'] };
  const choice = (delta: object, finishReason: string | null) => ({
    ...base,
    system_fingerprint: 'fp_peer',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const chunks: object[] = [
    choice({ role: 'assistant', content: '', refusal: null }, null),
    ...STREAM.pieces.map((content) => choice({ content }, null)),
    choice({}, 'stop'),
  ];
  const streamOptions = body['stream_options'];
  if (isRecord(streamOptions) && streamOptions['include_usage'] === true) {
    chunks.push({ ...base, choices: [], usage: { prompt_tokens: 23, completion_tokens: 5, total_tokens: 28 } });
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const chunk of chunks) {
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, STREAM_CHUNK_DELAY_MS));
  }
  res.end('data: [DONE]\n\n');
}

/** The openai client asks for `encoding_format: "base64"` by default (little-endian float32). */
function embeddings(body: Record<string, unknown>): object {
  const embedding =
    body['encoding_format'] === 'base64'
      ? Buffer.from(new Float32Array(EMBEDDING).buffer).toString('base64')
      : EMBEDDING;
  return {
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding }],
    model: body['model'],
    usage: { prompt_tokens: 5, total_tokens: 5 },
  };
}

function errorBody(message: string): object {
  return { error: { message, type: 'invalid_request_error', param: null, code: null } };
}

function sendJson(res: ServerResponse, status: number, payload: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}


