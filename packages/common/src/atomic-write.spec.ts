import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TinyforgeError } from './errors';
import { replaceDirAtomic, writeFileAtomic, writeFileAtomicWith, writeFilesAtomic } from './atomic-write';

const tempRoot = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'tf-common-'));

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file', () => {
    const root = tempRoot();
    const file = path.join(root, 'model.tflite');
    writeFileAtomic(file, 'first');
    writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
    expect(fs.readdirSync(root)).toEqual(['model.tflite']);
  });

  it('a failed write is FILE_WRITE naming the file, keeps the old file and removes the temporary one', () => {
    const root = tempRoot();
    const file = path.join(root, 'out.bin');
    writeFileAtomic(file, 'old');
    // A directory where the file should go: the rename fails after the temporary file was written.
    const blocked = path.join(root, 'blocked');
    fs.mkdirSync(path.join(blocked, 'x'), { recursive: true });
    let error: unknown;
    try {
      writeFileAtomic(blocked, 'new');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TinyforgeError);
    expect((error as TinyforgeError).code).toBe('FILE_WRITE');
    expect((error as TinyforgeError).message).toContain(blocked);
    expect(fs.readdirSync(root).sort()).toEqual(['blocked', 'out.bin']);
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(() => writeFileAtomic(path.join(root, 'missing', 'f'), 'x')).toThrow(/cannot write to .*missing\/f: the folder .*missing does not exist/);
  });

  it('writeFileAtomicWith passes the writer\'s own errors through and cleans up', () => {
    const root = tempRoot();
    const file = path.join(root, 'kernel.o');
    const failure = new TinyforgeError('RUN_BOARD_BUILD', 'compiler failed');
    expect(() =>
      writeFileAtomicWith(file, (temp) => {
        fs.writeFileSync(temp, 'half');
        throw failure;
      }),
    ).toThrow(failure);
    expect(fs.readdirSync(root)).toEqual([]);
    writeFileAtomicWith(file, (temp) => fs.writeFileSync(temp, 'object'));
    expect(fs.readFileSync(file, 'utf8')).toBe('object');
  });
});

describe('writeFilesAtomic', () => {
  it('writes every file, leaves other files in the directory alone', () => {
    const root = tempRoot();
    fs.writeFileSync(path.join(root, 'keep.txt'), 'mine');
    writeFilesAtomic(root, { 'a.c': 'int a;', 'a.h': 'extern int a;' });
    expect(fs.readdirSync(root).sort()).toEqual(['a.c', 'a.h', 'keep.txt']);
    expect(fs.readFileSync(path.join(root, 'a.h'), 'utf8')).toBe('extern int a;');
  });

  it('renames nothing when a file cannot be written', () => {
    const root = tempRoot();
    writeFilesAtomic(root, { 'a.c': 'old' });
    fs.mkdirSync(path.join(root, 'sub'));
    expect(() => writeFilesAtomic(root, { 'a.c': 'new', 'sub/none/b.c': 'x' })).toThrow(TinyforgeError);
    expect(fs.readFileSync(path.join(root, 'a.c'), 'utf8')).toBe('old');
    expect(fs.readdirSync(root).sort()).toEqual(['a.c', 'sub']);
  });
});

describe('replaceDirAtomic', () => {
  it('swaps in a complete set of outputs, and keeps the previous set when filling fails', () => {
    const root = tempRoot();
    const out = path.join(root, 'codegen');
    replaceDirAtomic(out, (d) => fs.writeFileSync(path.join(d, 'a.c'), 'first'));
    expect(fs.readFileSync(path.join(out, 'a.c'), 'utf8')).toBe('first');
    expect(() =>
      replaceDirAtomic(out, (d) => {
        fs.writeFileSync(path.join(d, 'a.c'), 'second');
        throw new Error('generation failed half way');
      }),
    ).toThrow('half way');
    expect(fs.readFileSync(path.join(out, 'a.c'), 'utf8')).toBe('first');
    expect(fs.readdirSync(root)).toEqual(['codegen']);
    expect(replaceDirAtomic(out, (d) => fs.writeFileSync(path.join(d, 'b.c'), 'third'))).toBeUndefined();
    expect(fs.readdirSync(out)).toEqual(['b.c']);
  });

  it('creates missing parent folders and returns what the filler returns', () => {
    const root = tempRoot();
    const out = path.join(root, 'dist', 'firmware', 'app');
    expect(replaceDirAtomic(out, (d) => (fs.writeFileSync(path.join(d, 'x'), ''), 42))).toBe(42);
    expect(fs.readdirSync(out)).toEqual(['x']);
  });
});
