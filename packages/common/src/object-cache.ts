import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomicWith } from './atomic-write';

export interface CompiledLibrary {
  /** Compiler to run (`gcc`, `arm-none-eabi-gcc`). */
  compiler: string;
  /** Every flag of the compile except `-c`, the source and `-o` (include directories among them). */
  flags: readonly string[];
  sources: readonly string[];
  /** Directories whose `.h` files (recursively) the sources may include: their contents are part of the key. */
  headerDirs: readonly string[];
  /** Where object sets are kept (default: tinyforge-objects under the OS temporary directory). */
  cacheDir?: string;
  /** Runs the compiler; throws the caller's typed error when it fails. */
  compile(args: string[], source: string): void;
}

/**
 * Compiles `sources` once per distinct (compiler, flags, source and header contents) and returns their object
 * files. The key is a content hash, never a timestamp: another checkout, a branch switch or an older file with a
 * newer mtime can never hand back objects compiled from other sources. Objects are written atomically, so a
 * concurrent build never links a half-written one.
 */
export function compileCached(library: CompiledLibrary): string[] {
  const hash = createHash('sha256').update(library.compiler).update('\0').update(library.flags.join('\0'));
  const headers = [...new Set(library.headerDirs.flatMap(headersUnder))].sort();
  for (const file of [...library.sources, ...headers]) hash.update('\0').update(file).update('\0').update(fs.readFileSync(file));
  const dir = path.join(library.cacheDir ?? path.join(os.tmpdir(), 'tinyforge-objects'), hash.digest('hex').slice(0, 24));
  const objects = library.sources.map((src, i) => path.join(dir, `${i}_${path.basename(src).replace(/\.[^.]*$/, '')}.o`));
  if (objects.every((o) => fs.existsSync(o))) return objects;
  fs.mkdirSync(dir, { recursive: true });
  library.sources.forEach((src, i) => {
    if (fs.existsSync(objects[i])) return;
    writeFileAtomicWith(objects[i], (tmp) => library.compile([...library.flags, '-c', src, '-o', tmp], src));
  });
  return objects;
}

function headersUnder(dir: string): string[] {
  const found: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...headersUnder(full));
    else if (e.name.endsWith('.h')) found.push(full);
  }
  return found;
}
