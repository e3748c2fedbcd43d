import * as fs from 'fs';
import * as path from 'path';
import { isSystemError, writeError } from './system-errors';

/**
 * Checks that outputs can be written, made before a command starts its work (a quantization that runs for a
 * minute must not fail at the end because its folder is read-only), and the one bounded way to create folders.
 */

/** Linux file systems that hold no user files (statfs f_type): writing outputs there is refused up front. */
const SPECIAL_FILE_SYSTEMS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x73636673: 'securityfs',
  0xcafe4a11: 'bpf',
  0x6165676c: 'pstore',
  0x62656570: 'configfs',
  0x65735543: 'fusectl',
  0xf97cff8c: 'selinuxfs',
  0xde5e81e4: 'efivarfs',
  0x19800202: 'mqueue',
  0x6e736673: 'nsfs',
  0x42494e4d: 'binfmt_misc',
};

/** Folder creation gives up after this many milliseconds (a hung network mount, a file system that loops). */
export const MAKE_DIRS_TIME_LIMIT_MS = 10_000;

/** The special file system `p` lies on ('proc', 'sysfs', ...), or undefined for an ordinary one. */
export function specialFileSystem(p: string): string | undefined {
  try {
    const type = fs.statfsSync(p).type >>> 0;
    return SPECIAL_FILE_SYSTEMS[type];
  } catch {
    return undefined;
  }
}

/** The longest prefix of `p` (resolved) that exists, and the parts below it that do not. */
function existingAncestor(p: string): { existing: string; missing: string[] } {
  let at = path.resolve(p);
  const missing: string[] = [];
  for (;;) {
    try {
      fs.statSync(at);
      return { existing: at, missing };
    } catch (e) {
      if (!isSystemError(e) || (e.code !== 'ENOENT' && e.code !== 'ENOTDIR')) return { existing: at, missing };
    }
    const parent = path.dirname(at);
    if (parent === at) return { existing: at, missing };
    missing.unshift(path.basename(at));
    at = parent;
  }
}

/** Throws FILE_WRITE naming `userPath` unless `dir` is an existing, writable folder on an ordinary file system. */
function checkWritableDir(dir: string, userPath: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw writeError(userPath, e);
  }
  if (!st.isDirectory()) throw writeError(userPath, `${dir} is not a folder`);
  const special = specialFileSystem(dir);
  if (special !== undefined) throw writeError(userPath, `${dir} is on the special file system ${special}, which holds no files`);
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    throw writeError(userPath, e);
  }
}

/** True when `dir` is an existing folder this process may create entries in. */
export function isWritableDir(dir: string): boolean {
  try {
    checkWritableDir(dir, dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Before the work: `file` can be written (its folder exists, is writable and on an ordinary file system; the file
 * itself, if present, is a regular file). Throws FILE_WRITE naming `file`.
 */
export function checkOutputFile(file: string): void {
  const resolved = path.resolve(file);
  try {
    const st = fs.statSync(resolved);
    if (st.isDirectory()) throw writeError(file, 'is a folder (give a file name)');
    if (!st.isFile()) throw writeError(file, 'not a regular file (a device, pipe or socket)');
  } catch (e) {
    if (!isSystemError(e)) throw e;
    if (e.code !== 'ENOENT') throw writeError(file, e);
  }
  const dir = path.dirname(resolved);
  const { missing } = existingAncestor(dir);
  if (missing.length > 0) throw writeError(file, `the folder ${path.dirname(file)} does not exist`);
  checkWritableDir(dir, file);
}

/**
 * Before the work: `dir` is (or can become) an output folder: an existing folder or nothing yet, on an ordinary
 * file system, with either its parent writable (the complete new folder is written beside it and swapped in) or,
 * when it exists, itself writable. Throws FILE_WRITE naming `dir`.
 */
export function checkOutputDir(dir: string): void {
  const resolved = path.resolve(dir);
  const { existing, missing } = existingAncestor(resolved);
  if (missing.length === 0) {
    const parent = path.dirname(resolved);
    // The complete new folder is written beside it (parent writable), or, failing that, inside it.
    if (parent !== resolved && isWritableDir(parent)) {
      const st = fs.statSync(resolved);
      if (!st.isDirectory()) throw writeError(dir, 'not a folder');
      const special = specialFileSystem(resolved);
      if (special !== undefined) throw writeError(dir, `on the special file system ${special}, which holds no files`);
      return;
    }
    checkWritableDir(resolved, dir);
    return;
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(existing);
  } catch (e) {
    throw writeError(dir, e);
  }
  if (!st.isDirectory()) throw writeError(dir, `${existing} is not a folder`);
  checkWritableDir(existing, dir);
}

/**
 * Create `dir` and any missing parents, one level at a time (Node's recursive mkdir can loop forever where a file
 * system refuses an entry it also claims to have, e.g. /proc), within MAKE_DIRS_TIME_LIMIT_MS. Throws FILE_WRITE
 * naming `dir`.
 */
export function makeDirs(dir: string, timeLimitMs = MAKE_DIRS_TIME_LIMIT_MS): void {
  const deadline = Date.now() + timeLimitMs;
  const { existing, missing } = existingAncestor(dir);
  if (missing.length > 0) checkWritableDir(existing, dir);
  let at = existing;
  for (const part of missing) {
    if (Date.now() > deadline) throw writeError(dir, `creating the folder took longer than ${timeLimitMs} ms`, 'create');
    at = path.join(at, part);
    try {
      fs.mkdirSync(at);
    } catch (e) {
      if (isSystemError(e) && e.code === 'EEXIST' && fs.statSync(at).isDirectory()) continue;
      throw writeError(dir, e, 'create');
    }
  }
  if (missing.length === 0) {
    const st = fs.statSync(existing);
    if (!st.isDirectory()) throw writeError(dir, `${existing} is not a folder`, 'create');
  }
}
