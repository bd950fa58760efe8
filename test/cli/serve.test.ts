/** The `serve` command as a user runs it: a child process, a real POST, Ctrl-C, the sink file. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import { recordedRequests } from '../helpers/spans.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('serve: listens, answers a Langfuse client 207, writes OTLP/JSON lines, drains and reports on SIGINT', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'olb-serve-')), 'traces.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '-o', out], {
    cwd: ROOT,
    env: { ...process.env, LANGFUSE_BRIDGE_PUBLIC_KEY: 'pk-lf-cli', LANGFUSE_BRIDGE_SECRET_KEY: 'sk-lf-cli' },
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 300 && !/http:\/\/127\.0\.0\.1:\d+/.test(stderr); i++) await new Promise((r) => setTimeout(r, 20));
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(stderr)?.[0];
  expect(url).toBeDefined();
  expect(stderr).toContain('Basic auth on');
  const res = await fetch(`${url ?? ''}/api/public/ingestion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('pk-lf-cli:sk-lf-cli').toString('base64')}` },
    body: JSON.stringify(recordedRequests('litellm-batch.json')[0]),
  });
  expect(res.status).toBe(207);
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(stderr).toContain('otel-langfuse-bridge receiver: 1 requests, 2 events accepted, 0 rejected, 2 spans forwarded, 0 failed');
  expect(stderr).not.toContain('sk-lf-cli');
  const spans = readFileSync(out, 'utf8').trim().split('\n').flatMap((l) => otlpJsonToSpans(JSON.parse(l)).value);
  expect(spans.map((s) => s.name).sort()).toEqual(['litellm-acompletion', 'litellm-acompletion']);
});
