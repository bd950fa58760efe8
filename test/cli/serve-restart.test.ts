/**
 * A receiver thread restarted after running out of its heap listens where the first one did:
 * with `--port 0` (or `LANGFUSE_BRIDGE_PORT=0`) the port the system chose the first time.
 */
import { expect, test } from 'vitest';
import { flagsForRestart } from '../../src/cli/serve/supervisor.js';

test('the restarted thread gets the port the first one listens on, every other flag kept', () => {
  const flags = { port: 0, output: 'traces.jsonl', quietMillis: 100 };
  expect(flagsForRestart(flags, 'http://127.0.0.1:43117')).toEqual({ port: 43117, output: 'traces.jsonl', quietMillis: 100 });
  expect(flagsForRestart({ output: '-' }, 'http://[::1]:3000')).toEqual({ output: '-', port: 3000 });
  expect(flagsForRestart({ port: 8080, output: '-' }, 'http://0.0.0.0:8080')).toEqual({ port: 8080, output: '-' });
});
