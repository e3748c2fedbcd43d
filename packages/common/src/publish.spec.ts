import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkOutputDir, checkOutputFile, makeDirs } from './output-paths';
import { firstForeignEntry, publishDir, publishFiles, recoverInterruptedPublication } from './publish';
import { FileError, systemErrorWords } from './system-errors';

const tempRoot = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'tf-publish-'));
const DIST = path.resolve(__dirname, '../dist/index.js');

/** A pid no process has any more (a child that has exited and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function thrown(f: () => unknown): FileError {
  try {
    f();
  } catch (e) {
    return e as FileError;
  }
  throw new Error('expected an error');
}

/** Run `script` (with `common` = the built package) as an unprivileged user; root ignores permission bits. */
function asUnprivileged(script: string): { status: number | null; stdout: string; stderr: string } {
  const node = [process.execPath, '-e', `const common = require(${JSON.stringify(DIST)});\n${script}`];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const cmd = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...node] : node;
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('system errors in words', () => {
  it('maps codes to words and names the user path', () => {
    expect(systemErrorWords(Object.assign(new Error('x'), { code: 'EACCES', syscall: 'open' }))).toBe('permission denied');
    expect(systemErrorWords(Object.assign(new Error('x'), { code: 'ENOSPC', syscall: 'write' }))).toBe('no space left on the device');
    const e = thrown(() => checkOutputFile('/proc/definitely/not/here.tflite'));
    expect(e.code).toBe('FILE_WRITE');
    expect(e.message).toMatch(/^cannot write to \/proc\/definitely\/not\/here\.tflite: /);
  });
});

