/**
 * One process per spool directory: two writing the same segments would corrupt each other. The
 * `lock` file holds the owner's pid; a lock whose process is gone (kill -9, a crash, a container
 * restart where the new process may even have the same pid) is taken over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '../../config/errors.js';

const LOCK = 'lock';

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

/** Takes the directory's lock; resolves with its release. */
export async function lockSpoolDir(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600);
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (alive(owner)) {
        throw new ConfigurationError(`Configuration: the spool directory ${dir} is in use by process ${owner}; give each receiver a spool directory of its own`);
      }
      await rm(path, { force: true }); // stale: its process is gone
    }
  }
  throw new ConfigurationError(`Configuration: could not take the lock of the spool directory ${dir}`);
}
