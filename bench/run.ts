/**
 * npm run bench: every figure next to its named baseline, measured in the same run.
 *
 * 1. spansToIngestion vs the stock OTLP protobuf serializer (@opentelemetry/otlp-transformer
 *    ProtobufTraceSerializer) on the same spans, per recorded dialect, in batches of 512 (the
 *    BatchSpanProcessor default). Target: the mapping at least 3x the serializer's spans/s, so it is
 *    never the bottleneck of an export.
 * 2. ingestionToSpans vs the same serializer on the spans it produced, for the seed (litellm) and
 *    langfuse v3 batches replicated to at least 100,000 events, with the heap the mapping costs
 *    (bench/reverse.ts). Same 3x target.
 * 3. Our LangfuseSpanExporter (protocol 'ingestion') vs langfuse-vercel's LangfuseExporter on the
 *    same 10,000 recorded AI SDK spans, to a loopback fake Langfuse, each in its own process
 *    (bench/exporter.ts). Targets: ours at least 5x theirs in spans/s delivered, and a peak RSS no
 *    higher.
 * 4. Our LangfuseSpanExporter (protocol 'otlp') vs @langfuse/otel's LangfuseSpanProcessor and the
 *    stock OTLP exporter on the same spans, cold (a fresh process's first 10,000 spans) and warm
 *    (bench/exporter-otlp.ts). Target: ours at least 1x @langfuse/otel in both.
 * 5. convert on litellm-style logs of about 100 MB and 400 MB, to an OTLP/JSON file and to a loopback
 *    OTLP endpoint, vs JSON.parse + JSON.stringify per line of the same file, each in its own
 *    process (bench/convert.ts), with reference converters that tell what the output allows
 *    (bench/convert-floors.ts). Targets: at least 50% of the baseline's MB/s, peak RSS under
 *    200 MB at both sizes and flat between them, at least 512 spans per OTLP request.
 * 6. The receiver vs a bare node:http server that parses the JSON and answers 207, ~100 KB requests
 *    from 8 clients (bench/receiver.ts): acknowledgement throughput, 60 s end to end, RSS, latency at
 *    half of saturation, a sink answering after 100 ms.
 *
 * Sections 1 and 2 also measure a floor (bench/floor.ts): the least work any mapping has to do,
 * without the rules, to show how far each target is from what the work itself allows.
 */
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { spansToIngestion } from 'otel-langfuse-bridge/mapping';
import { runConvertBench } from './convert.js';
import { runOtlpExporterBench } from './exporter-otlp.js';
import { runReceiverBench } from './receiver.js';
import { runExporterBench } from './exporter.js';
import { forwardFloor } from './floor.js';
import { compare, formatRate } from './measure.js';
import type { Measurement } from './measure.js';
import { runReverse } from './reverse.js';
import { DIALECTS, replicate } from './spans.js';

const BATCH = 512;

function main(): void {
  const rows: string[][] = [['dialect', 'spansToIngestion', 'floor', 'OTLP protobuf serializer', 'ratio', 'floor ratio']];
  let worst = Infinity;
  for (const dialect of DIALECTS) {
    const perCopy = replicate(dialect, 1).length;
    const spans = replicate(dialect, Math.ceil(BATCH / perCopy)).slice(0, BATCH);
    const [mapping, floor, serializer] = compare(spans.length, [
      { name: 'spansToIngestion', work: () => spansToIngestion(spans) },
      { name: 'floor', work: () => forwardFloor(spans) },
      { name: 'ProtobufTraceSerializer', work: () => ProtobufTraceSerializer.serializeRequest(spans) },
    ]) as [Measurement, Measurement, Measurement];
    const ratio = mapping.perSecond / serializer.perSecond;
    worst = Math.min(worst, ratio);
    rows.push([
      dialect,
      formatRate(mapping.perSecond),
      formatRate(floor.perSecond),
      formatRate(serializer.perSecond),
      `${ratio.toFixed(2)}x`,
      `${(floor.perSecond / serializer.perSecond).toFixed(2)}x`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`Forward mapping, spans per second, batches of ${BATCH} spans (median of 9 interleaved rounds)\n`);
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  console.log(`\nworst ratio ${worst.toFixed(2)}x (target >= 3x): ${worst >= 3 ? 'met' : 'NOT met'}`);
  console.log(
    'floor: every attribute copied once with JSON payloads parsed, two ISO times, one SHA-256 envelope id per span; no dialect rules (bench/floor.ts)',
  );
}

main();
runReverse();
await runExporterBench();
await runConvertBench();
await runOtlpExporterBench();
await runReceiverBench();
