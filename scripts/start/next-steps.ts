/**
 * What `npm start` tells a new user once the example traces are on screen: the exact settings
 * for their own apps (each client reads its own variable), and how to send the traces to Jaeger,
 * Tempo, a Collector or Langfuse instead.
 */
import { REPLAY_KEYS } from './replay.js';

export interface NextStepsFacts {
  /** The receiver's URL, `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The OTLP/JSON lines file the spans were written to. */
  readonly output: string;
  readonly forwardedSpans: number;
  readonly quietMillis: number;
  /** Variables of the shell the demo leaves aside (`serve` would read them). */
  readonly ignored: readonly string[];
}

export function nextSteps(f: NextStepsFacts): string {
  const lines = [
    '',
    `${f.forwardedSpans} spans above, as trace trees; the same spans are in ${f.output} (OTLP/JSON lines).`,
    '',
    `The receiver keeps serving on ${f.url}. Point your own apps at it (it is open on loopback: any key pair will do):`,
    `  Python SDK v2, litellm         LANGFUSE_HOST=${f.url}`,
    `  JS/TS SDK v3, langfuse-vercel  LANGFUSE_BASEURL=${f.url}`,
    `  other clients                  LANGFUSE_BASE_URL=${f.url}`,
    `  with                           LANGFUSE_PUBLIC_KEY=${REPLAY_KEYS.publicKey} LANGFUSE_SECRET_KEY=${REPLAY_KEYS.secretKey}`,
    `Their traces print here once quiet for ${f.quietMillis / 1000} s.`,
    '',
    'To send the traces to a backend instead, run the receiver with an OTLP endpoint (Compose files: examples/recipes/):',
    '  Jaeger, Tempo   otel-langfuse-bridge serve --endpoint http://localhost:4318/v1/traces',
    '  a Collector     OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 otel-langfuse-bridge serve',
    '  Langfuse v4     otel-langfuse-bridge serve --langfuse-url https://cloud.langfuse.com   (each app keeps its own key pair)',
    '  saved logs      otel-langfuse-bridge convert examples/logs --langfuse   (or --endpoint <url>, or -o traces.otlp.jsonl)',
    'Installed, the command is `npx otel-langfuse-bridge`; in this clone, `npx tsx src/cli/main.ts` runs it without a build.',
  ];
  if (f.ignored.length > 0) lines.push(`(Left aside for this demo, read by serve: ${f.ignored.join(', ')}.)`);
  lines.push('', 'Ctrl-C stops it.', '');
  return lines.join('\n');
}
