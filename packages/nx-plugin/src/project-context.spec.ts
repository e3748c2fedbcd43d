import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { replaceDir } from './project-context';

describe('replaceDir', () => {
  it('swaps in a complete set of outputs, and keeps the previous set when filling fails', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-nx-'));
    const out = path.join(root, 'codegen');
    replaceDir(out, (d) => fs.writeFileSync(path.join(d, 'a.c'), 'first'));
    expect(fs.readFileSync(path.join(out, 'a.c'), 'utf8')).toBe('first');
    expect(() =>
      replaceDir(out, (d) => {
        fs.writeFileSync(path.join(d, 'a.c'), 'second');
        throw new Error('generation failed half way');
      }),
    ).toThrow('half way');
    expect(fs.readFileSync(path.join(out, 'a.c'), 'utf8')).toBe('first');
    expect(fs.readdirSync(root)).toEqual(['codegen']);
    replaceDir(out, (d) => fs.writeFileSync(path.join(d, 'b.c'), 'third'));
    expect(fs.readdirSync(out)).toEqual(['b.c']);
  });
});
