/**
 * The C encoder against the shared vector file, and the C hooks with a scripted counter, both built with the
 * host gcc under -std=c99 -Wall -Wextra -Werror -Wconversion.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeStream } from '../protocol/decoder';
import { COUNTER_KIND, LayerRecord, ProfileRecord } from '../protocol/records';
import { compileC, hasTool, PROFILER_C_SOURCE } from './c-build';
import { VectorFile } from './vectors';

const VECTOR_FILE = path.join(__dirname, '../../test-vectors/frames.json');
const HOOKS_HOST = path.join(__dirname, '../../test/host/hooks_host.c');

const available = hasTool('gcc');
if (!available) console.warn('serial-profiler C tests skipped: gcc not found');
const d = available ? describe : describe.skip;

function cBytes(bytes: Uint8Array): string {
  return `{${Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ') || '0'}}`;
}

/** A C string literal made only of hex escapes: model names are untrusted text. */
function cString(s: string): string {
  return `"${Array.from(Buffer.from(s, 'utf8'), (b) => `\\x${b.toString(16).padStart(2, '0')}""`).join('')}"`;
}

function emitCall(r: ProfileRecord): string {
  switch (r.type) {
    case 'hello':
      return `tfg_profile_emit_hello((tfg_profile_counter_t)${COUNTER_KIND[r.counter]}, ${r.clockHz}u, ${r.layerCount}u);`;
    case 'layerInfo':
      // A trailing 0 keeps the array non-empty for rank 0.
      return `{ static const uint32_t dims[] = {${[...r.outputShape, 0].join('u, ')}u};
      tfg_profile_emit_layer_info(${r.index}u, ${r.opId}u, ${r.macs}ull, dims, ${r.outputShape.length}u, ${cString(r.name)}, ${cString(r.op)}); }`;
    case 'overhead':
      return `tfg_profile_emit_overhead(${r.count}u, ${r.samples}u);`;
    case 'layer':
      return `tfg_profile_emit_layer(${r.run}u, ${r.index}u, ${r.opId}u, ${r.count}u);`;
    case 'inference':
      return `tfg_profile_emit_inference(${r.run}u, ${r.total}u, ${r.layerCount}u);`;
  }
}

function vectorDriver(file: VectorFile): string {
  const cases = file.vectors.map((v, i) => {
    const wire = Buffer.from(v.wire, 'hex');
    return `  { static const uint8_t want[] = ${cBytes(wire)};
    captured = 0; tfg_profile_set_seq(${v.seq}u);
    ${emitCall(v.record)}
    failures += check(${i}, want, ${wire.length}u); }`;
  });
  return `#include <stdio.h>
#include <string.h>
#include "tfg_profile.h"
uint32_t tfg_cycles_read(void) { return 0u; }
static uint8_t out[1024];
static uint32_t captured;
void tfg_console_putc(uint8_t c) { if (captured < sizeof out) out[captured++] = c; }
static int check(int index, const uint8_t *want, uint32_t n) {
  if (captured == n && memcmp(out, want, n) == 0) { printf("ok %d\\n", index); return 0; }
  printf("MISMATCH %d: got %u bytes\\n", index, (unsigned)captured);
  return 1;
}
int main(void) {
  int failures = 0;
${cases.join('\n')}
  return failures;
}
`;
}

d('C encoder and hooks (host gcc)', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-profile-c-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('tfg_profile.c emits exactly the wire bytes of every shared vector', () => {
    const file = JSON.parse(fs.readFileSync(VECTOR_FILE, 'utf8')) as VectorFile;
    const driver = path.join(work, 'vectors.c');
    fs.writeFileSync(driver, vectorDriver(file));
    const exe = path.join(work, 'vectors');
    compileC('gcc', [PROFILER_C_SOURCE, driver], exe);
    const r = spawnSync(exe, [], { encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toEqual(file.vectors.map((_, i) => `ok ${i}`));
    expect(r.status).toBe(0);
  }, 30_000);

  function runHooks(flags: string[]): ReturnType<typeof decodeStream> {
    const exe = path.join(work, `hooks${flags.length}`);
    compileC('gcc', [PROFILER_C_SOURCE, HOOKS_HOST], exe, flags);
    const r = spawnSync(exe, [], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    return decodeStream(Buffer.from(r.stdout.trim(), 'hex'));
  }

  test('hooks: overhead measured and subtracted, counts exact across the 32-bit wrap, text passes through', () => {
    const { frames, text, stats } = runHooks(['-DTINYFORGE_PROFILE']);
    expect(stats).toMatchObject({ corruptFrames: 0, missingFrames: 0, unsupportedFrames: 0 });
    expect(text).toEqual(['model ready']);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    const records = frames.map((f) => f.record);
    expect(records.slice(0, 4)).toEqual([
      { type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: 3 },
      { type: 'layerInfo', index: 0, opId: 3, macs: 41472, outputShape: [1, 24, 24, 8], name: 'conv2d_1', op: 'Conv2D' },
      { type: 'layerInfo', index: 2, opId: 9, macs: 46080, outputShape: [1, 10], name: 'dense', op: 'FullyConnected' },
      { type: 'overhead', count: 5, samples: 16 },
    ]);
    const layers = records.filter((r): r is LayerRecord => r.type === 'layer');
    expect(layers.map((l) => [l.run, l.index, l.opId, l.count])).toEqual([
      [0, 0, 3, 1000], [0, 1, 7, 0], [0, 2, 9, 70000],
      [1, 0, 3, 1200], [1, 1, 7, 7], [1, 2, 9, 69000],
    ]);
    // Whole inference: the layers' work plus, per layer, two 5-tick reads and 3 ticks of glue.
    expect(records.filter((r) => r.type === 'inference')).toEqual([
      { type: 'inference', run: 0, total: 71000 + 3 * 13, layerCount: 3 },
      { type: 'inference', run: 1, total: 70207 + 3 * 13, layerCount: 3 },
    ]);
  }, 30_000);

  test('without TINYFORGE_PROFILE the hooks compile to nothing (no counts recorded)', () => {
    const { frames } = runHooks([]);
    const counts = frames.flatMap((f) => (f.record.type === 'layer' ? [f.record.count] : []));
    expect(counts).toEqual([0, 0, 0, 0, 0, 0]);
  }, 30_000);
});
