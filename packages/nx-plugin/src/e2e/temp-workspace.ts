import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root (packages/nx-plugin/src/e2e → ../../../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export interface NxRun {
  status: number | null;
  output: string;
}

export interface TaskRecord {
  taskId: string;
  cacheStatus: string;
  status: number;
}

/**
 * A throwaway Nx workspace under the OS temp dir that lists @tinyforge/nx-plugin, with node_modules linked to
 * the repository's so that nx and every @tinyforge package resolve (the plugin from its built dist/).
 */
export class TempWorkspace {
  readonly root: string;

  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-nx-e2e-'));
    fs.writeFileSync(path.join(this.root, 'package.json'), JSON.stringify({ name: 'firmware-workspace', version: '0.0.0', private: true }, null, 2));
    fs.writeFileSync(path.join(this.root, 'nx.json'), JSON.stringify({ plugins: ['@tinyforge/nx-plugin'] }, null, 2));
    fs.writeFileSync(path.join(this.root, '.gitignore'), 'node_modules\ndist\n.nx\n');
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(this.root, 'node_modules'), 'dir');
  }

  /** Run the nx CLI in the workspace: no daemon, no cloud, no terminal UI. */
  nx(args: string[], timeoutMs = 240_000): NxRun {
    // Task output is hidden on CI unless asked for; the tests read it.
    const style = args[0] === 'g' ? [] : ['--output-style=static'];
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/nx/dist/bin/nx.js'), ...args, ...style], {
      cwd: this.root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false', CI: 'true', FORCE_COLOR: '0' },
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
  }

  /** The tasks of the last run and how Nx got each result (Nx writes .nx/cache/run.json). */
  lastRunTasks(): TaskRecord[] {
    const run = JSON.parse(fs.readFileSync(path.join(this.root, '.nx/cache/run.json'), 'utf8')) as { tasks: TaskRecord[] };
    return run.tasks;
  }

  file(relative: string): string {
    return path.join(this.root, relative);
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
