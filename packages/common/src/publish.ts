import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { checkOutputDir, checkOutputFile, isWritableDir, makeDirs } from './output-paths';
import { isSystemError, writeError } from './system-errors';

/**
 * Publishing outputs so that a reader (or a process killed at any moment) sees the previous outputs or the new
 * ones, never a mix, and so that nothing of ours is left behind after the next run.
 *
 * Our temporaries all carry `.tinyforge-<pid>-<token>` in their names; a temporary whose process is gone is stale
 * and the next publication to the same place removes it (or, for an interrupted folder swap, finishes the swap).
 *
 * - A file: written under `.<name>.tinyforge-<pid>-<n>.tmp` beside it, flushed, renamed over it.
 * - A folder: written complete as `.<name>.tinyforge-<pid>-<token>.stage` beside it, flushed, then swapped in with
 *   two renames (the old folder to `.<name>.tinyforge-<pid>-<token>.old`, the new one to its place; Node has no
 *   renameat2(RENAME_EXCHANGE)); a process killed between the two is rolled forward by the next publication.
 *   When only the folder itself is writable (not its parent), the new set is staged inside it and committed by
 *   renaming the staging folder to `.tinyforge-<pid>-<token>.commit` (with the list of its files), then moving
 *   each file into place; the next publication finishes an interrupted commit.
 */

const TAG = 'tinyforge';
const FILE_LIST = '.tinyforge-files.json';
let counter = 0;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether process `pid` still runs (then its temporaries are in use). Our own pid counts as running. */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isSystemError(e) && e.code === 'EPERM';
  }
}

function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    // best effort: the error that brought us here is the one to report
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** fsync a file or folder (folders: their entries' names), ignoring file systems that cannot. */
function sync(p: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(p, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    if (isSystemError(e) && (e.code === 'EINVAL' || e.code === 'EISDIR' || e.code === 'EBADF')) return;
    throw e;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function syncTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) syncTree(full);
    else if (e.isFile()) sync(full);
  }
  sync(dir);
}

// ---------------------------------------------------------------------------------------------------------------
// Files

