/**
 * Protocol 'otlp' (the default): spans mapped by the same forward mapping as the ingestion output
 * and normalised into the `langfuse.*` keys (`spansToLangfuseOtlp`), encoded by the stock OTLP
 * protobuf serializer and posted to Langfuse's OTLP endpoint: what Langfuse Cloud and self-hosted
 * v4 take. Scores that spans of our own reverse mapping carry go to the ingestion endpoint, the
 * only path Langfuse v4 takes them on.
 */
import { context } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { setImmediate } from 'node:timers/promises';
import { spansToLangfuseOtlp } from '../mapping/to-langfuse-otlp/index.js';
import type { Attempt } from './deliver.js';
import { RequestDelivery } from './deliver.js';
import type { HttpOptions } from './options.js';
import type { OtlpRequest } from './otlp-requests.js';
import { otlpRequests } from './otlp-requests.js';
import type { OtlpTransport } from './otlp-transport.js';
import { createOtlpTransport } from './otlp-transport.js';
import { LAST_PARTS_SPANS, partsByTrace, SPANS_PER_PART } from './parts.js';
import type { Sender } from './sender.js';
import { logIssues, retryDeps, toResult } from './sender.js';
import { ingestionDelivery } from './send-ingestion.js';
import { createHttpTransport } from './transport.js';
import type { IngestionTransport } from './types.js';

/** An OTLP request is all or nothing: there is never a subset to send again. */
function otlpAttempt(transport: OtlpTransport, request: OtlpRequest): Attempt {
  const attempt: Attempt = { ids: request.ids, send: (timeoutMillis) => transport.send(request.body, timeoutMillis), subset: () => attempt };
  return attempt;
}

/** Posts OTLP: an export of many spans goes in parts of whole traces, each sent while the next is mapped. */
export function createOtlpSender(options: HttpOptions, logger: DiagLogger): Sender {
  const keys = { baseUrl: options.baseUrl, publicKey: options.publicKey, secretKey: options.secretKey };
  const transport = createOtlpTransport(keys);
  let scoreTransport: IngestionTransport | undefined;
  const mappingOptions = {
    legacyTypes: options.legacyTypes,
    maxSpanBytes: options.maxEventBytes,
    ...(options.environment === undefined ? {} : { environment: options.environment }),
    ...(options.release === undefined ? {} : { release: options.release }),
  };

  return {
    async send(spans) {
      const delivery = new RequestDelivery(retryDeps(options), 'span');
      let scores: ReturnType<typeof ingestionDelivery> | undefined;
      const parts = partsByTrace(spans, SPANS_PER_PART, LAST_PARTS_SPANS);
      for (let i = 0; i < parts.length; i++) {
        // Lets the request just handed over go out (and answers come in) before the next part is mapped.
        if (i > 0) await setImmediate();
        const part = parts[i] as ReadableSpan[];
        const { value, issues } = spansToLangfuseOtlp(part, mappingOptions);
        logIssues(logger, issues, part.length);
        context.with(suppressTracing(context.active()), () => {
          if (value.spans.length > 0) {
            const ids = value.spans.map((s) => s.spanContext().spanId);
            delivery.addRequests(ids, () => otlpRequests(value.spans, options.maxBatchBytes).map((r) => otlpAttempt(transport, r)));
          }
          if (value.scores.length > 0) {
            scoreTransport ??= createHttpTransport(keys);
            scores ??= ingestionDelivery(scoreTransport, options, logger);
            scores.add(value.scores);
          }
        });
      }
      const result: ExportResult = toResult(await delivery.finish(), logger, 'span');
      const scoreResult: ExportResult = scores === undefined ? { code: ExportResultCode.SUCCESS } : toResult(await scores.finish(), logger, 'score');
      return result.code !== ExportResultCode.SUCCESS ? result : scoreResult;
    },
    flush: () => Promise.resolve(),
    shutdown: async () => {
      await transport.shutdown();
      await scoreTransport?.shutdown();
    },
  };
}
