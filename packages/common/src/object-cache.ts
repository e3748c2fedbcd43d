import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomicWith } from './atomic-write';
import { compilerVersion, contentCacheDir, filesUnder } from './content-cache';

export interface CompiledLibrary {
  /** The cache's folder under cacheRoot() (`host-kernels`, `firmware-libraries`). */
  kind: string;
  /** Compiler to run (`gcc`, `arm-none-eabi-gcc`). */
  compiler: string;
  /** Every flag of the compile except `-c`, the source and `-o` (include directories among them). */
  flags: readonly string[];
  sources: readonly string[];
  /** Directories whose `.h` files (recursively) the sources may include: their contents are part of the key. */
  headerDirs: readonly string[];
  /** Where object sets are kept instead of cacheRoot()/kind. */
  cacheDir?: string;
  /** Runs the compiler; throws the caller's typed error when it fails. */
  compile(args: string[], source: string): void;
}

/**
 * Compiles `sources` once per distinct (compiler and its version, flags, source and header contents) and returns
 * their object files. The key is a content hash, never a timestamp: another checkout, a branch switch or an older
 * file with a newer mtime can never hand back objects compiled from other sources. Objects are written atomically,
 * so a concurrent build never links a half-written one.
 */
export function compileCached(library: CompiledLibrary): string[] {
  const headers = [...new Set(library.headerDirs.flatMap((d) => filesUnder(d, ['.h'])))].sort();
  const keyed = contentCacheDir(library.kind, [library.compiler, compilerVersion(library.compiler), ...library.flags], [...library.sources, ...headers]);
  const dir = library.cacheDir !== undefined ? path.join(library.cacheDir, path.basename(keyed)) : keyed;
  const objects = library.sources.map((src, i) => path.join(dir, `${i}_${path.basename(src).replace(/\.[^.]*$/, '')}.o`));
  if (objects.every((o) => fs.existsSync(o))) return objects;
  fs.mkdirSync(dir, { recursive: true });
  library.sources.forEach((src, i) => {
    if (fs.existsSync(objects[i])) return;
    writeFileAtomicWith(objects[i], (tmp) => library.compile([...library.flags, '-c', src, '-o', tmp], src));
  });
  return objects;
}
