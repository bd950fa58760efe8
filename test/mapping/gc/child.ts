/**
 * Child of gc.test.ts (run with --expose-gc --trace-opt --trace-deopt): maps the recorded AI SDK
 * spans until V8 has optimised the mapping, then forces a full GC between two markers, with no
 * mapping object alive, as between two exports.
 */
import { readFileSync } from 'node:fs';
import { spanDumpToReadableSpans } from '../../../src/mapping/span-dump.js';
import type { SpanDump } from '../../../src/mapping/span-dump.js';
import { spansToIngestion } from '../../../src/mapping/to-ingestion/index.js';

const dump = JSON.parse(readFileSync(new URL('../../../examples/spans/ai-sdk.json', import.meta.url), 'utf8')) as SpanDump[];
const spans = spanDumpToReadableSpans(dump).value;
for (let i = 0; i < 3_000; i++) spansToIngestion(spans);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
console.log('=== full gc');
gc();
console.log('=== after full gc');
