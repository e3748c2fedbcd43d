import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasArmToolchain, hasQemu, hasSocat } from '@tinyforge/boards/testing';
import { linksIntoRepo, npmInstall, packAll, REPO_ROOT, Run, run, userEnv, userProject } from './packed';

/**
 * Issue 22's real test: tinyforge as a user gets it. Every package is packed (`npm pack`, its prepack builds it),
 * installed from the tarballs into fresh folders outside the repository (nothing linked back into it), and used
 * there: the command line on a float model, then an Nx workspace with @tinyforge/nx-plugin.
 */
const MODELS = path.join(REPO_ROOT, '..', 'shared', 'models');
const missing = [
  !fs.existsSync(path.join(MODELS, 'ad_autoencoder_float.tflite')) && `${MODELS} (../shared/models)`,
  !hasArmToolchain() && 'arm-none-eabi-gcc',
  spawnable('npm') ? false : 'npm',
].filter((m): m is string => typeof m === 'string');
if (missing.length > 0) console.warn(`packed-install e2e skipped: missing ${missing.join(', ')}`);
const d = missing.length === 0 ? describe : describe.skip;
const canRun = hasQemu() && hasSocat();
if (!canRun) console.warn('packed-install e2e: the runs on qemu-m4 are skipped (qemu-system-arm or socat missing)');
const onQemu = canRun ? it : it.skip;

function spawnable(command: string): boolean {
  return run(command, ['--version'], os.tmpdir(), 60_000).status === 0;
}

function expectOk(r: Run): void {
  if (r.status !== 0) throw new Error(`exit status ${r.status}:\n${r.output.slice(-4000)}`);
}

