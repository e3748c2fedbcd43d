import { TinyforgeError } from './errors';

/**
 * The one mapping from system error codes to words. Every message about a file or folder says what happened in
 * words and names the path the user gave ("cannot write to out/: permission denied"), never a temporary name or a
 * bare ENOENT.
 */
const WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  ENOTEMPTY: 'folder not empty',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system (or the file size limit)',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EBUSY: 'busy',
  EXDEV: 'on another file system',
  ETXTBSY: 'busy (a running program)',
  EINVAL: 'invalid argument',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EAGAIN: 'temporarily unavailable',
};

/** A failed system call (duck-typed: system errors are not `instanceof Error` across realms, e.g. jest's sandbox). */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const sys = e as NodeJS.ErrnoException | null;
  return typeof sys === 'object' && sys !== null && !(e instanceof TinyforgeError) && typeof sys.code === 'string' && typeof sys.syscall === 'string';
}

/** "permission denied" for EACCES; the code itself for one this table does not know (still no stack, no path). */
export function systemErrorWords(e: unknown): string {
  if (isSystemError(e)) return WORDS[e.code!] ?? e.code!.toLowerCase();
  if (typeof e === 'string') return WORDS[e] ?? e;
  return e instanceof Error ? e.message : String(e);
}

export type FileErrorCode = 'FILE_WRITE' | 'FILE_READ';

/**
 * An error about a path the user gave. `verb` reads "cannot <verb> <path>: <words>", e.g. ('write to', 'out/', EACCES)
 * → "cannot write to out/: permission denied".
 */
export class FileError extends TinyforgeError {
  override readonly name = 'FileError';
  constructor(
    code: FileErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** A FILE_WRITE error naming the user's path; `cause` is a system error (mapped to words) or the words themselves. */
export function writeError(path: string, cause: unknown, verb = 'write to'): FileError {
  return new FileError('FILE_WRITE', path, `cannot ${verb} ${path}: ${systemErrorWords(cause)}`);
}

/** A FILE_READ error naming the user's path. */
export function readError(path: string, cause: unknown): FileError {
  return new FileError('FILE_READ', path, `cannot read ${path}: ${systemErrorWords(cause)}`);
}

/** A system error becomes `wrap(error)`; TinyforgeErrors and bugs pass unchanged. */
export function mapSystemError(e: unknown, wrap: (sys: NodeJS.ErrnoException) => TinyforgeError): unknown {
  return isSystemError(e) ? wrap(e) : e;
}
