/**
 * Every TypeScript example in examples/ runs here, as a user runs it (`node --import tsx`, the
 * package name resolved to src/ through tsconfig paths), against loopback fakes named by the
 * environment variables the example reads. An example without a runner below fails the first test.
 * (Recipes are checked in ./recipes.test.ts.)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { decodeTraceRequest } from '../helpers/otlp-proto.js';
import { INGESTION_PATH, LANGFUSE_OTLP_PATH, startFakeLangfuse } from '../package/consumer/fakes.js';
import type { Received } from '../package/consumer/fakes.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function runExample(file: string, env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${file}`], {
    cwd: REPO,
    // Only what the example is told: no keys or URLs of the machine running the tests.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** An observation as it reached the fake Langfuse, whichever endpoint the exporter used. */
interface Arrived {
  readonly name: string;
  /** A generation: the ingestion event type, or the OTLP span's `langfuse.observation.type`. */
  readonly model?: string;
  readonly generation: boolean;
}

function attribute(span: Record<string, unknown>, key: string): string | undefined {
  const found = (span.attributes as Array<{ key: string; value: { stringValue?: string } }> | undefined)?.find((a) => a.key === key);
  return found?.value.stringValue;
}

/** What arrived: ingestion events from JSON batches, spans from OTLP bodies (decoded by protobufjs). */
function arrived(requests: readonly Received[]): Arrived[] {
  return requests.flatMap((r): Arrived[] => {
    if (r.path === INGESTION_PATH) {
      const batch = (JSON.parse(r.body.toString('utf8')) as { batch: Array<{ type: string; body: { name?: string; model?: string } }> }).batch;
      return batch
        .filter((e) => e.type.endsWith('-create') && e.type !== 'trace-create')
        .map((e) => ({ name: e.body.name ?? '', generation: e.type === 'generation-create', ...(e.body.model === undefined ? {} : { model: e.body.model }) }));
    }
    if (r.path === LANGFUSE_OTLP_PATH) {
      const request = decodeTraceRequest(r.body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
      return request.resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) =>
          ss.spans.map((span) => {
            // The exporter's OTLP mode writes the langfuse.* keys Langfuse reads.
            const model = attribute(span, 'langfuse.observation.model.name');
            const generation = attribute(span, 'langfuse.observation.type') === 'generation';
            return { name: String(span.name), generation, ...(model === undefined ? {} : { model }) };
          }),
        ),
      );
    }
    return [];
  });
}

async function exporterNode(): Promise<void> {
  const [openai, langfuse] = await Promise.all([startFakeOpenAI(), startFakeLangfuse()]);
  try {
    const run = await runExample('exporter-node.ts', {
      OPENAI_API_KEY: 'sk-example',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      LANGFUSE_PUBLIC_KEY: 'pk-lf-example',
      LANGFUSE_SECRET_KEY: 'sk-lf-example',
      LANGFUSE_BASE_URL: langfuse.url,
    });
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('Paris is the capital of France.');
    expect(openai.requests.map((r) => r.path)).toEqual(['/v1/chat/completions']);
    const observations = arrived(langfuse.received);
    // The chat call's GenAI span, made by the OpenAI instrumentation, and the app's own span above it.
    expect(observations.filter((o) => o.generation)).toEqual([expect.objectContaining({ model: 'gpt-4o-mini', generation: true })]);
    expect(observations.map((o) => o.name)).toContain('answer-question');
  } finally {
    await Promise.all([openai.close(), langfuse.close()]);
  }
}

const RUNNERS: Record<string, () => Promise<void>> = {
  'exporter-node.ts': exporterNode,
};

describe('examples', () => {
  test('every TypeScript example has a runner here', () => {
    const examples = readdirSync(new URL('../../examples', import.meta.url)).filter((f) => /\.[cm]?ts$/.test(f));
    expect(examples.sort()).toEqual(Object.keys(RUNNERS).sort());
  });

  test.for(Object.keys(RUNNERS))('%s runs against loopback fakes and its spans arrive', async (file) => {
    await (RUNNERS[file] as () => Promise<void>)();
  });
});
