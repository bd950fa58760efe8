/**
 * What the user sees while a conversion runs, on stderr: with a known input size on a terminal, a
 * progress bar (cli-progress) with the bytes read out of the total, events, spans, rate and ETA;
 * on a terminal without a size (stdin from a pipe), a line of counts redrawn in place; nothing
 * when stderr is not a terminal. Issue lines go above it. Redraws are paced by the injected clock.
 */
import cliProgress from 'cli-progress';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export interface ProgressCounts {
  /** Bytes read from the inputs. */
  read: number;
  events: number;
  spans: number;
  issues: number;
}

export interface Progress {
  /** Redraws when it is time to. */
  tick(counts: ProgressCounts): void;
  /** Writes a line (with its newline) above the progress. */
  log(line: string): Promise<void>;
  /** Clears the progress; later writes go to a clean line. */
  stop(): Promise<void>;
}

/** How often the progress is redrawn. */
const REDRAW_EVERY_MILLIS = 200;
const CLEAR_LINE = '\r\u001b[K';

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

const n = (x: number): string => x.toLocaleString('en-US');

/** No progress: lines go straight through. */
function silent(stream: Writable): Progress {
  return { tick: () => undefined, log: (line) => write(stream, line), stop: async () => undefined };
}

/** A line of counts, redrawn in place (no size to measure against). */
function countsLine(stream: Writable, now: () => number): Progress {
  let shown = false;
  let last = now();
  const clear = async (): Promise<void> => {
    if (!shown) return;
    shown = false;
    await write(stream, CLEAR_LINE);
  };
  return {
    tick(c) {
      if (now() - last < REDRAW_EVERY_MILLIS) return;
      last = now();
      stream.write(`${CLEAR_LINE}converting: ${n(c.events)} events, ${n(c.spans)} spans, ${n(c.issues)} issues`);
      shown = true;
    },
    log: async (line) => {
      await clear();
      await write(stream, line);
    },
    stop: clear,
  };
}

/** A bar of the bytes read out of `total`. */
function bar(stream: Writable, total: number, now: () => number): Progress {
  const started = now();
  let last = started;
  const multibar = new cliProgress.MultiBar(
    {
      stream: stream as unknown as NodeJS.WritableStream,
      format: 'converting {bar} {percentage}% | {done} of {size} | {events} events | {spans} spans | {rate} | ETA {eta_text}',
      barsize: 20,
      hideCursor: false,
      clearOnComplete: true,
      gracefulExit: false,
      forceRedraw: true,
      // Redrawn on our own pace (tick); the library's timer only keeps the line alive between ticks.
      fps: 2,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (c: ProgressCounts): Record<string, string> => {
    const seconds = Math.max(now() - started, 1) / 1000;
    const rate = c.read / seconds;
    return {
      done: megabytes(c.read),
      size: megabytes(total),
      events: n(c.events),
      spans: n(c.spans),
      rate: `${(rate / 1e6).toFixed(1)} MB/s`,
      eta_text: duration(rate > 0 ? (total - c.read) / rate : Number.POSITIVE_INFINITY),
    };
  };
  const progress = multibar.create(Math.max(total, 1), 0, payload({ read: 0, events: 0, spans: 0, issues: 0 }));
  return {
    tick(c) {
      if (now() - last < REDRAW_EVERY_MILLIS) return;
      last = now();
      progress.update(Math.min(c.read, total), payload(c));
      multibar.update();
    },
    log: async (line) => {
      // From the start of the line: the bar leaves the cursor at its end.
      multibar.log(`\r${line}`);
      multibar.update();
    },
    stop: async () => {
      multibar.update();
      multibar.stop();
    },
  };
}

/** The progress for `stream`: a bar when `total` bytes are known, counts otherwise, nothing off a terminal. */
export function createProgress(stream: Writable & { readonly isTTY?: boolean }, total: number | undefined, now: () => number): Progress {
  if (stream.isTTY !== true) return silent(stream);
  return total === undefined ? countsLine(stream, now) : bar(stream, total, now);
}
