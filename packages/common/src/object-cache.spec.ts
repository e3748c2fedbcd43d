import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileCached, CompiledLibrary } from './object-cache';

/** A stand-in compiler: the "object" is the source's text with the flags, written where -o says. */
function library(dir: string, calls: string[], flags = ['-O2']): CompiledLibrary {
  return {
    kind: 'test-objects',
    compiler: 'fake-cc',
    flags,
    sources: [path.join(dir, 'src', 'a.c'), path.join(dir, 'src', 'b.c')],
    headerDirs: [path.join(dir, 'include')],
    cacheDir: path.join(dir, 'cache'),
    compile: (args, src) => {
      calls.push(path.basename(src));
      if (fs.readFileSync(src, 'utf8').includes('#error')) throw new Error(`cannot compile ${src}`);
      fs.writeFileSync(args[args.indexOf('-o') + 1], `${fs.readFileSync(src, 'utf8')}|${args.slice(0, args.indexOf('-c')).join(' ')}`);
    },
  };
}

describe('compileCached', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-object-cache-'));
    fs.mkdirSync(path.join(dir, 'src'));
    fs.mkdirSync(path.join(dir, 'include', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', 'a.c'), 'int a;');
    fs.writeFileSync(path.join(dir, 'src', 'b.c'), 'int b;');
    fs.writeFileSync(path.join(dir, 'include', 'sub', 'h.h'), '#define X 1');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('compiles each source once per content and flags', () => {
    const calls: string[] = [];
    const first = compileCached(library(dir, calls));
    expect(calls).toEqual(['a.c', 'b.c']);
    expect(first.map((o) => fs.readFileSync(o, 'utf8'))).toEqual(['int a;|-O2', 'int b;|-O2']);
    expect(compileCached(library(dir, calls))).toEqual(first);
    expect(calls).toHaveLength(2);
    const os3 = compileCached(library(dir, calls, ['-O3']));
    expect(os3[0]).not.toBe(first[0]);
    expect(calls).toHaveLength(4);
  });

  it('keys on header contents, not timestamps: an edit with an older mtime still recompiles', () => {
    const calls: string[] = [];
    const first = compileCached(library(dir, calls));
    const header = path.join(dir, 'include', 'sub', 'h.h');
    fs.writeFileSync(header, '#define X 2');
    fs.utimesSync(header, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const second = compileCached(library(dir, calls));
    expect(calls).toEqual(['a.c', 'b.c', 'a.c', 'b.c']);
    expect(path.dirname(second[0])).not.toBe(path.dirname(first[0]));
  });

  it('leaves no object behind when the compiler fails, and compiles it on the next call', () => {
    fs.writeFileSync(path.join(dir, 'src', 'b.c'), '#error broken');
    const calls: string[] = [];
    expect(() => compileCached(library(dir, calls))).toThrow('cannot compile');
    const objects = fs.readdirSync(path.join(dir, 'cache'), { recursive: true }).map(String);
    expect(objects.filter((f) => f.includes('b.o') || f.includes('.tmp'))).toEqual([]);
    fs.writeFileSync(path.join(dir, 'src', 'b.c'), 'int b;');
    compileCached(library(dir, calls));
    expect(calls).toEqual(['a.c', 'b.c', 'a.c', 'b.c']);
  });
});
