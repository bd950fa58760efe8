/**
 * A child process's stdout and stderr as one growing text, and promises on it: tests wait for
 * what a command prints (an event), never for time to pass.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

export interface ChildOutput {
  /** Everything printed so far, stdout and stderr interleaved as it came. */
  readonly text: string;
  /** The first match of `pattern` in the output so far or to come; rejects if the child exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

export function watchOutput(child: ChildProcessWithoutNullStreams): ChildOutput {
  let text = '';
  const append = (c: Buffer): void => {
    text += c.toString('utf8');
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    get text() {
      return text;
    },
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const m = pattern.exec(text);
          if (m === null) return false;
          child.stdout.off('data', check);
          child.stderr.off('data', check);
          resolve(m);
          return true;
        };
        if (check()) return;
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        void exited.then(() => {
          if (!check()) reject(new Error(`exited before ${String(pattern)} was printed:\n${text}`));
        });
      });
    },
  };
}
