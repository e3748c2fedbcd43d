import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { boardFingerprint, hashTree, packageFingerprint } from './fingerprint';

describe('fingerprints', () => {
  it('change when a code file changes, not when a TypeScript source or map does', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-nxfp-'));
    try {
      fs.mkdirSync(path.join(root, 'dist'));
      fs.writeFileSync(path.join(root, 'dist/a.js'), 'one');
      fs.writeFileSync(path.join(root, 'dist/a.js.map'), 'map');
      const before = hashTree(root, ['dist']);
      fs.writeFileSync(path.join(root, 'dist/a.js.map'), 'other map');
      fs.writeFileSync(path.join(root, 'dist/a.ts'), 'ignored');
      expect(hashTree(root, ['dist'])).toBe(before);
      fs.writeFileSync(path.join(root, 'dist/a.js'), 'two');
      expect(hashTree(root, ['dist'])).not.toBe(before);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('name the package version and tell boards apart', () => {
    expect(packageFingerprint('@tinyforge/ir', __dirname)).toMatch(/^@tinyforge\/ir@\d+\.\d+\.\d+ [0-9a-f]{64}$/);
    expect(packageFingerprint('@tinyforge/no-such-package', __dirname)).toBe('@tinyforge/no-such-package not installed');
    const boards = path.resolve(__dirname, '../../boards/boards');
    expect(boardFingerprint(boards, 'qemu-m4')).not.toBe(boardFingerprint(boards, 'qemu-m7'));
  });
});
