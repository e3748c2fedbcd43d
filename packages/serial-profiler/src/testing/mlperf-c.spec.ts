/**
 * The board end of the MLPerf Tiny runner protocol (c/tfg_mlperf.c) against the shared exchanges
 * (test-vectors/mlperf.json), built with the host gcc under -std=c99 -Wall -Wextra -Werror -Wconversion with the
 * vectors' test device.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BOARD_C_SOURCES } from '../board-c';
import { compileC, hasTool } from './c-build';

interface Vectors {
  device: { inputBytes: number; outputValues: number; outputScale: number; outputZeroPoint: number; ticksHz: number; ticksPerInvoke: number; modelId: string };
  exchanges: { send: string | null; reply: string[] }[];
}
const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '../../test-vectors/mlperf.json'), 'utf8')) as Vectors;

const available = hasTool('gcc');
if (!available) console.warn('MLPerf protocol C test skipped: gcc not found');
const d = available ? describe : describe.skip;

function driver(v: Vectors): string {
  const dev = v.device;
  const sends = v.exchanges.map((e) => JSON.stringify(e.send ?? ''));
  return `#include <stdio.h>
#include "tfg_mlperf.h"
static uint8_t input[${dev.inputBytes}];
static int8_t output[${dev.outputValues}];
static uint32_t now;
static uint32_t invoke(void) {
  for (uint32_t i = 0; i < ${dev.outputValues}u; i++) output[i] = (int8_t)(input[i] + i);
  now += ${dev.ticksPerInvoke}u;
  return 0u;
}
static uint32_t ticks(void) { return now; }
static void put(uint8_t c) { putchar(c); }
int main(void) {
  static const char *const sends[] = {${sends.join(', ')}};
  const tfg_mlperf_device_t device = {input, ${dev.inputBytes}u, output, ${dev.outputValues}u, 1, ${dev.outputScale}f, ${dev.outputZeroPoint},
                                      invoke, ticks, ${dev.ticksHz}u, "${dev.modelId}", put};
  tfg_mlperf_start(&device);
  for (unsigned k = 1; k < sizeof sends / sizeof sends[0]; k++) {
    for (const char *p = sends[k]; *p != 0; p++) tfg_mlperf_receive(&device, *p);
  }
  return 0;
}
`;
}

d('MLPerf Tiny runner protocol, board side (c/tfg_mlperf.c)', () => {
  it('answers every exchange of the vectors line for line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-mlperf-'));
    try {
      const main = path.join(dir, 'main.c');
      fs.writeFileSync(main, driver(vectors));
      const program = path.join(dir, 'mlperf');
      compileC('gcc', [main, BOARD_C_SOURCES.mlperf], program);
      const r = spawnSync(program, [], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout.endsWith('\r\n')).toBe(true);
      expect(r.stdout.split('\r\n').slice(0, -1)).toEqual(vectors.exchanges.flatMap((e) => e.reply));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
