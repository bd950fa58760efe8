/**
 * The OTLP endpoint of the loopback fake Langfuse v4 (`POST /api/public/otel/v1/traces`), as
 * langfuse-v4.md describes it: OTLP protobuf or JSON, a `x-langfuse-ingestion-version` above 4
 * refused, and the WHOLE request refused with 400 when any span's trace id is not 16 bytes or its
 * span id (or parent span id) not 8 bytes. Protobuf bodies are read by the independent decoder
 * (protobufjs over the official .proto files), never by our own code.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { decodeTraceRequest, decodeTraceRequestRaw } from './otlp-proto.js';
import { isRecord } from './loopback.js';

/** Langfuse's OTLP traces path. */
export const OTLP_TRACES_PATH = '/api/public/otel/v1/traces';

type Json = Record<string, unknown>;

/** One span as the fake stored it, with the resource and scope it came under (OTLP/JSON shape, hex ids). */
export interface StoredSpan {
  readonly resource: Json;
  readonly scope: Json;
  /** The `schemaUrl` of the scope's ScopeSpans, when there is one. */
  readonly scopeSchemaUrl?: string;
  readonly span: Json;
}

/** What the OTLP endpoint answers, and the spans a 200 stores. */
export interface OtlpVerdict {
  readonly status: number;
  readonly body: Json;
  readonly spans: readonly StoredSpan[];
}

const refuse = (status: number, error: string): OtlpVerdict => ({ status, body: { error }, spans: [] });

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name] ?? headers[name.replaceAll('-', '_')];
  return typeof value === 'string' ? value : undefined;
}

/** Byte length of a base64 id as protobufjs gives it (`bytes: String`); -1 when absent. */
const base64Bytes = (v: unknown): number => (typeof v === 'string' ? Buffer.from(v, 'base64').length : -1);
/** Byte length of a hex id as OTLP/JSON writes it; -1 when absent or not hex. */
const hexBytes = (v: unknown): number => (typeof v === 'string' && /^([0-9a-fA-F]{2})*$/.test(v) ? v.length / 2 : -1);

/** The first span whose ids Langfuse refuses, described; undefined when all are fine. */
function badIds(resourceSpans: unknown, scopesKey: string, bytesOf: (v: unknown) => number): string | undefined {
  for (const rs of Array.isArray(resourceSpans) ? resourceSpans : []) {
    const scopes = isRecord(rs) ? rs[scopesKey] : undefined;
    for (const ss of Array.isArray(scopes) ? scopes : []) {
      const spans = isRecord(ss) ? ss.spans : undefined;
      for (const span of Array.isArray(spans) ? spans : []) {
        const s = isRecord(span) ? span : {};
        if (bytesOf(s.traceId) !== 16) return 'trace id is not 16 bytes';
        if (bytesOf(s.spanId) !== 8) return 'span id is not 8 bytes';
        const parent = bytesOf(s.parentSpanId);
        if (s.parentSpanId !== undefined && s.parentSpanId !== '' && parent !== 8 && parent !== 0) return 'parent span id is not 8 bytes';
      }
    }
  }
  return undefined;
}

/** Every span of a decoded request (OTLP/JSON shape), with its resource and scope. */
export function storedSpans(request: unknown): StoredSpan[] {
  const out: StoredSpan[] = [];
  for (const rs of isRecord(request) && Array.isArray(request.resourceSpans) ? request.resourceSpans : []) {
    const r = isRecord(rs) ? rs : {};
    const resource = isRecord(r.resource) ? r.resource : {};
    for (const ss of Array.isArray(r.scopeSpans) ? r.scopeSpans : []) {
      const s = isRecord(ss) ? ss : {};
      const scope = isRecord(s.scope) ? s.scope : {};
      const schema = typeof s.schemaUrl === 'string' && s.schemaUrl !== '' ? { scopeSchemaUrl: s.schemaUrl } : {};
      for (const span of Array.isArray(s.spans) ? s.spans : []) if (isRecord(span)) out.push({ resource, scope, ...schema, span });
    }
  }
  return out;
}

/** Langfuse v4's answer to one OTLP request (after auth), and what it stores. */
export function otlpVerdict(headers: IncomingHttpHeaders, raw: Buffer): OtlpVerdict {
  const contentType = (header(headers, 'content-type') ?? '').toLowerCase();
  const isProto = contentType.includes('application/x-protobuf');
  if (!isProto && !contentType.includes('application/json')) return refuse(400, 'Invalid content type');
  const version = header(headers, 'x-langfuse-ingestion-version');
  if (version !== undefined && (Number.isNaN(parseInt(version, 10)) || parseInt(version, 10) > 4)) {
    return refuse(400, `Unsupported x-langfuse-ingestion-version: "${version}". Maximum supported: "4".`);
  }
  let request: unknown;
  let problem: string | undefined;
  try {
    if (isProto) {
      problem = badIds(decodeTraceRequestRaw(raw).resourceSpans, 'instrumentationLibrarySpans', base64Bytes);
      request = decodeTraceRequest(raw);
    } else {
      request = JSON.parse(raw.toString('utf8'));
      problem = badIds(isRecord(request) ? request.resourceSpans : undefined, 'scopeSpans', hexBytes);
    }
  } catch {
    return refuse(400, isProto ? 'Failed to parse OTel Protobuf Trace' : 'Failed to parse OTel JSON Trace');
  }
  if (problem !== undefined) return refuse(400, `Invalid span: ${problem}`);
  return { status: 200, body: {}, spans: storedSpans(request) };
}
