/**
 * The `serve` command as a user runs it: a child process, a real POST, the trace tree on the
 * terminal and the OTLP/JSON lines file, Ctrl-C draining to exit 0, keys by halves refused.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import { watchOutput } from '../helpers/child-output.js';
import { OTLP_TRACES_PATH } from '../helpers/fake-langfuse-otlp.js';
import { startFakeLangfuse } from '../helpers/fake-langfuse.js';
import { readStoredSpan } from '../helpers/langfuse-v4-reader.js';
import { recordedRequests } from '../helpers/spans.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('serve: answers a Langfuse client 207, prints the trace tree, writes OTLP/JSON lines, drains on SIGINT, exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'olb-serve-'));
  const out = join(dir, 'traces.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '-o', out, '--spool-dir', join(dir, 'spool'), '--quiet-millis', '60000'], {
    cwd: ROOT,
    env: {
      ...process.env,
      LANGFUSE_PUBLIC_KEY: 'pk-lf-cli',
      LANGFUSE_SECRET_KEY: 'sk-lf-cli-secret',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_LOG_LEVEL: 'info',
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,service.namespace=shop,langfuse.sdk.name=spoofed',
    },
  });
  const output = watchOutput(child);
  const exited = output.exited;
  const [url] = await output.waitFor(/http:\/\/127\.0\.0\.1:\d+/);
  expect(output.text).toContain('Basic auth with LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY');
  expect(output.text).toContain(`LANGFUSE_HOST=${url}`);
  expect(output.text).toContain(`LANGFUSE_BASEURL=${url}`);
  const res = await fetch(`${url}/api/public/ingestion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('pk-lf-cli:sk-lf-cli-secret').toString('base64')}` },
    body: JSON.stringify(recordedRequests('litellm-batch.json')[0]),
  });
  expect(res.status).toBe(207);
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(output.text).toContain('└─ litellm-acompletion  generation  gpt-3.5-turbo  0.424 s  10 in / 10 out tokens  $0.000020');
  expect(output.text).toContain('1 requests, 2 events accepted, 0 duplicates, 0 rejected, 2 spans forwarded, 0 dead-lettered, 0 events left in the spool');
  expect(output.text).not.toContain('sk-lf-cli-secret');
  const spans = readFileSync(out, 'utf8').trim().split('\n').flatMap((l) => otlpJsonToSpans(JSON.parse(l)).value);
  expect(spans.map((s) => s.name).sort()).toEqual(['litellm-acompletion', 'litellm-acompletion']);
  // OTEL_SERVICE_NAME names the service; OTEL_RESOURCE_ATTRIBUTES adds to, never overrides, the client's identity.
  for (const span of spans) {
    expect(span.resource.attributes).toEqual({
      'service.namespace': 'shop',
      'service.name': 'checkout',
      'langfuse.sdk.name': 'python',
      'langfuse.sdk.version': '2.44.1',
      'langfuse.public_key': 'pk-lf-cli', // the key pair the request authenticated with
    });
  }
});

test('serve: a key pair by halves refuses to start (exit 2) and names the missing variable', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, LANGFUSE_PUBLIC_KEY: 'pk-lf-only', LANGFUSE_SECRET_KEY: '', LANGFUSE_BRIDGE_PUBLIC_KEY: '', LANGFUSE_BRIDGE_SECRET_KEY: '' },
  });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('LANGFUSE_PUBLIC_KEY is set but LANGFUSE_SECRET_KEY is not');
});

test('serve --langfuse-url: the client keeps its key pair; its trace reaches a fake Langfuse v4 once, over OTLP, without a synthetic root', async () => {
  const pair = { publicKey: 'pk-lf-app', secretKey: 'sk-lf-app-secret' };
  const langfuse = await startFakeLangfuse(undefined, { ingestion: 'scores-only', keyPairs: [pair] });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'olb-serve-v4-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--langfuse-url', langfuse.url, '--spool-dir', join(dir, 'spool')], {
      cwd: ROOT,
      // The user's own SDK keys in the environment are not the receiver's: they are left aside.
      env: { ...process.env, LANGFUSE_PUBLIC_KEY: 'pk-lf-mine', LANGFUSE_SECRET_KEY: 'sk-lf-mine', OTEL_LOG_LEVEL: 'info' },
    });
    const output = watchOutput(child);
    const [url] = await output.waitFor(/http:\/\/127\.0\.0\.1:\d+/);
    expect(output.text).toContain("clients' own Langfuse key pairs, checked with Langfuse");
    const post = (keys: typeof pair): Promise<Response> =>
      fetch(`${url}/api/public/ingestion`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}` },
        body: JSON.stringify(recordedRequests('litellm-batch.json')[0]),
      });
    expect((await post({ publicKey: 'pk-lf-mine', secretKey: 'sk-lf-mine' })).status).toBe(401);
    expect((await post(pair)).status).toBe(207);
    child.kill('SIGINT');
    expect(await output.exited).toBe(0);
    const stored = langfuse.otlpSpans().map(readStoredSpan);
    expect(stored.map((o) => [o.type, o.body.name, o.trace.name])).toEqual([['generation', 'litellm-acompletion', 'litellm-acompletion']]);
    expect(langfuse.requests.filter((q) => q.path === OTLP_TRACES_PATH).every((q) => q.headers.authorization === `Basic ${Buffer.from(`${pair.publicKey}:${pair.secretKey}`).toString('base64')}`)).toBe(true);
    expect(output.text).not.toContain(pair.secretKey);
  } finally {
    await langfuse.close();
  }
});