function fileTemp(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${TAG}-${process.pid}-${counter++}.tmp`);
}

/** Remove `.<name>.tinyforge-<pid>-<n>.tmp` files beside `file` whose process is gone. */
export function removeStaleFileTemporaries(file: string): void {
  const dir = path.dirname(path.resolve(file));
  const pattern = new RegExp(`^\\.${escapeRegExp(path.basename(file))}\\.${TAG}-(\\d+)-\\d+\\.tmp$`);
  for (const name of listDir(dir)) {
    const m = pattern.exec(name);
    if (m !== null && !processAlive(Number(m[1]))) removeQuietly(path.join(dir, name));
  }
}

/** A failed system call becomes FILE_WRITE naming `userPath`; TinyforgeErrors and bugs pass unchanged. */
function asWriteError(e: unknown, userPath: string): unknown {
  return isSystemError(e) ? writeError(userPath, e) : e;
}

/**
 * Several files (in any folders) published together: each is checked, written and flushed under a temporary name
 * before the first is renamed into place, so a failure while writing leaves every previous file. `write` fills a
 * temporary path for entries that some other writer (a compiler's `-o`) produces.
 */
export function publishFiles(files: ReadonlyArray<{ file: string; data?: Uint8Array | string; write?: (tempPath: string) => void }>): void {
  for (const f of files) {
    checkOutputFile(f.file);
    removeStaleFileTemporaries(f.file);
  }
  const written: Array<{ temp: string; file: string }> = [];
  let current = files[0]?.file ?? '';
  try {
    for (const f of files) {
      current = f.file;
      const temp = fileTemp(path.resolve(f.file));
      written.push({ temp, file: f.file });
      if (f.write !== undefined) f.write(temp);
      else fs.writeFileSync(temp, f.data ?? '');
      sync(temp);
    }
    for (const w of written) {
      current = w.file;
      fs.renameSync(w.temp, w.file);
    }
  } catch (e) {
    for (const w of written) removeQuietly(w.temp);
    throw asWriteError(e, current);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Folders

export interface PublishDirOptions {
  /**
   * Called with an existing, non-empty output folder before anything is written: returns undefined when the folder
   * holds a previous output of this command (so it may be replaced as a whole), else the name of an entry that is
   * not ours — then nothing is written and the error names it. Default: the caller owns the folder outright.
   */
  previousOutput?: (dir: string) => string | undefined;
}

function stagingPattern(base: string): RegExp {
  return new RegExp(`^\\.${escapeRegExp(base)}\\.${TAG}-(\\d+)-([0-9a-f]+)\\.(stage|old)$`);
}
const INSIDE_PATTERN = new RegExp(`^\\.${TAG}-(\\d+)-([0-9a-f]+)\\.(stage|commit)$`);

/** The folder a path names, following a symbolic link to a folder (the link stays; its target is replaced). */
function resolveDir(dir: string): string {
  const resolved = path.resolve(dir);
  try {
    if (fs.lstatSync(resolved).isSymbolicLink()) return fs.realpathSync(resolved);
  } catch {
    // not there yet
  }
  return resolved;
}

/**
 * Finish or undo what a killed publication to `target` left: a swap cut between its two renames is rolled forward
 * (the staged folder was complete), anything else of a dead process is removed.
 */
export function recoverInterruptedPublication(target: string): void {
  const parent = path.dirname(target);
  const pattern = stagingPattern(path.basename(target));
  const byToken = new Map<string, { pid: number; stage?: string; old?: string }>();
  for (const name of listDir(parent)) {
    const m = pattern.exec(name);
    if (m === null) continue;
    const key = `${m[1]}-${m[2]}`;
    const entry = byToken.get(key) ?? { pid: Number(m[1]) };
    entry[m[3] as 'stage' | 'old'] = path.join(parent, name);
    byToken.set(key, entry);
  }
  for (const { pid, stage, old } of byToken.values()) {
    if (processAlive(pid)) continue;
    if (old !== undefined && !fs.existsSync(target)) {
      // Killed between the two renames: the staged folder is complete (it is renamed only after it is flushed).
      fs.renameSync(stage ?? old, target);
      if (stage !== undefined) removeQuietly(old);
    } else {
      if (old !== undefined) removeQuietly(old);
      if (stage !== undefined) removeQuietly(stage);
    }
  }
  if (fs.existsSync(target)) recoverInside(target);
}

/** The in-folder variant: an interrupted commit is finished, a dead process's staging folder removed. */
function recoverInside(target: string): void {
  for (const name of listDir(target)) {
    const m = INSIDE_PATTERN.exec(name);
    if (m === null || processAlive(Number(m[1]))) continue;
    const full = path.join(target, name);
    if (m[3] === 'commit') finishCommit(target, full);
    else removeQuietly(full);
  }
}

function finishCommit(target: string, commit: string): void {
  const keep = new Set<string>(JSON.parse(fs.readFileSync(path.join(commit, FILE_LIST), 'utf8')) as string[]);
  for (const name of listDir(commit)) {
    if (name === FILE_LIST) continue;
    const dest = path.join(target, name);
    if (fs.existsSync(dest) && fs.statSync(dest).isDirectory()) fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(path.join(commit, name), dest);
  }
  for (const name of listDir(target)) {
    if (!keep.has(name) && !INSIDE_PATTERN.test(name)) fs.rmSync(path.join(target, name), { recursive: true, force: true });
  }
  fs.rmSync(commit, { recursive: true, force: true });
  sync(target);
}

/**
 * Publish an output folder as one unit: `fill` writes the complete set of outputs into an empty staging folder,
 * which then replaces `dir` (created with its parents if missing). A failure part-way keeps the previous `dir` and
 * removes the staging folder; system errors become FILE_WRITE naming `dir`. Returns what `fill` returns.
 */
export function publishDir<T>(dir: string, fill: (stagingDir: string) => T, options: PublishDirOptions = {}): T {
  checkOutputDir(dir);
  const target = resolveDir(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  try {
    if (fs.existsSync(parent)) recoverInterruptedPublication(target);
  } catch (e) {
    throw asWriteError(e, dir);
  }
  const exists = fs.existsSync(target);
  if (exists && options.previousOutput !== undefined) {
    const foreign = listDir(target).length > 0 ? options.previousOutput(target) : undefined;
    if (foreign !== undefined) {
      throw writeError(dir, `it holds '${foreign}', which this command did not write; the folder is replaced as a whole, so give a new or empty folder (or one this command wrote)`, 'replace');
    }
  }
  const token = `${process.pid}-${randomBytes(4).toString('hex')}`;
  if (!exists) makeDirs(parent);
  if (!exists || isWritableDir(parent)) return publishBeside(dir, target, path.join(parent, `.${base}.${TAG}-${token}`), exists, fill);
  return publishInside(dir, target, path.join(target, `.${TAG}-${token}`), fill);
}

function publishBeside<T>(dir: string, target: string, stem: string, exists: boolean, fill: (stagingDir: string) => T): T {
  const stage = `${stem}.stage`;
  const old = `${stem}.old`;
  let result: T;
  try {
    fs.mkdirSync(stage);
  } catch (e) {
    throw asWriteError(e, dir);
  }
  try {
    result = fill(stage);
    syncTree(stage);
    if (exists) fs.renameSync(target, old);
    fs.renameSync(stage, target);
  } catch (e) {
    if (!fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
    removeQuietly(stage);
    throw asWriteError(e, dir);
  }
  removeQuietly(old);
  try {
    sync(path.dirname(target));
  } catch {
    // the rename is done; a folder that cannot be flushed is the file system's limit
  }
  return result;
}

function publishInside<T>(dir: string, target: string, stem: string, fill: (stagingDir: string) => T): T {
  const stage = `${stem}.stage`;
  const commit = `${stem}.commit`;
  let result: T;
  try {
    fs.mkdirSync(stage);
    result = fill(stage);
    fs.writeFileSync(path.join(stage, FILE_LIST), JSON.stringify(fs.readdirSync(stage)));
    syncTree(stage);
    fs.renameSync(stage, commit);
  } catch (e) {
    removeQuietly(stage);
    throw asWriteError(e, dir);
  }
  try {
    finishCommit(target, commit);
  } catch (e) {
    throw asWriteError(e, dir);
  }
  return result;
}

/**
 * For `previousOutput`: the first entry of `dir` for which `ours(name, fullPath)` is false (undefined when every
 * entry is ours). Our temporaries always count as ours.
 */
export function firstForeignEntry(dir: string, ours: (name: string, fullPath: string) => boolean): string | undefined {
  return listDir(dir).find((name) => !name.includes(`.${TAG}-`) && !ours(name, path.join(dir, name)));
}

/** Whether the first `bytes` bytes of `file` contain `signature` (recognising files a tool generated). */
export function fileStartsWithin(file: string, signature: string, bytes = 1024): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('latin1').includes(signature);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

