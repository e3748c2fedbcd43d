import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Build caches (compiled kernel objects, bootloaders, model firmware) are keyed by the content of what they are
 * built from, never by a path or a modification time: several checkouts of tinyforge (and several users) share the
 * machine's temporary directory, and a cache keyed by mtime hands one checkout objects compiled from another's
 * sources. `TINYFORGE_CACHE_DIR` moves every cache (npm test gives each run one of its own).
 */
export function cacheRoot(): string {
  const given = process.env.TINYFORGE_CACHE_DIR;
  if (given !== undefined && given !== '') return path.resolve(given);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(os.tmpdir(), `tinyforge-cache-${uid}`);
}

/**
 * The folder of one cache entry: `kind`/<sha256 of the parts and of each file's path and bytes, first 24 hex>.
 * Files are hashed in the order given.
 */
export function contentCacheDir(kind: string, parts: readonly string[], files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  for (const f of files) hash.update(f).update('\0').update(fs.readFileSync(f)).update('\0');
  return path.join(cacheRoot(), kind, hash.digest('hex').slice(0, 24));
}

/** Every file under `dir` whose name ends with one of `suffixes`, sorted (for cache keys over header trees). */
export function filesUnder(dir: string, suffixes: readonly string[]): string[] {
  const found: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...filesUnder(full, suffixes));
    else if (suffixes.some((s) => e.name.endsWith(s))) found.push(full);
  }
  return found.sort();
}

const versions = new Map<string, string>();

/** What `compiler --version` prints (once per process and compiler): part of every key over compiled output. */
export function compilerVersion(compiler: string): string {
  if (!versions.has(compiler)) versions.set(compiler, spawnSync(compiler, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  return versions.get(compiler)!;
}
