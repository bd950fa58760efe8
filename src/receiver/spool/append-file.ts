/**
 * A spool file written only at its end (segments, ack files, seen-id files). A group commit
 * stages buffers on every file it touches, {@link AppendFile.flush}es them all (write at the
 * committed size, fdatasync), and only when every file of the group succeeded
 * {@link AppendFile.commit}s them: the committed size moves. Otherwise
 * {@link AppendFile.rollback} cuts what the group wrote, so a rejected group leaves nothing a
 * restart could read back.
 */
import type { SpoolFile, SpoolFs } from './spool-fs.js';
import { FILE_MODE, writeAll } from './spool-fs.js';

export class AppendFile {
  readonly path: string;
  /** True until the directory entry of a new file has been fsynced. */
  created: boolean;
  private readonly _file: SpoolFile;
  private _size: number;
  private _staged: Buffer[] = [];
  private _stagedBytes = 0;

  private constructor(path: string, file: SpoolFile, size: number, created: boolean) {
    this.path = path;
    this._file = file;
    this._size = size;
    this.created = created;
  }

  /** Creates a new file (it must not exist), mode 0600. */
  static async create(fs: SpoolFs, path: string): Promise<AppendFile> {
    return new AppendFile(path, await fs.open(path, 'wx', FILE_MODE), 0, true);
  }

  /** Opens an existing file whose good bytes end at `size` (anything after is overwritten). */
  static async reopen(fs: SpoolFs, path: string, size: number): Promise<AppendFile> {
    return new AppendFile(path, await fs.open(path, 'r+', FILE_MODE), size, false);
  }

  /** Committed bytes (what a restart reads back). */
  get size(): number {
    return this._size;
  }

  /** Committed bytes plus those staged for the next flush. */
  get stagedEnd(): number {
    return this._size + this._stagedBytes;
  }

  stage(buffers: readonly Buffer[], bytes: number): void {
    this._staged.push(...buffers);
    this._stagedBytes += bytes;
  }

  /** Writes what was staged after the committed bytes and makes it durable. */
  async flush(): Promise<void> {
    if (this._stagedBytes === 0) return;
    await writeAll(this._file, this._staged, this._size);
    await this._file.datasync();
  }

  /** The group succeeded: what was staged (and flushed) is committed. */
  commit(): void {
    this._size += this._stagedBytes;
    this._staged = [];
    this._stagedBytes = 0;
  }

  /** The group failed: forgets what was staged and cuts the file back to the committed size. */
  async rollback(): Promise<void> {
    this._staged = [];
    this._stagedBytes = 0;
    await this._file.truncate(this._size);
    await this._file.datasync();
  }

  async close(): Promise<void> {
    await this._file.close();
  }
}
