/**
 * The installed bin (`node_modules/.bin/otel-langfuse-bridge`, run by its `#!/usr/bin/env node` on
 * the line's Node): `--help`, `--version`, `convert` to a file and to an OTLP endpoint (the bundled
 * OTLP exporter), and `serve` started, fed one ingestion request, and stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOtlpSink } from './consumer/fakes.js';
import { envFor, must, mustAsync } from './proc.js';

const BATCH_FILE = 'litellm-batch.json';
const GENERATION_NAME = 'litellm-acompletion';
/** How long `serve` may take to say where it listens, or to stop after SIGTERM. */
const SERVE_DEADLINE_MILLIS = 30_000;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`CLI: ${message}`);
}

export async function cliChecks(node: string, dir: string, version: string): Promise<string[]> {
  const bin = join(dir, 'node_modules', '.bin', 'otel-langfuse-bridge');
  const env = envFor(node);
  const cli = (args: string[]) => must(bin, args, { cwd: dir, env, timeout: 60_000 });
  const done: string[] = [];

  const help = cli(['--help']).stdout;
  check(help.includes('serve') && help.includes('convert'), `--help does not list serve and convert:\n${help}`);
  check(cli(['--version']).stdout.trim() === version, `--version is not ${version}`);
  done.push('--help, --version');

  cli(['convert', BATCH_FILE, '-o', 'converted.otlp.jsonl']);
  check(readFileSync(join(dir, 'converted.otlp.jsonl'), 'utf8').includes(GENERATION_NAME), 'convert -o wrote no span of the batch');
  const sink = await startOtlpSink();
  try {
    await mustAsync(bin, ['convert', BATCH_FILE, '--endpoint', `${sink.url}/v1/traces`], { cwd: dir, env, timeout: 60_000 });
    check(sink.received.some((r) => r.body.includes(GENERATION_NAME)), 'convert --endpoint sent no span of the batch');
  } finally {
    await sink.close();
  }
  done.push('convert to a file and to an OTLP endpoint');

  done.push(await serveOnce(bin, dir, env));
  return done;
}

/** `serve` on a free port: waits for its URL on stdout or stderr, posts the batch, stops it. */
async function serveOnce(bin: string, dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(bin, ['serve', '--port', '0', '-o', 'served.otlp.jsonl', '--quiet-millis', '100', '--spool-dir', join(dir, 'spool')], { cwd: dir, env });
  let printed = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI: serve printed no URL within ${SERVE_DEADLINE_MILLIS} ms:\n${printed}`)), SERVE_DEADLINE_MILLIS);
    const onData = (chunk: Buffer): void => {
      printed += chunk.toString('utf8');
      const match = /http:\/\/127\.0\.0\.1:[1-9]\d*/.exec(printed);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`CLI: serve exited ${String(code)} before listening:\n${printed}`)));
  });
  try {
    const res = await fetch(`${url}/api/public/ingestion`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: readFileSync(join(dir, BATCH_FILE)),
    });
    check(res.status === 207, `serve answered ${res.status}, expected 207`);
  } finally {
    child.kill('SIGTERM');
  }
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('CLI: serve did not stop after SIGTERM')), SERVE_DEADLINE_MILLIS).unref());
  const [code] = await Promise.race([exited, timeout]);
  check(code === 0, `serve exited ${String(code)} after SIGTERM:\n${printed}`);
  check(readFileSync(join(dir, 'served.otlp.jsonl'), 'utf8').includes(GENERATION_NAME), 'serve wrote no span of the request');
  return 'serve started, fed, stopped';
}
