/**
 * The README's flashing table says how each board is flashed: one row per board definition, its methods in the
 * board file's order, in the words the flash command's note uses (flashMethodText). A board added or changed
 * without the README following fails here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { flashMethodText } from './flash-options';
import { listBoards, loadTarget } from './load';

const README = path.resolve(__dirname, '../../../README.md');

describe("README's flashing section", () => {
  const text = fs.readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('## Flashing'), text.indexOf('\n## ', text.indexOf('## Flashing') + 1));
  const rows = new Map([...section.matchAll(/^\| `([a-z0-9-]+)` \| (.*) \|$/gm)].map((m) => [m[1], m[2]]));

  it('has a row for every board, saying how it is flashed', () => {
    expect([...rows.keys()].sort()).toEqual([...listBoards()].sort());
    for (const name of listBoards()) {
      const target = loadTarget(name);
      expect({ name, methods: rows.get(name) }).toEqual({ name, methods: target.flashing.map((m) => flashMethodText(m, target.kind)).join('; ') });
    }
  });

  it('says how the port picks the method', () => {
    expect(section).toMatch(/a serial device .* selects the board's serial method, a folder\s+\(the mounted drive\) its USB-drive method/);
  });
});
