import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { allCoreDescriptions, compilerFlags } from './cores';
import { BoardError } from './errors';
import { BOARDS_DIR_ENV, DEFAULT_BOARDS_DIR, jsonPath, listBoards, loadTarget, parseBoardJson } from './load';
import { hasArmToolchain } from './toolchain';

const VIRTUAL = ['qemu-m3', 'qemu-m33', 'qemu-m4', 'qemu-m55', 'qemu-m7'];

function thrown(fn: () => unknown): BoardError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BoardError) return e;
    throw e;
  }
  throw new Error('expected a BoardError');
}

describe('board definitions', () => {
  it('lists the repository boards, virtual ones included', () => {
    expect(listBoards()).toEqual(expect.arrayContaining(VIRTUAL));
  });

  it.each(listBoards())('%s validates and names its own directory', (name) => {
    const b = loadTarget(name);
    expect(b.name).toBe(name);
    expect(b.flash.size).toBeGreaterThan(0);
    expect(b.cflags).toEqual(compilerFlags(b));
  });

  it('derives the compiler flags from the core, its FPU and its extensions', () => {
    expect(loadTarget('qemu-m4').cflags).toEqual(['-mcpu=cortex-m4', '-mthumb', '-mfpu=fpv4-sp-d16', '-mfloat-abi=hard']);
    expect(loadTarget('nucleo-h743zi2').cflags).toEqual(['-mcpu=cortex-m7', '-mthumb', '-mfpu=fpv5-d16', '-mfloat-abi=hard']);
    expect(loadTarget('qemu-m55').cflags).toEqual(['-mcpu=cortex-m55', '-mthumb', '-mfloat-abi=hard']);
    expect(loadTarget('rpi-pico').cflags).toEqual(['-mcpu=cortex-m0plus', '-mthumb', '-mfloat-abi=soft']);
    expect(compilerFlags({ core: 'cortex-m33', fpu: 'fpv5-sp-d16', dsp: false, mve: 'none' })[0]).toBe('-mcpu=cortex-m33+nodsp');
    expect(compilerFlags({ core: 'cortex-m55', fpu: 'auto', dsp: true, mve: 'int' })[0]).toBe('-mcpu=cortex-m55+nomve.fp');
    expect(compilerFlags({ core: 'cortex-m55', fpu: 'none', dsp: true, mve: 'none' })).toEqual(['-mcpu=cortex-m55+nofp', '-mthumb', '-mfloat-abi=soft']);
  });

  (hasArmToolchain() ? it : it.skip)('the derived flags give the compiler exactly the FPU, DSP and MVE each description states', () => {
    const descriptions = allCoreDescriptions();
    expect(descriptions.length).toBeGreaterThan(12);
    for (const c of descriptions) {
      const r = spawnSync('arm-none-eabi-gcc', [...compilerFlags(c), '-dM', '-E', '-x', 'c', '-'], { input: '', encoding: 'utf8' });
      expect(r.status).toBe(0);
      const macro = (name: string) => new RegExp(`#define ${name} (\\d+)`).exec(r.stdout)?.[1];
      const got = { fp: macro('__ARM_FP') !== undefined, dsp: macro('__ARM_FEATURE_DSP') === '1', mve: macro('__ARM_FEATURE_MVE') };
      expect({ c, ...got }).toEqual({ c, fp: c.fpu !== 'none', dsp: c.dsp, mve: { none: undefined, int: '1', float: '3' }[c.mve] });
    }
  });

  it('parses hex addresses and keeps the QEMU machine of virtual boards', () => {
    const b = loadTarget('qemu-m4');
    expect(b.flash).toEqual({ base: 0x10000, size: 0x3f0000 });
    expect(b.qemu?.machine).toBe('mps2-an386');
    expect(b.console.base).toBe(0x40004000);
  });

  it('rejects an unknown name with the list of known boards', () => {
    const e = thrown(() => loadTarget('nucleo-nope'));
    expect(e.code).toBe('BOARD_UNKNOWN');
    expect(e.message).toContain('qemu-m4');
  });

  it('never treats a name as a path', () => {
    expect(thrown(() => loadTarget('../boards/qemu-m4')).code).toBe('BOARD_UNKNOWN');
  });

  describe('a bad board.json', () => {
    const good = fs.readFileSync(path.join(loadTarget('qemu-m4').dir, 'board.json'), 'utf8');
    const edit = (f: (j: any) => void): string => {
      const j = JSON.parse(good);
      f(j);
      return JSON.stringify(j);
    };

    it('names the file and the JSON path of every problem', () => {
      const e = thrown(() =>
        parseBoardJson(
          edit((j) => {
            j.flashing[0].baud = 'fast';
            j.core = 'cortex-m99';
          }),
          'boards/x/board.json',
        ),
      );
      expect(e.code).toBe('BOARD_INVALID');
      expect(e.message).toContain('boards/x/board.json');
      expect(e.message).toContain('flashing[0].baud');
      expect(e.message).toContain('at core');
    });

    it('rejects overlapping flash and RAM, bad hex, and a sector map that misses the flash', () => {
      expect(thrown(() => parseBoardJson(edit((j) => (j.ram = { base: '0x00010000', size: 4096 })))).message).toContain('overlap');
      expect(thrown(() => parseBoardJson(edit((j) => (j.flash.base = '0xZZ')))).message).toContain('flash.base');
      expect(thrown(() => parseBoardJson(edit((j) => (j.flashing[0].sectors = [{ count: 1, size: 2048 }])))).message).toContain(
        'flashing[0].sectors',
      );
    });

    it('rejects a cflags field: the flags are derived, a second statement of the core could contradict it', () => {
      const e = thrown(() => parseBoardJson(edit((j) => (j.cflags = ['-mcpu=cortex-m4', '-mthumb'])), 'boards/x/board.json'));
      expect(e.message).toMatch(/at cflags: cflags are derived from core, fpu, dsp and mve: remove the field/);
    });

    it('rejects a core description the core contradicts, naming the field', () => {
      expect(thrown(() => parseBoardJson(edit((j) => (j.dsp = false)))).message).toMatch(/at dsp: every cortex-m4 has the DSP extension/);
      expect(thrown(() => parseBoardJson(edit((j) => (j.fpu = 'fpv5-d16')))).message).toMatch(/at fpu: cortex-m4 has no FPU 'fpv5-d16'/);
      expect(thrown(() => parseBoardJson(edit((j) => Object.assign(j, { core: 'cortex-m3', fpu: 'none' })))).message).toMatch(/at dsp: cortex-m3 has no DSP/);
      expect(thrown(() => parseBoardJson(edit((j) => Object.assign(j, { core: 'cortex-m55', fpu: 'none', mve: 'int' })))).message).toMatch(/at mve: MVE is built with the cortex-m55's FPU/);
    });

    it('rejects unknown keys, MVE off the M55 and a virtual board without QEMU', () => {
      expect(thrown(() => parseBoardJson(edit((j) => (j.colour = 'blue')))).code).toBe('BOARD_INVALID');
      expect(thrown(() => parseBoardJson(edit((j) => (j.mve = 'int')))).message).toContain('at mve');
      expect(thrown(() => parseBoardJson(edit((j) => delete j.qemu))).message).toContain('at qemu');
    });

    it('reports JSON syntax errors and a directory/name mismatch', () => {
      expect(thrown(() => parseBoardJson('{', 'f.json')).code).toBe('BOARD_INVALID');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-boards-'));
      fs.mkdirSync(path.join(dir, 'other'));
      fs.writeFileSync(path.join(dir, 'other', 'board.json'), good);
      const e = thrown(() => loadTarget('other', { boardsDir: dir }));
      expect(e.code).toBe('BOARD_INVALID');
      expect(e.message).toContain("does not match its directory 'other'");
      fs.rmSync(dir, { recursive: true });
    });
  });

  describe('another boards folder', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-boards-'));
      fs.mkdirSync(path.join(dir, 'my-board'));
      const j = JSON.parse(fs.readFileSync(path.join(DEFAULT_BOARDS_DIR, 'qemu-m4', 'board.json'), 'utf8'));
      fs.writeFileSync(path.join(dir, 'my-board', 'board.json'), JSON.stringify({ ...j, name: 'my-board' }));
    });
    afterEach(() => {
      delete process.env[BOARDS_DIR_ENV];
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('ships the definitions inside the package', () => {
      expect(DEFAULT_BOARDS_DIR).toBe(path.resolve(__dirname, '..', 'boards'));
      expect(loadTarget('qemu-m4').file).toBe(path.join(DEFAULT_BOARDS_DIR, 'qemu-m4', 'board.json'));
    });

    it('is taken from boardsDir, then from $TINYFORGE_BOARDS_DIR, and says where it looked', () => {
      expect(listBoards({ boardsDir: dir })).toEqual(['my-board']);
      expect(loadTarget('my-board', { boardsDir: dir }).dir).toBe(path.join(dir, 'my-board'));
      process.env[BOARDS_DIR_ENV] = dir;
      expect(listBoards()).toEqual(['my-board']);
      expect(loadTarget('my-board').name).toBe('my-board');
      const e = thrown(() => loadTarget('qemu-m4'));
      expect(e.code).toBe('BOARD_UNKNOWN');
      expect(e.message).toContain(`in ${dir}; known boards: my-board`);
      // An explicit folder wins over the variable.
      expect(loadTarget('qemu-m4', { boardsDir: DEFAULT_BOARDS_DIR }).name).toBe('qemu-m4');
    });
  });

  it('formats JSON paths', () => {
    expect(jsonPath([])).toBe('$');
    expect(jsonPath(['flashing', 0, 'sectors', 1, 'size'])).toBe('flashing[0].sectors[1].size');
  });
});
