import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BoardError } from './errors';
import { jsonPath, listBoards, loadBoard, parseBoardJson } from './load';

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
    const b = loadBoard(name);
    expect(b.name).toBe(name);
    expect(b.flash.size).toBeGreaterThan(0);
    expect(b.cflags).toContain(`-mcpu=${b.core}`);
  });

  it('parses hex addresses and keeps the QEMU machine of virtual boards', () => {
    const b = loadBoard('qemu-m4');
    expect(b.flash).toEqual({ base: 0x10000, size: 0x3f0000 });
    expect(b.qemu?.machine).toBe('mps2-an386');
    expect(b.console.base).toBe(0x40004000);
  });

  it('rejects an unknown name with the list of known boards', () => {
    const e = thrown(() => loadBoard('nucleo-nope'));
    expect(e.code).toBe('BOARD_UNKNOWN');
    expect(e.message).toContain('qemu-m4');
  });

  it('never treats a name as a path', () => {
    expect(thrown(() => loadBoard('../boards/qemu-m4')).code).toBe('BOARD_UNKNOWN');
  });

  describe('a bad board.json', () => {
    const good = fs.readFileSync(path.join(loadBoard('qemu-m4').dir, 'board.json'), 'utf8');
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
      const e = thrown(() => loadBoard('other', { boardsDir: dir }));
      expect(e.code).toBe('BOARD_INVALID');
      expect(e.message).toContain("does not match its directory 'other'");
      fs.rmSync(dir, { recursive: true });
    });
  });

  it('formats JSON paths', () => {
    expect(jsonPath([])).toBe('$');
    expect(jsonPath(['flashing', 0, 'sectors', 1, 'size'])).toBe('flashing[0].sectors[1].size');
  });
});
