/**
 * What the OTLP floors of the exporter bench share (bench/exporter-otlp-floor.ts,
 * bench/exporter-otlp-exact-floor.ts): our parts, encoder and transport around a mapping of their
 * own. Each export's spans go in parts of whole traces, each part's POST going out while the next
 * part is mapped, and the callback comes once every answer came. No retries, no issues.
 */
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { setImmediate } from 'node:timers/promises';
import { createOtlpTransport } from '../src/exporter/otlp-transport.js';
import type { OtlpTransport } from '../src/exporter/otlp-transport.js';
import { LAST_PARTS_SPANS, partsByTrace, SPANS_PER_PART } from '../src/exporter/parts.js';
import { encodeTraceRequest } from '../src/otlp/otlp-encoder.js';

export class OtlpPartsExporter implements SpanExporter {
  private readonly _transport: OtlpTransport;
  private readonly _map: (part: readonly ReadableSpan[]) => ReadableSpan[];

  /** `map`: one part's spans as they are sent. */
  constructor(options: { baseUrl: string; publicKey: string; secretKey: string }, map: (part: readonly ReadableSpan[]) => ReadableSpan[]) {
    this._transport = createOtlpTransport(options);
    this._map = map;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this._export(spans).then(
      (ok) => done(ok ? { code: 0 } : { code: 1, error: new Error('a request failed') }),
      (error: unknown) => done({ code: 1, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  private async _export(spans: ReadableSpan[]): Promise<boolean> {
    const answers: Array<Promise<{ kind: string }>> = [];
    for (const part of partsByTrace(spans, SPANS_PER_PART, LAST_PARTS_SPANS)) {
      if (answers.length > 0) await setImmediate();
      answers.push(this._transport.send(encodeTraceRequest(this._map(part), 65_536), 10_000));
    }
    return (await Promise.all(answers)).every((a) => a.kind === 'ok');
  }

  shutdown(): Promise<void> {
    return this._transport.shutdown();
  }
}
