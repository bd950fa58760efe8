import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeOpenAI } from './fake-openai.js';
import type { FakeOpenAI } from './fake-openai.js';
import type { SpanDump } from '../peers/span-dump.js';

export type { SpanDump, SpanDumpEvent, SpanDumpLink } from '../peers/span-dump.js';

export type PeerName = 'otel' | 'traceloop' | 'openinference' | 'ai-sdk' | 'langfuse-tracing';

export interface CapturePeerOptions {
  /** Fake server to call; its requests stay readable afterwards. Default: a fresh one, closed at the end. */
  fakeOpenAI?: FakeOpenAI;
  /** The child is killed (SIGKILL) after this long. Default 20 000 ms. */
  timeoutMillis?: number;
  /** Extra environment for the child, e.g. `PEER_LANGFUSE_URL` to also export through LangfuseSpanExporter. */
  env?: Record<string, string>;
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs the real package of `peer` in a child process against the fake OpenAI server and resolves with
 * the finished spans, in the order the span processor saw them end. A child process, because the
 * instrumentations patch `openai` through require hooks, which vitest's module loader bypasses.
 * Rejects with the child's stderr when it exits non-zero or times out.
 */
export async function capturePeerSpans(peer: PeerName, options: CapturePeerOptions = {}): Promise<SpanDump[]> {
  const server = options.fakeOpenAI ?? (await startFakeOpenAI());
  try {
    const stdout = await runChild(peer, server.url, options.timeoutMillis ?? 20_000, options.env ?? {});
    return JSON.parse(stdout) as SpanDump[];
  } finally {
    if (!options.fakeOpenAI) await server.close();
  }
}

function runChild(peer: PeerName, fakeOpenAIUrl: string, timeoutMillis: number, extraEnv: Record<string, string>): Promise<string> {
  const script = fileURLToPath(new URL(`../peers/${peer}.ts`, import.meta.url));
  // tsx runs the TypeScript scripts; it is resolved from the repository root (the cwd).
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: {
      // OTEL_* settings of the developer's shell (semconv opt-in, ...) would change what peers emit.
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_'))),
      ...extraEnv,
      FAKE_OPENAI_URL: fakeOpenAIUrl,
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMillis);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const errText = Buffer.concat(stderr).toString('utf8');
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString('utf8'));
      } else {
        const why = timedOut ? `killed after ${timeoutMillis} ms` : `exit ${code ?? signal}`;
        reject(new Error(`peer ${peer}: ${why}\n${errText}`));
      }
    });
  });
}
