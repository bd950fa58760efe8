/**
 * `npm start` as a new user meets it: the exact command of package.json's `start` script in a
 * child process of its own process group (a terminal's Ctrl-C goes to the group), nothing built.
 * The example logs' trace trees appear, the settings for the user's own apps are printed, the
 * receiver keeps serving (a trace sent afterwards prints too), and SIGINT stops it with exit 0.
 * Every wait is on the output.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import { logFiles, logRequests } from '../../scripts/start/replay.js';
import { watchOutput } from '../helpers/child-output.js';
import { replicateEvents } from '../helpers/replicate.js';
import { recordedRequests } from '../helpers/spans.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('npm start', () => {
  test('examples/logs: the recorded requests of litellm, the JS/TS SDK v3 and langfuse-vercel, one request body per line', () => {
    const recorded: Record<string, string> = {
      'langfuse-js-v3.jsonl': 'batches-langfuse-v3.json',
      'langfuse-vercel.jsonl': 'batches-langfuse-vercel.json',
      'litellm.jsonl': 'litellm-batch.json',
    };
    const files = logFiles(join(ROOT, 'examples', 'logs'));
    expect(files.map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual(Object.keys(recorded));
    for (const file of files) expect(logRequests(file)).toEqual(recordedRequests(recorded[file.slice(file.lastIndexOf('/') + 1)] as string));
  });

  test('runs the demo through node and tsx alone (one process: a Ctrl-C reaches it once, nothing to build)', () => {
    expect(pkg.scripts.start).toBe('node --import tsx scripts/start.ts');
  });

  test('shows the example trace trees, the settings for your apps, keeps serving, stops on SIGINT with exit 0', async () => {
    const [, ...args] = (pkg.scripts.start as string).split(' ');
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        LANGFUSE_BRIDGE_PORT: '0',
        // A user's shell: an endpoint and keys of theirs are left aside, and said so; the resource is honoured.
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/unused',
        LANGFUSE_PUBLIC_KEY: 'pk-lf-users-own',
        LANGFUSE_SECRET_KEY: 'sk-lf-users-own',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=demo,service.namespace=shop',
        OTEL_SERVICE_NAME: '',
        OTEL_LOG_LEVEL: 'info',
      },
    });
    const out = watchOutput(child);
    try {
      await out.waitFor(/Ctrl-C stops it\./);
      const [url] = await out.waitFor(/http:\/\/127\.0\.0\.1:\d+/);
      // The three recorded clients, each a tree.
      for (const line of [
        'trace support-chat  user user-42  session sess-7  0.002 s  (langfuse 98cca54f-6f3…)',
        '├─ fallback  generation  claude-3-5-haiku  0.000 s  ERROR rate limited by provider',
        '   └─ cache-miss  event',
        '└─ ai.generateText.doGenerate  generation  gpt-4o-mini  0.028 s  23 in / 7 out tokens',
        '└─ litellm-acompletion  generation  gpt-3.5-turbo  0.424 s  10 in / 10 out tokens  $0.000020',
        'litellm.jsonl            python 2.44.1 (litellm): 1 request(s), 2 events, 2 answered 201',
        '10 spans above, as trace trees',
      ]) {
        expect(out.text).toContain(line);
      }
      for (const setting of [`LANGFUSE_HOST=${url}`, `LANGFUSE_BASEURL=${url}`, `LANGFUSE_BASE_URL=${url}`]) expect(out.text).toContain(setting);
      for (const where of ['Jaeger, Tempo', '--endpoint http://localhost:4318/v1/traces', 'OTEL_EXPORTER_OTLP_ENDPOINT=', 'serve --langfuse-url https://cloud.langfuse.com', 'examples/recipes/']) {
        expect(out.text).toContain(where);
      }
      expect(out.text).toContain('Left aside for this demo, read by serve: OTEL_EXPORTER_OTLP_ENDPOINT, LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY.');
      const output = (/the same spans are in (\S+) \(OTLP\/JSON lines\)/.exec(out.text) as RegExpExecArray)[1] as string;

      // Still serving: a new trace from "your app" prints once quiet.
      const [litellm] = recordedRequests('litellm-batch.json') as Array<{ batch: Array<Record<string, unknown>>; metadata: unknown }>;
      const res = await fetch(`${url}/api/public/ingestion`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('pk-lf-any:sk-lf-any').toString('base64')}` },
        body: JSON.stringify({ batch: replicateEvents(litellm?.batch ?? [], 1), metadata: litellm?.metadata }),
      });
      expect(res.status).toBe(207);
      await out.waitFor(/litellm-acompletion {2}generation[^\n]*\n[^]*litellm-acompletion {2}generation/);

      process.kill(-(child.pid as number), 'SIGINT');
      expect(await out.exited).toBe(0);
      expect(out.text).toContain(`Stopped: 4 requests, 19 events accepted, 12 spans forwarded; they are in ${output}`);
      expect(existsSync(join(output, '..', 'spool'))).toBe(false);
      const spans = readFileSync(output, 'utf8').trim().split('\n').flatMap((l) => otlpJsonToSpans(JSON.parse(l)).value);
      expect(spans).toHaveLength(12);
      // OTEL_RESOURCE_ATTRIBUTES is added; what the client identity says stays.
      const litellmSpan = spans.find((s) => s.name === 'litellm-acompletion');
      expect(litellmSpan?.resource.attributes).toMatchObject({
        'service.name': 'litellm',
        'langfuse.sdk.name': 'python',
        'deployment.environment.name': 'demo',
        'service.namespace': 'shop',
      });
      expect(out.text).not.toContain('sk-lf-users-own');
      rmSync(join(output, '..'), { recursive: true, force: true });
    } finally {
      if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
    }
  });
});
