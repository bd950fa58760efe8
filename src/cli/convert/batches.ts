/**
 * Spans into OTLP requests of many traces, each within the bounds: at most `maxSpans` spans and
 * `maxBytes` bytes of body (a single span larger than that goes alone). A request is filled until
 * the next span would cross a bound, then sent while the next one fills.
 */

export interface RequestBounds {
  /** Spans per request. */
  readonly maxSpans: number;
  /** Bytes of body per request (exact: the OTLP/JSON bytes in a file, the protobuf bytes over `--endpoint`). */
  readonly maxBytes: number;
}

/** 2,048 spans and 4 MiB: under the Collector's 20 MiB and gRPC's 4 MiB receive limits, and many spans per POST. */
export const DEFAULT_REQUEST_BOUNDS: RequestBounds = { maxSpans: 2048, maxBytes: 4 * 1024 * 1024 };

/** One request being filled. */
export interface RequestBuilder<Span, Request> {
  /** Spans added so far. */
  readonly spans: number;
  /** The request's size in bytes if `span` were added. */
  bytesWith(span: Span): number;
  add(span: Span): void;
  /** The request, and a fresh builder in its place. */
  take(): Request;
}

/** Fills requests from spans as they come; `send` gets each full one (awaited: backpressure). */
export class Batcher<Span, Request> {
  private readonly _bounds: RequestBounds;
  private readonly _builder: RequestBuilder<Span, Request>;
  private readonly _send: (request: Request, spans: number) => Promise<void>;

  constructor(bounds: RequestBounds, builder: RequestBuilder<Span, Request>, send: (request: Request, spans: number) => Promise<void>) {
    this._bounds = bounds;
    this._builder = builder;
    this._send = send;
  }

  /** Adds the spans; a promise only when a request had to be sent on the way (then wait for it before adding more). */
  add(spans: readonly Span[]): Promise<void> | undefined {
    const builder = this._builder;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as Span;
      if (builder.spans > 0 && (builder.spans >= this._bounds.maxSpans || builder.bytesWith(span) > this._bounds.maxBytes)) {
        return this._flushThenAdd(spans, i);
      }
      builder.add(span);
    }
    return undefined;
  }

  private async _flushThenAdd(spans: readonly Span[], from: number): Promise<void> {
    await this.flush();
    this._builder.add(spans[from] as Span);
    await this.add(spans.slice(from + 1));
  }

  /** Sends the request being filled, if it holds any span. */
  async flush(): Promise<void> {
    const spans = this._builder.spans;
    if (spans > 0) await this._send(this._builder.take(), spans);
  }
}
