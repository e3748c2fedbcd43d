import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root (tools/packaging/src → ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface Run {
  status: number | null;
  output: string;
}

/**
 * The environment for a user's npm/npx/nx in a folder outside the repository: without the npm_* variables an
 * enclosing `npm test` sets (they would point npm at this repository's config and workspaces) and without a
 * boards folder the developer may have set.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'TINYFORGE_BOARDS_DIR' && k !== 'INIT_CWD') env[k] = v;
  return { ...env, NO_UPDATE_NOTIFIER: '1', FORCE_COLOR: '0', ...extra };
}

export function run(command: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = userEnv()): Run {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
}

/** The publishable packages: every packages/<dir> whose package.json is not private. */
export function publishablePackages(): { dir: string; name: string }[] {
  return fs
    .readdirSync(path.join(REPO_ROOT, 'packages'))
    .map((dir) => ({ dir: path.join(REPO_ROOT, 'packages', dir), file: path.join(REPO_ROOT, 'packages', dir, 'package.json') }))
    .filter((p) => fs.existsSync(p.file))
    .map((p) => ({ dir: p.dir, manifest: JSON.parse(fs.readFileSync(p.file, 'utf8')) as { name: string; private?: boolean } }))
    .filter((p) => p.manifest.private !== true)
    .map((p) => ({ dir: p.dir, name: p.manifest.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * `npm pack` every publishable package into `dest` (each one's prepack builds it); the tarballs by package name. One
 * npm process packs them all (`-w` per package, from the repository root), as a release script would.
 */
export function packAll(dest: string): Map<string, string> {
  const packages = publishablePackages();
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', dest, ...packages.flatMap((p) => ['-w', p.name])], { cwd: REPO_ROOT, env: userEnv(), encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`npm pack failed:\n${r.stdout}${r.stderr}`);
  const packed = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { name: string; filename: string }[];
  const tarballs = new Map(packed.map((t): [string, string] => [t.name, path.join(dest, t.filename)]));
  const missing = packages.filter((p) => !tarballs.has(p.name)).map((p) => p.name);
  if (missing.length > 0) throw new Error(`npm pack wrote no tarball for ${missing.join(', ')}`);
  return tarballs;
}

/** A fresh folder under the OS temp dir, outside the repository, with a package.json of its own. */
export function userProject(prefix: string, manifest: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', version: '0.0.0', private: true, ...manifest }, null, 2));
  return dir;
}

/**
 * `npm install` the given specs (tarball paths, name@version) into `dir`. Packages come from the tarballs and the
 * npm cache (--prefer-offline: the registry is asked only for what the cache lacks).
 */
export function npmInstall(dir: string, specs: string[]): Run {
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', ...specs], dir, 600_000);
}

/** Installed @tinyforge packages that resolve into the repository (a symlink or a workspace link): none should. */
export function linksIntoRepo(dir: string): string[] {
  const scope = path.join(dir, 'node_modules', '@tinyforge');
  const names = fs.existsSync(scope) ? fs.readdirSync(scope).map((n) => path.join(scope, n)) : [];
  return [...names, path.join(dir, 'node_modules', 'tinyforge')]
    .filter((p) => fs.existsSync(p))
    .filter((p) => {
      const real = fs.realpathSync(p);
      return real === REPO_ROOT || real.startsWith(REPO_ROOT + path.sep);
    });
}
