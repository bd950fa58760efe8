/**
 * One process per spool directory: a second process is refused with the owner's pid; a lock
 * left by a process that is gone is taken over.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ConfigurationError } from '../../../src/config/errors.js';
import { createSpool } from '../../../src/receiver/spool/index.js';

test('a directory held by a live process is refused, naming it; a stale lock is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'olb-lock-'));
  // A live process that is not us: its pid in the lock file.
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    writeFileSync(join(dir, 'lock'), `${other.pid}\n`);
    const refused = createSpool({ dir, maxBytes: 1_000_000 });
    await expect(refused).rejects.toThrow(ConfigurationError);
    await expect(refused).rejects.toThrow(`in use by process ${other.pid}`);
  } finally {
    other.kill('SIGKILL');
  }
  // A process that has exited: its lock is stale.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(join(dir, 'lock'), `${gone.stdout}\n`);
  const spool = await createSpool({ dir, maxBytes: 1_000_000 });
  await spool.close();
  // Released on close: another open works.
  await (await createSpool({ dir, maxBytes: 1_000_000 })).close();
});
