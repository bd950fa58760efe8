/**
 * What the published `.d.ts` files declare for the OpenTelemetry SDK names our source imports.
 *
 * Source files import from the SDK packages themselves (`@opentelemetry/sdk-trace-base` types;
 * `core` and `resources`, whose code the build bundles). The declaration build (tsup.config.ts)
 * resolves those three names to this file instead, so the published types need `@opentelemetry/api`
 * alone and resolve beside OTel JS 2.x (`sdk-trace-base`) and 3.x (`sdk-trace`) alike. The shapes
 * are the same on both lines; TypeScript compares interfaces structurally, and an enum with the
 * same name and members as the SDK's `ExportResultCode` is compatible with it. test/package checks
 * both directions against the real SDK types of each line. A new import from these packages in
 * src/ needs its declaration here (the declaration build fails until then).
 */
import type { Attributes, AttributeValue, Context, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';

/** `@opentelemetry/core` */
export declare enum ExportResultCode {
  SUCCESS = 0,
  FAILED = 1,
}

/** `@opentelemetry/core` */
export interface ExportResult {
  code: ExportResultCode;
  error?: Error;
}

/** `@opentelemetry/core` */
export declare function suppressTracing(context: Context): Context;

/** `@opentelemetry/core` */
export interface InstrumentationScope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/** `@opentelemetry/resources` */
export type MaybePromise<T> = T | Promise<T>;

/** `@opentelemetry/resources` */
export type RawResourceAttribute = [string, MaybePromise<AttributeValue | undefined>];

/** `@opentelemetry/resources` */
export interface Resource {
  readonly asyncAttributesPending?: boolean;
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
  waitForAsyncAttributes?(): Promise<void>;
  merge(other: Resource | null): Resource;
  getRawAttributes(): RawResourceAttribute[];
}

/** `@opentelemetry/sdk-trace-base` 2.x, `@opentelemetry/sdk-trace` 2.x and 3.x */
export interface TimedEvent {
  time: HrTime;
  name: string;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

/** `@opentelemetry/sdk-trace-base` 2.x, `@opentelemetry/sdk-trace` 2.x and 3.x */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: () => SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly duration: HrTime;
  readonly ended: boolean;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/** `@opentelemetry/sdk-trace-base` 2.x, `@opentelemetry/sdk-trace` 2.x and 3.x */
export interface SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}
