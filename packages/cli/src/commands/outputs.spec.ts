/**
 * Outputs are checked before the work and published whole (issue 20 items 2–3, issue 21 item 6): unusable output
 * paths fail at once with one wording, naming the user's path; bad input exits 1; a folder of outputs is replaced
 * as one unit and never one the command did not write.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cliCapture as cli } from '../test-support/cli-capture';

const sharedModels = path.resolve(__dirname, '../../../../../shared/models');
const haveShared = fs.existsSync(sharedModels);
const withShared = haveShared ? describe : describe.skip;
const BIN = path.resolve(__dirname, '../../../tinyforge/bin/tinyforge.js');
const DIST = path.resolve(__dirname, '../../dist/main.js');

/** The built CLI as an unprivileged user (root ignores permission bits). */
function cliAsUnprivileged(...argv: string[]): { code: number | null; err: string } {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const cmd = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...argv] : [process.execPath, BIN, ...argv];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  return { code: r.status, err: r.stderr };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-outputs-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

describe('output paths are checked before the work', () => {
  it('codegen -o /proc/x and -o a file fail at once with FILE_WRITE and exit 1', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'plain-file');
    fs.writeFileSync(file, '');
    // The model does not exist: the output check comes first, so the error is about the output.
    for (const [out, words] of [
      ['/proc/x', 'special file system proc'],
      ['/proc/x/y', 'special file system proc'],
      [file, 'not a folder'],
      [path.join(file, 'sub'), 'is not a folder'],
    ]) {
      const r = await cli('codegen', path.join(dir, 'missing.tflite'), '-o', out);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`error[FILE_WRITE]: cannot write to ${out}: `);
      expect(r.err).toContain(words);
    }
    for (const argv of [
      ['quantize', path.join(dir, 'missing.tflite'), '--calib', 'random', '-o', '/proc/q.tflite'],
      ['quantize', path.join(dir, 'missing.tflite'), '--calib', 'random', '-o', dir],
      ['convert', path.join(dir, 'missing.tflite'), path.join(dir, 'none', 'm.onnx')],
      ['run', path.join(dir, 'missing.tflite'), '--input', 'x', '--output', '/dev/null'],
    ]) {
      const r = await cli(...argv);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error\[FILE_WRITE\]: cannot write to /);
    }
  });

  (fs.existsSync(DIST) ? it : it.skip)('an unwritable folder: quantize, codegen and build fail before reading the model, naming the path', () => {
    const dir = tempDir();
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro, { mode: 0o555 });
    fs.chmodSync(ro, 0o555);
    const model = path.join(dir, 'missing.tflite');
    const cases: [string[], string][] = [
      [['quantize', model, '--calib', 'random', '-o', path.join(ro, 'q.tflite')], path.join(ro, 'q.tflite')],
      [['codegen', model, '-o', path.join(ro, 'sub')], path.join(ro, 'sub')],
      [['codegen', model, '-o', ro], ro],
      [['build', '--board', 'qemu-m4', '--model', model, '-o', path.join(ro, 'fw')], path.join(ro, 'fw')],
    ];
    for (const [argv, named] of cases) {
      const r = cliAsUnprivileged(...argv);
      expect(r.err).toBe(`error[FILE_WRITE]: cannot write to ${named}: permission denied\n`);
      expect(r.code).toBe(1);
    }
  });
});

describe('bad input files', () => {
  it('an empty model says "empty file", a truncated one where it ends and what the model needs; exit 1', async () => {
    const dir = tempDir();
    const empty = path.join(dir, 'empty.tflite');
    fs.writeFileSync(empty, '');
    let r = await cli('inspect', empty);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error[FORMAT_MALFORMED]: ${empty}: empty file\n`);
    const folder = path.join(dir, 'model.tflite');
    fs.mkdirSync(folder);
    r = await cli('inspect', folder);
    expect(r.err).toBe(`error[FORMAT_IO]: cannot read ${folder}: is a folder\n`);
    r = await cli('run', empty, '--input', path.join(dir, 'none.bin'));
    expect(r.code).toBe(1);
    if (haveShared) {
      const kws = fs.readFileSync(path.join(sharedModels, 'kws_dscnn_int8.tflite'));
      const cut = path.join(dir, 'cut.tflite');
      fs.writeFileSync(cut, kws.subarray(0, 30000));
      r = await cli('inspect', cut);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error\[FORMAT_BOUNDS\]: .*cut\.tflite, byte \d+: .*truncated \(file ends at byte 30000, the model needs \d+\)\n$/);
      r = await cli('run', path.join(sharedModels, 'kws_dscnn_int8.tflite'), '--input', path.join(dir, 'none.bin'));
      expect(r.err).toBe(`error[FILE_READ]: cannot read ${path.join(dir, 'none.bin')}: no such file or folder\n`);
      expect(r.code).toBe(1);
    }
  });
});

withShared('codegen publishes its folder as one unit', () => {
  const kws = path.join(sharedModels, 'kws_dscnn_int8.tflite');
  const ad = path.join(sharedModels, 'ad_autoencoder_int8.tflite');

  it('the second model replaces the first set whole (no file of the old set, no temporary) and a foreign folder is refused', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    expect((await cli('codegen', kws, '-o', out, '--prefix', 'm')).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['m.c', 'm.h', 'm_weights.c', 'plan.json', 'report.html']);
    expect((await cli('codegen', ad, '-o', out, '--prefix', 'ad')).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['ad.c', 'ad.h', 'ad_weights.c', 'plan.json', 'report.html']);
    expect(fs.readdirSync(dir)).toEqual(['out']);
    // A folder with the user's own file is never replaced.
    fs.writeFileSync(path.join(out, 'main.c'), 'int main(void) { return 0; }\n');
    const r = await cli('codegen', kws, '-o', out, '--prefix', 'm');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error[FILE_WRITE]: cannot replace ${out}: it holds 'main.c', which this command did not write`);
    expect(fs.readdirSync(out).sort()).toEqual(['ad.c', 'ad.h', 'ad_weights.c', 'main.c', 'plan.json', 'report.html']);
  });

  (fs.existsSync(DIST) ? it : it.skip)('a codegen killed while it writes leaves the old set; the next run leaves no temporary (issue 21)', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    expect((await cli('codegen', kws, '-o', out, '--prefix', 'm')).code).toBe(0);
    const old = fs.readFileSync(path.join(out, 'm.h'), 'utf8');
    for (let k = 0; k < 3; k++) {
      const child = spawn(process.execPath, [BIN, 'codegen', path.join(sharedModels, 'vww_mobilenet_int8.tflite'), '-o', out, '--prefix', 'm'], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Killed once its staging folder exists: in the middle of writing the new set.
      for (let waited = 0; waited < 120_000 && !fs.readdirSync(dir).some((n) => /\.tinyforge-\d+-[0-9a-f]+\.stage$/.test(n)); waited += 5) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await exited;
      expect(fs.readFileSync(path.join(out, 'm.h'), 'utf8')).toBe(old);
      expect(fs.readdirSync(out).sort()).toEqual(['m.c', 'm.h', 'm_weights.c', 'plan.json', 'report.html']);
    }
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tinyforge-')).length).toBeGreaterThan(0);
    expect((await cli('codegen', ad, '-o', out, '--prefix', 'm')).code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['out']);
    expect(fs.readFileSync(path.join(out, 'm.h'), 'utf8')).not.toBe(old);
  }, 300_000);
});
