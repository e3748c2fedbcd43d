import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { profileLayerTableC } from '../c-layer-table';
import { decodeStream } from '../protocol/decoder';
import { compileC, hasTool, PROFILER_C_SOURCES } from './c-build';

const available = hasTool('gcc');
if (!available) console.warn('serial-profiler C layer-table test skipped: gcc not found');
const d = available ? describe : describe.skip;

const LAYERS = [
  { index: 0, name: 'conv "1" */ \\ ??=', op: 'Conv2D', outputShape: [1, 24, 24, 8], macs: 41472 },
  { index: 1, name: 'relu\nnext', op: 'Relu' },
  { index: 2, name: 'c2', op: 'Conv2D', outputShape: [1, 10], macs: 2 ** 33 },
];

d('profileLayerTableC', () => {
  test('the generated table compiles under the strict flags and the board sends it back unchanged', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-profile-table-'));
    try {
      fs.writeFileSync(path.join(work, 'table.c'), profileLayerTableC(LAYERS, 'model_layers'));
      fs.writeFileSync(
        path.join(work, 'main.c'),
        `#include <stdio.h>
#include "tfg_profile.h"
extern const tfg_profile_layer_t model_layers[];
extern const uint16_t model_layers_count;
uint32_t tfg_cycles_read(void) { return 0u; }
void tfg_console_putc(uint8_t c) { printf("%02x", c); }
uint8_t tfg_console_getc(void) { return 0u; }
int main(void) { tfg_profile_init(model_layers, model_layers_count, TFG_PROFILE_COUNTER_DWT, 80000000u); return 0; }
`,
      );
      const exe = path.join(work, 'table');
      compileC('gcc', [...PROFILER_C_SOURCES, path.join(work, 'table.c'), path.join(work, 'main.c')], exe);
      const r = spawnSync(exe, [], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const infos = decodeStream(Buffer.from(r.stdout, 'hex')).frames.map((f) => f.record).filter((x) => x.type === 'layerInfo');
      expect(infos).toEqual([
        { type: 'layerInfo', index: 0, opId: 0, macs: 41472, outputShape: [1, 24, 24, 8], name: LAYERS[0].name, op: 'Conv2D' },
        { type: 'layerInfo', index: 1, opId: 1, macs: 0, outputShape: [], name: 'relu\nnext', op: 'Relu' },
        { type: 'layerInfo', index: 2, opId: 0, macs: 2 ** 33, outputShape: [1, 10], name: 'c2', op: 'Conv2D' },
      ]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 30_000);

  test('bad symbols and gaps are typed errors', () => {
    expect(() => profileLayerTableC(LAYERS, 'a-b')).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_OPTION' }));
    expect(() => profileLayerTableC([{ index: 1 }], 't')).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_TABLE' }));
  });
});