d('tinyforge installed from its packed tarballs', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-packed-'));
  let tarballs: Map<string, string>;
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  beforeAll(() => {
    tarballs = packAll(work);
  }, 900_000);

  it('packs every package with its build, its LICENSE and README, and nothing from the tests', () => {
    expect([...tarballs.keys()]).toEqual(expect.arrayContaining(['tinyforge', '@tinyforge/cli', '@tinyforge/boards', '@tinyforge/nx-plugin', '@tinyforge/kernels-cmsis']));
    for (const [name, file] of tarballs) expect({ name, size: fs.statSync(file).size > 1000 }).toEqual({ name, size: true });
  });

  describe('the command line in a fresh project', () => {
    let app: string;
    const npx = (args: string[], timeoutMs = 600_000) => run('npx', ['--no', '--', ...args], app, timeoutMs);

    beforeAll(() => {
      app = userProject('tfg-user-app-');
      fs.copyFileSync(path.join(MODELS, 'ad_autoencoder_float.tflite'), path.join(app, 'ad_float.tflite'));
      // Everything but the Nx plugin (whose peer dependency nx a command-line user does not want).
      expectOk(npmInstall(app, [...tarballs].filter(([n]) => n !== '@tinyforge/nx-plugin').map(([, f]) => f)));
    }, 900_000);
    afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

    it('installs real copies, the board definitions included, and the five bins', () => {
      expect(linksIntoRepo(app)).toEqual([]);
      expect(fs.existsSync(path.join(app, 'node_modules/@tinyforge/boards/boards/nucleo-l4r5zi/board.json'))).toBe(true);
      expect(fs.existsSync(path.join(app, 'node_modules/@tinyforge/boards/boards/common/sections.ld'))).toBe(true);
      for (const bin of ['tinyforge', 'quantize', 'codegen', 'flash', 'profile']) expect(fs.existsSync(path.join(app, 'node_modules/.bin', bin))).toBe(true);
      // Only what runs ships: no TypeScript sources, specs, jest configs or benchmarks.
      const cli = path.join(app, 'node_modules/@tinyforge/cli');
      expect(fs.readdirSync(cli).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
    });

    it('npx tinyforge --help lists every command', () => {
      const r = npx(['tinyforge', '--help']);
      expectOk(r);
      for (const c of ['inspect', 'quantize', 'codegen', 'build', 'run', 'flash', 'profile', 'board', '--boards-dir']) expect(r.output).toContain(c);
    });

    it('npx quantize a float model on random calibration data', () => {
      const r = npx(['quantize', 'ad_float.tflite', '--calib', 'random', '--samples', '8', '-o', 'ad_int8.tflite']);
      expectOk(r);
      expect(r.output).toMatch(/output SQNR: [\d.]+ dB/);
      expect(fs.statSync(path.join(app, 'ad_int8.tflite')).size).toBeGreaterThan(100_000);
    }, 600_000);

    it('npx codegen for a board', () => {
      const r = npx(['codegen', 'ad_int8.tflite', '-o', 'gen', '--board', 'nucleo-l4r5zi']);
      expectOk(r);
      expect(r.output).toContain('fits nucleo-l4r5zi');
      expect(fs.readdirSync(path.join(app, 'gen')).sort()).toEqual(['ad_int8.c', 'ad_int8.h', 'ad_int8_weights.c', 'plan.json', 'report.html']);
    }, 600_000);

    it('npx tinyforge build for nucleo-l4r5zi, with the board definition shipped in the package', () => {
      const r = npx(['tinyforge', 'build', '--model', 'ad_int8.tflite', '--board', 'nucleo-l4r5zi', '-o', 'fw']);
      expectOk(r);
      expect(r.output).toMatch(/flash: \d+ \/ 2097152 bytes/);
      expect(fs.statSync(path.join(app, 'fw/firmware.elf')).size).toBeGreaterThan(100_000);
    }, 600_000);

    onQemu('npx tinyforge run on qemu-m4 gives the reference interpreter’s output bytes', () => {
      const input = Buffer.alloc(640);
      for (let i = 0; i < input.length; i++) input[i] = (i * 37 + 11) & 0xff;
      fs.writeFileSync(path.join(app, 'in.bin'), input);
      const board = npx(['tinyforge', 'run', 'ad_int8.tflite', '--board', 'qemu-m4', '--input', 'in.bin', '--output', 'board.bin']);
      expectOk(board);
      // The virtual board keeps its flash between runs (per user): an image an earlier run flashed is not flashed again.
      expect(board.output).toMatch(/board qemu-m4 \((flashed over serial: \d+ bytes, verified by [a-z-]+|already held this image: \d+ bytes, same CRC, not flashed)\): \d+ instructions per inference/);
      expectOk(npx(['tinyforge', 'run', 'ad_int8.tflite', '--engine', 'ref', '--input', 'in.bin', '--output', 'ref.bin']));
      expect(fs.readFileSync(path.join(app, 'board.bin')).equals(fs.readFileSync(path.join(app, 'ref.bin')))).toBe(true);
    }, 900_000);
  });

  describe('a fresh Nx workspace with @tinyforge/nx-plugin', () => {
    let ws: string;
    // nx as this repository pins it.
    const nxVersion = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.nx;
    const nx = (args: string[], timeoutMs = 600_000) =>
      run('npx', ['--no', '--', 'nx', ...args, ...(args[0] === 'g' ? [] : ['--output-style=static'])], ws, timeoutMs, userEnv({ NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false', CI: 'true' }));
    const lastRun = () => Object.fromEntries((JSON.parse(fs.readFileSync(path.join(ws, '.nx/cache/run.json'), 'utf8')) as { tasks: { taskId: string; cacheStatus: string }[] }).tasks.map((t) => [t.taskId, t.cacheStatus]));
    const CHAIN = ['quantize', 'codegen', 'build'];

    beforeAll(() => {
      ws = userProject('tfg-user-nx-');
      fs.writeFileSync(path.join(ws, 'nx.json'), JSON.stringify({ plugins: ['@tinyforge/nx-plugin'] }, null, 2));
      fs.writeFileSync(path.join(ws, '.gitignore'), 'node_modules\ndist\n.nx\n');
      expectOk(npmInstall(ws, [`nx@${nxVersion}`, ...tarballs.values()]));
    }, 900_000);
    afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));

    it('installs the plugin as a real package whose executors take their schemas from dist', () => {
      expect(linksIntoRepo(ws)).toEqual([]);
      const plugin = path.join(ws, 'node_modules/@tinyforge/nx-plugin');
      const executors = JSON.parse(fs.readFileSync(path.join(plugin, 'executors.json'), 'utf8')) as { executors: Record<string, { schema: string }> };
      for (const e of Object.values(executors.executors)) expect(fs.existsSync(path.join(plugin, e.schema))).toBe(true);
    });

    it('generates a float-model project and an int8-model project', () => {
      const ad = nx(['g', '@tinyforge/nx-plugin:firmware', 'ad-fw', '--board=qemu-m4', `--model=${path.join(MODELS, 'ad_autoencoder_float.tflite')}`, '--calib=random', '--calibSamples=4', '--no-interactive']);
      expectOk(ad);
      expect(ad.output).toContain('CREATE firmware/ad-fw/firmware.json');
      expectOk(nx(['g', '@tinyforge/nx-plugin:firmware', 'demo-fw', '--board=qemu-m4', `--model=${path.join(MODELS, 'kws_dscnn_int8.tflite')}`, '--no-interactive']));
      expect(JSON.parse(fs.readFileSync(path.join(ws, 'firmware/demo-fw/firmware.json'), 'utf8'))).toEqual({ model: 'model/kws_dscnn_int8.tflite', board: 'qemu-m4' });
    }, 600_000);

    it('builds both with run-many, then takes every task from the cache', () => {
      const first = nx(['run-many', '-t', 'build']);
      expectOk(first);
      expect(first.output).toContain('model/kws_dscnn_int8.tflite is already int8: copied');
      const firstRun = lastRun();
      expect(Object.keys(firstRun).sort()).toEqual(['ad-fw', 'demo-fw'].flatMap((p) => CHAIN.map((t) => `${p}:${t}`)).sort());
      expect(Object.values(firstRun).every((s) => s === 'cache-miss')).toBe(true);

      fs.rmSync(path.join(ws, 'dist'), { recursive: true, force: true });
      const second = nx(['run-many', '-t', 'build']);
      expectOk(second);
      expect(second.output).toContain('Nx read the output from the cache instead of running the command for 6 out of 6 tasks');
      expect(Object.values(lastRun()).every((s) => s === 'local-cache-hit')).toBe(true);
      expect(fs.existsSync(path.join(ws, 'dist/firmware/demo-fw/build/firmware.elf'))).toBe(true);
    }, 900_000);

    it('reruns only the changed project’s chain when its model file changes', () => {
      fs.copyFileSync(path.join(MODELS, 'ad_autoencoder_int8.tflite'), path.join(ws, 'firmware/ad-fw/model/ad_autoencoder_float.tflite'));
      expectOk(nx(['run-many', '-t', 'build']));
      const status = lastRun();
      for (const t of CHAIN) expect({ t, ad: status[`ad-fw:${t}`], demo: status[`demo-fw:${t}`] }).toEqual({ t, ad: 'cache-miss', demo: 'local-cache-hit' });
    }, 900_000);

    it('skips a bad firmware.json with a warning naming every problem, and the rest of the graph keeps working', () => {
      fs.mkdirSync(path.join(ws, 'firmware/broken'), { recursive: true });
      fs.writeFileSync(path.join(ws, 'firmware/broken/firmware.json'), JSON.stringify({ model: '/abs.tflite', board: 'Not A Board', colour: 'red' }));
      try {
        const r = nx(['show', 'projects']);
        expectOk(r);
        expect(r.output).toContain('skipped firmware/broken/firmware.json');
        for (const part of ['model: must be relative', 'board: a board name', 'colour']) expect(r.output).toContain(part);
        expect(r.output).toMatch(/^ad-fw$/m);
        expect(r.output).toMatch(/^demo-fw$/m);
      } finally {
        fs.rmSync(path.join(ws, 'firmware/broken'), { recursive: true, force: true });
      }
    }, 600_000);

    onQemu('nx run demo-fw:run on qemu-m4 prints the per-layer profile', () => {
      const r = nx(['run', 'demo-fw:run']);
      expectOk(r);
      expect(r.output).toMatch(/board qemu-m4 \((flashed over serial: \d+ bytes, verified by [a-z-]+|already held this image: \d+ bytes, same CRC, not flashed)\): \d+ instructions per inference/);
      expect(r.output).toMatch(/DepthwiseConv2D/);
      expect(r.output).toMatch(/total: [\d,]+ instructions/);
    }, 900_000);
  });
});
