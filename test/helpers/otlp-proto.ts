/**
 * Test-only OTLP helpers. `decodeTraceRequest` is an INDEPENDENT protobuf decoder: protobufjs
 * reading the official OTLP .proto files (shipped by @opentelemetry/exporter-collector-proto), so
 * the round-trip tests never check our code against itself or against the encoder under test.
 *
 * Those .proto files are OTLP v0.9 (2021). Field numbers are stable, so they read today's
 * messages, but they miss fields added since. The few we need are declared below with the
 * numbers and types of the current opentelemetry-proto (checked against its main branch):
 *   common.v1.AnyValue.bytes_value = 7 (bytes, in oneof `value`)
 *   common.v1.InstrumentationScope.attributes = 3, dropped_attributes_count = 4
 *   trace.v1.ResourceSpans.schema_url = 3, trace.v1.ScopeSpans.schema_url = 3
 *   trace.v1.Span.flags = 16 (fixed32), trace.v1.Span.Link.flags = 6 (fixed32)
 * Without them protobufjs would silently skip those fields as unknown.
 */
import { fileURLToPath } from 'node:url';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';

const PROTO_ROOT = fileURLToPath(
  new URL('../../node_modules/@opentelemetry/exporter-collector-proto/build/protos/', import.meta.url),
);

function loadRequestType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${PROTO_ROOT}${target}`;
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  const common = 'opentelemetry.proto.common.v1';
  const anyValue = root.lookupType(`${common}.AnyValue`);
  const bytesValue = new protobuf.Field('bytesValue', 7, 'bytes');
  anyValue.add(bytesValue);
  anyValue.oneofs['value']?.add(bytesValue);
  root
    .lookupType(`${common}.InstrumentationLibrary`)
    .add(new protobuf.Field('attributes', 3, `${common}.KeyValue`, 'repeated'))
    .add(new protobuf.Field('droppedAttributesCount', 4, 'uint32'));
  root.lookupType('opentelemetry.proto.trace.v1.ResourceSpans').add(new protobuf.Field('schemaUrl', 3, 'string'));
  root.lookupType('opentelemetry.proto.trace.v1.InstrumentationLibrarySpans').add(new protobuf.Field('schemaUrl', 3, 'string'));
  root.lookupType('opentelemetry.proto.trace.v1.Span').add(new protobuf.Field('flags', 16, 'fixed32'));
  root.lookupType('opentelemetry.proto.trace.v1.Span.Link').add(new protobuf.Field('flags', 6, 'fixed32'));
  root.resolveAll();
  return root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
}

let requestType: protobuf.Type | undefined;

type Rec = Record<string, unknown>;

function base64ToHex(value: unknown): unknown {
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('hex') : value;
}

/** Base64 ids (protobufjs `bytes: String`) to the lower-case hex OTLP/JSON uses. */
function hexIds(obj: Rec, keys: readonly string[]): Rec {
  const out: Rec = { ...obj };
  for (const key of keys) if (key in out) out[key] = base64ToHex(out[key]);
  return out;
}

function renamed(obj: Rec, from: string, to: string): Rec {
  if (!(from in obj)) return obj;
  const { [from]: value, ...rest } = obj;
  return { ...rest, [to]: value };
}

/**
 * protobufjs's own object for a binary `ExportTraceServiceRequest`, not normalised: the old
 * proto's `instrumentationLibrarySpans`/`instrumentationLibrary` names and base64 ids.
 */
export function decodeTraceRequestRaw(bytes: Uint8Array): Record<string, unknown> {
  requestType ??= loadRequestType();
  return requestType.toObject(requestType.decode(bytes), {
    longs: String,
    enums: Number,
    bytes: String,
    defaults: false,
    arrays: true,
  });
}

/**
 * Decodes a binary `ExportTraceServiceRequest` with protobufjs and returns it in OTLP/JSON shape:
 * camelCase names, `scopeSpans`/`scope` (the old proto's `instrumentationLibrary*` renamed),
 * hex ids, 64-bit integers as decimal strings, enums as numbers, other bytes as base64.
 */
export function decodeTraceRequest(bytes: Uint8Array): unknown {
  const obj = decodeTraceRequestRaw(bytes);
  const resourceSpans = (obj['resourceSpans'] as Rec[]).map((rs) => {
    const renamedRs = renamed(rs, 'instrumentationLibrarySpans', 'scopeSpans');
    return {
      ...renamedRs,
      scopeSpans: ((renamedRs['scopeSpans'] ?? []) as Rec[]).map((ss) => {
        const renamedSs = renamed(ss, 'instrumentationLibrary', 'scope');
        return {
          ...renamedSs,
          spans: ((renamedSs['spans'] ?? []) as Rec[]).map((span) => ({
            ...hexIds(span, ['traceId', 'spanId', 'parentSpanId']),
            links: ((span['links'] ?? []) as Rec[]).map((link) => hexIds(link, ['traceId', 'spanId'])),
          })),
        };
      }),
    };
  });
  return { ...obj, resourceSpans };
}

/** The stock OTLP protobuf encoding of `spans` (what @opentelemetry/exporter-trace-otlp-proto sends). */
export function encodeWithStockSerializer(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (bytes === undefined) throw new Error('ProtobufTraceSerializer returned nothing');
  return bytes;
}

/** The stock OTLP/JSON encoding of `spans` (what @opentelemetry/exporter-trace-otlp-http sends), parsed. */
export function stockJson(spans: ReadableSpan[]): unknown {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (bytes === undefined) throw new Error('JsonTraceSerializer returned nothing');
  return JSON.parse(new TextDecoder().decode(bytes));
}
