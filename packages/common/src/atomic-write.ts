import * as path from 'path';
import { makeDirs } from './output-paths';
import { publishDir, publishFiles } from './publish';

/**
 * The one way tinyforge writes an output file: under a temporary name in the same folder (so the rename stays on
 * one file system), flushed to disk, then renamed over the target. A reader sees the old file or the new one, never
 * a partial one; a failure removes the temporary file, and stale temporaries of killed runs are removed. A failed
 * system call becomes FILE_WRITE naming the file in words ("cannot write to out.tflite: permission denied").
 */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  publishFiles([{ file, data }]);
}

/**
 * Like writeFileAtomic for output some other writer produces at a path it is given (a compiler's `-o`): `write`
 * fills the temporary path, which is then flushed and renamed over `file`.
 */
export function writeFileAtomicWith(file: string, write: (tempPath: string) => void): void {
  publishFiles([{ file, write }]);
}

/**
 * Several files into one (existing or new) folder: every file is written and flushed under a temporary name
 * before the first is renamed into place, so a failure while writing leaves the previous files; other files in the
 * folder are left alone.
 */
export function writeFilesAtomic(dir: string, files: Record<string, Uint8Array | string>): void {
  makeDirs(dir);
  publishFiles(Object.entries(files).map(([name, data]) => ({ file: path.join(dir, name), data })));
}

/**
 * A folder the caller owns outright, replaced as one unit (publish.ts publishDir): `fill` writes a complete set of
 * outputs into an empty staging folder, which then replaces `dir` (whatever it held). A failure part-way keeps the
 * previous `dir` and removes the staging folder. Returns what `fill` returns.
 */
export function replaceDirAtomic<T>(dir: string, fill: (stagingDir: string) => T): T {
  return publishDir(dir, fill);
}
