/**
 * `npx tinyforge …` from the repository root prints nothing from npm itself: no "Unknown project config" warning
 * (the repository has no project-level key npm does not know), no other npm warning. onnxruntime-node's install
 * script stays off through package.json's allowScripts (npm's own setting), not through a private .npmrc key.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../../..');

describe('npm configuration of the repository', () => {
  it('npx tinyforge --version prints the version and no npm warning', () => {
    const r = spawnSync('npx', ['--no-install', 'tinyforge', '--version'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.error).toBeUndefined();
    expect(r.stderr).not.toMatch(/Unknown project config/);
    expect(r.stderr).not.toMatch(/npm warn/i);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(root, 'packages/cli/package.json'), 'utf8')).version);
  });

  it('onnxruntime-node install script is denied in package.json, and no .npmrc key replaces that', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
    const npmrc = path.join(root, '.npmrc');
    if (fs.existsSync(npmrc)) expect(fs.readFileSync(npmrc, 'utf8')).not.toMatch(/onnxruntime-node-install/);
    // The setup script also sets onnxruntime-node's own variable, for an npm that predates allowScripts.
    expect(fs.readFileSync(path.join(root, 'scripts/setup'), 'utf8')).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip npm ci/);
  });
});
