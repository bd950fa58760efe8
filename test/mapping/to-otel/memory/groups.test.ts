/**
 * TraceGroups keeps no closed group alive: neither for its users that close groups through
 * `entries()` (the receiver's assembler, which runs for weeks) nor for those that use `oldest()`
 * (the stream). A Map iterator made and never read again used to hold every table the Map had had
 * since, with every group ever closed: the receiver's thread ran out of heap within seconds of load.
 * Checked with WeakRefs and a full GC in a child process (`--expose-gc`), not with timing or sizes.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

test('closed groups are collected, whether groups close through entries() or oldest()', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/mapping/to-otel/memory/child.ts'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toBe('entries 0\noldest 0\n');
}, 60_000);
