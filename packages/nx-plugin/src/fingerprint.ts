import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Fingerprints for Nx runtime inputs: what a target's result depends on beyond the workspace's own files — the
 * tinyforge packages that do the work (their version and built code) and board definitions shipped inside a
 * package. Kept free of heavy imports: Nx runs it once per task hash.
 */

/** Files whose content changes what a package does: built JS, C sources and headers, linker scripts, package.json. */
const CODE_FILE = /\.(js|c|h|ld|s|S|json)$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'coverage', 'test', '__tests__']);

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) walk(full, out);
    } else if (e.isFile() && CODE_FILE.test(e.name) && !e.name.endsWith('.tsbuildinfo')) {
      out.push(full);
    }
  }
}

/** sha256 over the relative names and contents of the code files under `dirs` (relative to `root`). */
export function hashTree(root: string, dirs: string[]): string {
  const files: string[] = [];
  for (const d of dirs) walk(path.join(root, d), files);
  files.sort();
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(path.relative(root, f).split(path.sep).join('/'));
    h.update('\0');
    h.update(fs.readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

/** `@tinyforge/x@version sha256` of a package's runtime code: dist/ plus C sources/headers shipped beside it. */
export function packageFingerprint(name: string, resolveFrom: string = process.cwd()): string {
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`, { paths: [resolveFrom] });
  } catch {
    return `${name} not installed`;
  }
  const root = path.dirname(manifest);
  const version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string }).version ?? '?';
  return `${name}@${version} ${hashTree(root, ['dist', 'include', 'src', 'c', 'package.json'].filter((d) => d !== 'src' || hasCSources(root)))}`;
}

/** Only kernel-style packages ship C under src/; elsewhere src/ is TypeScript already reflected in dist/. */
function hasCSources(root: string): boolean {
  return fs.existsSync(path.join(root, 'include')) || fs.existsSync(path.join(root, 'c'));
}

/** A board's definition as shipped: boards/<name>/** plus boards/common/** (startup, linker script, support C). */
export function boardFingerprint(boardsDir: string, board: string): string {
  return `board ${board} ${hashTree(boardsDir, [board, 'common'])}`;
}

/**
 * The boards folder a project without its own `boardsDir` uses, found without loading @tinyforge/boards (this runs
 * once per task hash): $TINYFORGE_BOARDS_DIR (boards' BOARDS_DIR_ENV) if set, else `boards/` shipped in the package.
 */
export function defaultBoardsDir(resolveFrom: string = process.cwd()): string {
  const given = process.env.TINYFORGE_BOARDS_DIR;
  if (given !== undefined && given !== '') return path.resolve(given);
  return path.join(path.dirname(require.resolve('@tinyforge/boards/package.json', { paths: [resolveFrom] })), 'boards');
}

/**
 * Entry point of the runtime input command: arguments are package names, and `board:<name>` for a board from the
 * shipped boards folder. Prints one line per argument.
 */
export function printFingerprint(args: string[]): void {
  const lines = args.map((a) => (a.startsWith('board:') ? boardFingerprint(defaultBoardsDir(), a.slice('board:'.length)) : packageFingerprint(a)));
  process.stdout.write(lines.join('\n') + '\n');
}

/** The shell command Nx runs for a runtime input printing these fingerprints (from the workspace root). */
export function fingerprintCommand(args: string[]): string {
  return `node -e "require('@tinyforge/nx-plugin/fingerprint').printFingerprint(process.argv.slice(1))" ${args.join(' ')}`;
}
