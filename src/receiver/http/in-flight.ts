/**
 * The request bytes the handler holds at once: bodies being read, inflated, parsed and spooled.
 * A request that would take the total past the budget while other requests hold bytes gets 503
 * with Retry-After (the client keeps its events and sends them again), so many large requests at
 * once cannot run the receiver out of memory. A request alone is always taken: the body cap
 * bounds it.
 */
import { unavailable } from './errors.js';

export class InFlightBytes {
  readonly maxBytes: number;
  private _held = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Bytes held by requests now. */
  get held(): number {
    return this._held;
  }

  /** One request's share: `take` as its bytes arrive, `release` once it is answered. */
  open(): InFlightShare {
    let mine = 0;
    return {
      take: (n: number): void => {
        if (this._held + n > this.maxBytes && this._held > mine) {
          throw unavailable(`Over ${this.maxBytes} bytes of requests in flight; retry later`);
        }
        this._held += n;
        mine += n;
      },
      release: (): void => {
        this._held -= mine;
        mine = 0;
      },
    };
  }
}

export interface InFlightShare {
  /** Counts `n` more bytes of this request; throws a 503 when that goes past the budget while other requests hold bytes. */
  take(n: number): void;
  /** Gives back every byte this request took. */
  release(): void;
}
