import * as fs from 'fs';
import * as path from 'path';
import { TinyforgeError } from './errors';

/**
 * The one way tinyforge writes an output: into a temporary name in the same directory (so the rename stays on one
 * file system), flushed to disk, then renamed over the target. A reader sees the old file or the new one, never a
 * partial one, and a failure removes the temporary file. A failed system call becomes FILE_WRITE naming the file
 * and the system error code (ENOSPC, EACCES, ...).
 */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  writeFileAtomicWith(file, (temp) => fs.writeFileSync(temp, data));
}

/**
 * Like writeFileAtomic for output some other writer produces at a path it is given (a compiler's `-o`): `write`
 * fills the temporary path, which is then flushed and renamed over `file`.
 */
export function writeFileAtomicWith(file: string, write: (tempPath: string) => void): void {
  const temp = tempBeside(file);
  try {
    write(temp);
    flush(temp);
    fs.renameSync(temp, file);
  } catch (e) {
    removeQuietly(temp);
    throw asWriteError(e, file);
  }
}

/**
 * Several files into one (existing or new) directory: every file is written and flushed under a temporary name
 * before the first is renamed into place, so a failure while writing leaves the previous files; other files in the
 * directory are left alone.
 */
export function writeFilesAtomic(dir: string, files: Record<string, Uint8Array | string>): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw asWriteError(e, dir);
  }
  const written: Array<[string, string]> = [];
  try {
    for (const [name, data] of Object.entries(files)) {
      const target = path.join(dir, name);
      const temp = tempBeside(target);
      written.push([temp, target]);
      fs.writeFileSync(temp, data);
      flush(temp);
    }
    for (const [temp, target] of written) fs.renameSync(temp, target);
  } catch (e) {
    for (const [temp] of written) removeQuietly(temp);
    throw asWriteError(e, written.length > 0 ? written[written.length - 1][1] : dir);
  }
}

/**
 * The directory variant: `fill` writes a complete set of outputs into an empty staging directory beside `dir`,
 * which then replaces `dir` (whatever it held). A failure part-way keeps the previous `dir` and removes the
 * staging directory, so stale or partial outputs never mix. Returns what `fill` returns.
 */
export function replaceDirAtomic<T>(dir: string, fill: (stagingDir: string) => T): T {
  const parent = path.dirname(path.resolve(dir));
  let staging: string;
  try {
    fs.mkdirSync(parent, { recursive: true });
    staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  } catch (e) {
    throw asWriteError(e, dir);
  }
  try {
    const result = fill(staging);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    return result;
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

let counter = 0;

function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
}

function flush(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // best effort: the original error is what matters
  }
}

/** A failed system call becomes FILE_WRITE; anything else (a TinyforgeError from `write`, a bug) passes unchanged. */
function asWriteError(e: unknown, file: string): unknown {
  // Duck-typed: system errors are not `instanceof Error` across realms (jest's sandbox).
  const sys = e as NodeJS.ErrnoException | null;
  if (e instanceof TinyforgeError || typeof sys !== 'object' || sys === null || typeof sys.syscall !== 'string') return e;
  return new TinyforgeError('FILE_WRITE', `cannot write: ${sys.code ?? sys.message}`, { file });
}