describe('output checks before the work', () => {
  it('refuses special file systems, devices and non-folders at once', () => {
    const root = tempRoot();
    fs.writeFileSync(path.join(root, 'file'), 'x');
    expect(thrown(() => checkOutputDir('/proc/x')).message).toMatch(/cannot write to \/proc\/x: .*special file system proc/);
    expect(thrown(() => makeDirs('/proc/x/y/z')).message).toMatch(/special file system proc/);
    expect(thrown(() => checkOutputDir(path.join(root, 'file'))).message).toMatch(/not a folder/);
    expect(thrown(() => checkOutputDir(path.join(root, 'file', 'sub'))).message).toMatch(/not a folder/);
    expect(thrown(() => checkOutputFile('/dev/null')).message).toMatch(/not a regular file/);
    expect(thrown(() => checkOutputFile(root)).message).toMatch(/is a folder/);
    expect(thrown(() => checkOutputFile(path.join(root, 'no', 'x.tflite'))).message).toMatch(/does not exist/);
    expect(() => checkOutputDir(path.join(root, 'new', 'deeper'))).not.toThrow();
    makeDirs(path.join(root, 'new', 'deeper'));
    expect(fs.statSync(path.join(root, 'new', 'deeper')).isDirectory()).toBe(true);
  });

  const hasDist = fs.existsSync(DIST);
  (hasDist ? it : it.skip)('an unwritable folder fails the check, naming the path in words', () => {
    const root = tempRoot();
    fs.chmodSync(root, 0o755);
    const ro = path.join(root, 'ro');
    fs.mkdirSync(ro, { mode: 0o555 });
    fs.chmodSync(ro, 0o555);
    const r = asUnprivileged(`
      for (const f of [() => common.checkOutputFile(${JSON.stringify(path.join(ro, 'q.tflite'))}),
                       () => common.checkOutputDir(${JSON.stringify(path.join(ro, 'sub'))}),
                       () => common.makeDirs(${JSON.stringify(path.join(ro, 'sub', 'x'))})]) {
        try { f(); console.log('no error'); } catch (e) { console.log(e.code + ' ' + e.message); }
      }`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual([
      `FILE_WRITE cannot write to ${path.join(ro, 'q.tflite')}: permission denied`,
      `FILE_WRITE cannot write to ${path.join(ro, 'sub')}: permission denied`,
      `FILE_WRITE cannot write to ${path.join(ro, 'sub', 'x')}: permission denied`,
    ]);
  });
});

describe('publishDir', () => {
  it('replaces the folder whole, keeps the old one when filling fails, leaves no temporary', () => {
    const root = tempRoot();
    const out = path.join(root, 'out');
    publishDir(out, (d) => {
      fs.writeFileSync(path.join(d, 'm.h'), 'old h');
      fs.writeFileSync(path.join(d, 'm.c'), 'old c');
    });
    expect(() =>
      publishDir(out, (d) => {
        fs.writeFileSync(path.join(d, 'm.h'), 'new h');
        throw new Error('generation failed half way');
      }),
    ).toThrow('half way');
    expect(fs.readFileSync(path.join(out, 'm.h'), 'utf8')).toBe('old h');
    expect(fs.readdirSync(root)).toEqual(['out']);
    expect(publishDir(out, (d) => (fs.writeFileSync(path.join(d, 'n.c'), 'new'), 7))).toBe(7);
    expect(fs.readdirSync(out)).toEqual(['n.c']);
    expect(fs.readdirSync(root)).toEqual(['out']);
  });

  it('a system error while filling is FILE_WRITE naming the folder the user gave', () => {
    const root = tempRoot();
    const out = path.join(root, 'out');
    const e = thrown(() => publishDir(out, (d) => fs.writeFileSync(path.join(d, 'missing', 'x'), '')));
    expect(e.code).toBe('FILE_WRITE');
    expect(e.message).toBe(`cannot write to ${out}: no such file or folder`);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('removes stale temporaries of dead processes and rolls an interrupted swap forward', () => {
    const root = tempRoot();
    const out = path.join(root, 'out');
    const pid = deadPid();
    // A run killed while filling: its staging folder is removed, the output stays.
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'a'), 'old');
    fs.mkdirSync(path.join(root, `.out.tinyforge-${pid}-00aa.stage`));
    // A run killed between the two renames: the old folder moved away, the complete new one not yet in place.
    const other = path.join(root, 'other');
    fs.mkdirSync(path.join(root, `.other.tinyforge-${pid}-00bb.old`));
    fs.writeFileSync(path.join(root, `.other.tinyforge-${pid}-00bb.old`, 'a'), 'old');
    fs.mkdirSync(path.join(root, `.other.tinyforge-${pid}-00bb.stage`));
    fs.writeFileSync(path.join(root, `.other.tinyforge-${pid}-00bb.stage`, 'a'), 'new');
    // A live process's staging folder is left alone.
    fs.mkdirSync(path.join(root, `.out.tinyforge-${process.pid}-00cc.stage`));
    recoverInterruptedPublication(out);
    recoverInterruptedPublication(other);
    expect(fs.readdirSync(root).sort()).toEqual([`.out.tinyforge-${process.pid}-00cc.stage`, 'other', 'out']);
    expect(fs.readFileSync(path.join(other, 'a'), 'utf8')).toBe('new');
    expect(fs.readFileSync(path.join(out, 'a'), 'utf8')).toBe('old');
  });

  it('refuses to replace a folder holding files the command did not write', () => {
    const root = tempRoot();
    const out = path.join(root, 'src');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'main.c'), 'int main(void) { return 0; }');
    const ours = (dir: string): string | undefined => firstForeignEntry(dir, (name) => name === 'm.c');
    const e = thrown(() => publishDir(out, (d) => fs.writeFileSync(path.join(d, 'm.c'), ''), { previousOutput: ours }));
    expect(e.message).toMatch(/^cannot replace .*src: it holds 'main\.c', which this command did not write/);
    expect(fs.readdirSync(out)).toEqual(['main.c']);
    fs.rmSync(path.join(out, 'main.c'));
    fs.writeFileSync(path.join(out, 'm.c'), 'old');
    publishDir(out, (d) => fs.writeFileSync(path.join(d, 'm.c'), 'new'), { previousOutput: ours });
    expect(fs.readFileSync(path.join(out, 'm.c'), 'utf8')).toBe('new');
  });

  (fs.existsSync(DIST) ? it : it.skip)('with only the folder itself writable, publishes inside it and finishes an interrupted commit', () => {
    const root = tempRoot();
    fs.chmodSync(root, 0o755);
    const parent = path.join(root, 'locked');
    const out = path.join(parent, 'out');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'stale.c'), 'from the previous run');
    fs.chownSync(out, 65534, 65534);
    fs.chmodSync(parent, 0o555);
    const r = asUnprivileged(`
      const fs = require('fs'), path = require('path');
      common.publishDir(${JSON.stringify(out)}, (d) => { fs.writeFileSync(path.join(d, 'm.c'), 'new'); fs.writeFileSync(path.join(d, 'm.h'), 'new'); });
      console.log(fs.readdirSync(${JSON.stringify(out)}).sort().join(','));`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('m.c,m.h');
    // A commit cut short by a kill: the next publication moves the rest in and drops what the new set lacks.
    const commit = path.join(out, `.tinyforge-${deadPid()}-00dd.commit`);
    fs.mkdirSync(commit);
    fs.writeFileSync(path.join(commit, 'm.h'), 'newer');
    fs.writeFileSync(path.join(commit, '.tinyforge-files.json'), JSON.stringify(['m.h', 'x.c']));
    fs.writeFileSync(path.join(out, 'x.c'), 'newer (moved before the kill)');
    recoverInterruptedPublication(out);
    expect(fs.readdirSync(out).sort()).toEqual(['m.h', 'x.c']);
    expect(fs.readFileSync(path.join(out, 'm.h'), 'utf8')).toBe('newer');
    fs.chmodSync(parent, 0o755);
  });
});

describe('publishFiles', () => {
  it('writes a set of files or none, cleaning stale temporaries beside them', () => {
    const root = tempRoot();
    const a = path.join(root, 'a.tflite');
    const b = path.join(root, 'b.json');
    fs.writeFileSync(path.join(root, `.a.tflite.tinyforge-${deadPid()}-3.tmp`), 'partial');
    publishFiles([
      { file: a, data: 'model' },
      { file: b, data: 'report' },
    ]);
    expect(fs.readdirSync(root).sort()).toEqual(['a.tflite', 'b.json']);
    const e = thrown(() =>
      publishFiles([
        { file: a, data: 'model 2' },
        { file: path.join(root, 'nope', 'c'), data: '' },
      ]),
    );
    expect(e.message).toBe(`cannot write to ${path.join(root, 'nope', 'c')}: the folder ${path.join(root, 'nope')} does not exist`);
    expect(fs.readFileSync(a, 'utf8')).toBe('model');
    expect(fs.readdirSync(root).sort()).toEqual(['a.tflite', 'b.json']);
  });
});
