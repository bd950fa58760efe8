/**
 * A full GC between two exports must not throw away the mapping's optimised code. V8 reaches the
 * hidden class of instances with fields only through weak map transitions; with no AttributeBag
 * or IssueSink alive, a full GC used to collect theirs and deoptimise about 40 functions, so the
 * next export ran at half speed; the AI SDK reading's classes (Reading, CommonFieldsMemo) and the
 * trace keys' ObjectSink did the same to the OTLP output (warm CPU 24 against 19 µs a span), and
 * AttrList and ResourcePool to the reverse mapping (17 functions of the receiver's and convert's). Checked on V8's own trace of what it optimises and deoptimises
 * (no timing): the hot functions are optimised before the GC and none of them is deoptimised by it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The hot functions of each mode of child.ts. */
const HOT = {
  ingestion: ['spansToIngestion', 'toObservation', 'toSpanView', 'AttributeBag', 'peek', 'has', 'take', 'leftovers', 'takeUsage', 'takeModelParameters'],
  // The AI SDK spans' reading by position, the direct path's assembly and the encoder.
  'langfuse-otlp': [
    'direct', 'aiSdkObservation', 'Reading', 'peek', 'take', 'source', 'typeOf', 'model', 'parameters', 'usage', 'completionStart',
    'traceFields', 'of', 'otlpSpan', 'traceAttributes', 'writeTraceAttributes', 'put', 'encodeRecords', 'keyValue',
  ],
  // The reverse mapping's spans (their attributes an AttrList, their resources pooled) and the encoder.
  reverse: [
    'ingestionToSpans', 'observationSpan', 'rootSpan', 'append', 'set', 'has', 'assign', 'cleanAttributes', 'writeLangfuseAttributes',
    'writeGenaiAttributes', 'writeMetadata', 'writeTraceAttributes', 'writeUsageTwins', 'finish', 'put', 'attributes', 'span',
  ],
};

test.each(Object.keys(HOT) as Array<keyof typeof HOT>)('%s: a full GC with no mapping object alive deoptimises none of the hot functions', (mode) => {
  const hot = HOT[mode];
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--trace-opt', '--trace-deopt', '--import', 'tsx', 'test/mapping/gc/child.ts', mode],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  expect(r.status, r.stderr).toBe(0);
  const [before = '', rest = ''] = r.stdout.split('=== full gc\n');
  const [during = ''] = rest.split('=== after full gc\n');
  const optimised = new Set([...before.matchAll(/completed (?:optimizing|compiling) [^<]*<JSFunction (\S+)[^\n]*TURBOFAN/g)].map((m) => m[1]));
  // The check means something only if V8 optimised the hot functions first.
  expect(hot.filter((f) => optimised.has(f)).length).toBeGreaterThanOrEqual(3);
  const deoptimised = [...during.matchAll(/<SharedFunctionInfo (\S+)>\) \(opt id \d+\) for deoptimization/g)].map((m) => m[1]);
  expect(deoptimised.filter((f) => hot.includes(f as string))).toEqual([]);
}, 60_000);
