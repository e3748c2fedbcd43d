import * as fs from 'fs';
import * as path from 'path';

/** The package root: include/ and src/ (C sources) sit beside dist/ in the published package too. */
const packageRoot = path.resolve(__dirname, '..');

/** Directory holding the one public header, `tfg_nn.h`. */
export const kernelIncludeDir = path.join(packageRoot, 'include');

/** Root of the C sources (`<family>/*.c` plus `support/`). */
export const kernelSourceDir = path.join(packageRoot, 'src');

export const kernelHeaderName = 'tfg_nn.h';

/** Every C source of the library, absolute paths, sorted: a generator compiles these (or the subset it needs). */
export function kernelSources(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.c')) found.push(full);
    }
  };
  walk(kernelSourceDir);
  return found.sort();
}
