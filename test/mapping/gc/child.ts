/**
 * Child of gc.test.ts (run with --expose-gc --trace-opt --trace-deopt): maps the recorded AI SDK
 * spans until V8 has optimised the mapping, then forces a full GC between two markers, with no
 * mapping object alive, as between two exports. argv[2]: 'ingestion' (spansToIngestion),
 * 'langfuse-otlp' (spansToLangfuseOtlp and the OTLP encoding, as the exporter's default protocol)
 * or 'reverse' (ingestionToSpans of the recorded litellm requests and the OTLP encoding, as the
 * receiver and `convert` map and send).
 */
import { readFileSync } from 'node:fs';
import { otlpRequests } from '../../../src/exporter/otlp-requests.js';
import { spanDumpToReadableSpans } from '../../../src/mapping/span-dump.js';
import type { SpanDump } from '../../../src/mapping/span-dump.js';
import { spansToIngestion } from '../../../src/mapping/to-ingestion/index.js';
import { spansToLangfuseOtlp } from '../../../src/mapping/to-langfuse-otlp/index.js';
import { ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import { encodeTraceRequest } from '../../../src/otlp/otlp-encoder.js';

const dump = JSON.parse(readFileSync(new URL('../../../examples/spans/ai-sdk.json', import.meta.url), 'utf8')) as SpanDump[];
const spans = spanDumpToReadableSpans(dump).value;
const litellm = readFileSync(new URL('../../../examples/logs/litellm.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .flatMap((line) => (JSON.parse(line) as { batch: unknown[] }).batch);
const mode = process.argv[2];
const map =
  mode === 'ingestion'
    ? () => void spansToIngestion(spans)
    : mode === 'langfuse-otlp'
      ? () => void otlpRequests(spansToLangfuseOtlp(spans, { legacyTypes: false, maxSpanBytes: 1_000_000 }).value.spans, 3_500_000)
      : mode === 'reverse'
        ? () => void encodeTraceRequest(ingestionToSpans(litellm).value)
        : undefined;
if (map === undefined) throw new Error(`unknown mode ${mode}`);
for (let i = 0; i < 3_000; i++) map();
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
console.log('=== full gc');
gc();
console.log('=== after full gc');
