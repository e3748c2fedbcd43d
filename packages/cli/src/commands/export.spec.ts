import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasArmToolchain } from '@tinyforge/boards/testing';
import { Interpreter } from '@tinyforge/interpreter';
import { readModelFile } from '@tinyforge/model-format';
import { kernelSources } from '@tinyforge/kernels-cmsis';
import { runCli } from '../main';

/**
 * Issue 22 `tinyforge export`: the folder builds with Debian's cmake for the host (and runs: outputs equal the
 * reference interpreter's on the TFLite Micro gold inputs), for Cortex-M4 with its toolchain file, and with its Make
 * fragment; a caller-arena model runs two instances side by side on separate arenas.
 */
const SHARED = path.resolve(__dirname, '../../../../../shared');
const has = (cmd: string) => spawnSync(cmd, ['--version']).status === 0;
const missing = [
  !fs.existsSync(path.join(SHARED, 'gold', 'kws_dscnn_int8')) && '../shared/gold',
  !has('cmake') && 'cmake',
  !has('gcc') && 'gcc',
  !has('make') && 'make',
].filter((m): m is string => typeof m === 'string');
if (missing.length > 0) console.warn(`export: skipped, missing ${missing.join(', ')}`);
const d = missing.length === 0 ? describe : describe.skip;
const withArm = hasArmToolchain() ? it : it.skip;

function sh(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout + r.stderr;
}

async function exportModel(model: string, out: string, ...flags: string[]): Promise<string> {
  let text = '';
  const io = { out: (s: string) => (text += s + '\n'), err: (s: string) => (text += s + '\n') };
  const code = await runCli(['export', path.join(SHARED, 'models', model), '--board', 'nucleo-l4r5zi', '-o', out, ...flags], io);
  if (code !== 0) throw new Error(text);
  return text;
}

const gold = (model: string, k: number) => fs.readFileSync(path.join(SHARED, 'gold', model, `input_${k}.bin`));
const reference = (model: string, input: Uint8Array) => Buffer.from(new Interpreter(readModelFile(path.join(SHARED, 'models', `${model}.tflite`))).run([input]).outputs[0]);

/** A host program: input file → <prefix>_invoke → output file (static arena). */
const staticMain = (p: string) => `#include <stdio.h>
#include "${p}.h"
static int8_t in[${p.toUpperCase()}_INPUT0_SIZE], out[${p.toUpperCase()}_OUTPUT0_SIZE];
int main(int argc, char **argv) {
  FILE *f;
  if (argc != 3 || !(f = fopen(argv[1], "rb")) || fread(in, 1, sizeof in, f) != sizeof in) return 2;
  fclose(f);
  if (${p}_invoke(in, out) != 0) return 3;
  if (!(f = fopen(argv[2], "wb")) || fwrite(out, 1, sizeof out, f) != sizeof out) return 4;
  fclose(f);
  return 0;
}
`;

d('tinyforge export', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-export-spec-'));
  const kws = path.join(work, 'kws');
  const P = 'kws_dscnn_int8';
  let said = '';
  beforeAll(async () => {
    said = await exportModel(`${P}.tflite`, kws);
  }, 900_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('writes the model, exactly the kernels it links, the build files, a README and the reports', () => {
    expect(said).toMatch(/kernel sources and \d+ headers/);
    for (const f of ['CMakeLists.txt', 'arm-none-eabi.cmake', `${P}.mk`, 'README.md', `model/${P}.h`, `model/${P}.c`, `model/${P}_weights.c`, 'reports/plan.json', 'reports/report.html', 'reports/size.json']) {
      expect({ f, there: fs.existsSync(path.join(kws, f)) }).toEqual({ f, there: true });
    }
    const copied = fs.readFileSync(path.join(kws, `${P}.mk`), 'utf8').match(/kernels\/src\/\S+\.c/g) ?? [];
    // Fewer than the library has, none for operators the model lacks, and (the builds below link) none missing.
    expect(copied.length).toBeGreaterThan(3);
    expect(copied.length).toBeLessThan(kernelSources().length);
    expect(copied.some((f) => /lstm|gru|svdf|s16/.test(f))).toBe(false);
    expect(copied).toEqual(expect.arrayContaining(['kernels/src/depthwise/tfg_depthwise_conv_s8.c', 'kernels/src/softmax/tfg_softmax_s8.c']));
    const size = JSON.parse(fs.readFileSync(path.join(kws, 'reports/size.json'), 'utf8'));
    expect(size).toMatchObject({ board: 'nucleo-l4r5zi', kernelSources: copied.length });
    expect(fs.readFileSync(path.join(kws, 'README.md'), 'utf8')).toContain(`${P}_invoke(input0, output0)`);
  });

  it('builds with cmake for the host as a subdirectory library, and its outputs equal the reference on the gold inputs', () => {
    const app = path.join(work, 'cmake-host');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'main.c'), staticMain(P));
    fs.writeFileSync(path.join(app, 'CMakeLists.txt'), `cmake_minimum_required(VERSION 3.13)\nproject(app C)\nadd_subdirectory(${kws} model)\nadd_executable(app main.c)\ntarget_compile_options(app PRIVATE -Wall -Wextra -Werror)\ntarget_link_libraries(app PRIVATE ${P})\n`);
    sh('cmake', ['-S', app, '-B', path.join(app, 'build')], app);
    sh('cmake', ['--build', path.join(app, 'build')], app);
    for (let k = 0; k < 4; k++) {
      fs.writeFileSync(path.join(app, 'in.bin'), gold(P, k));
      sh(path.join(app, 'build', 'app'), [path.join(app, 'in.bin'), path.join(app, 'out.bin')], app);
      expect({ k, equal: fs.readFileSync(path.join(app, 'out.bin')).equals(reference(P, gold(P, k))) }).toEqual({ k, equal: true });
    }
  }, 600_000);

  withArm('builds with cmake and its toolchain file for the board’s Cortex-M4', () => {
    const app = path.join(work, 'cmake-arm');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'CMakeLists.txt'), `cmake_minimum_required(VERSION 3.13)\nproject(fw C)\nadd_subdirectory(${kws} model)\n`);
    sh('cmake', ['-S', app, '-B', path.join(app, 'build'), `-DCMAKE_TOOLCHAIN_FILE=${path.join(kws, 'arm-none-eabi.cmake')}`], app);
    sh('cmake', ['--build', path.join(app, 'build')], app);
    const lib = path.join(app, 'build', 'model', `lib${P}.a`);
    const attributes = sh('arm-none-eabi-readelf', ['-A', lib], app);
    expect(attributes).toMatch(/Tag_CPU_arch: v7E-M/);
    expect(attributes).toMatch(/Tag_ABI_VFP_args: VFP registers/);
  }, 600_000);

  it('builds with its Make fragment', () => {
    const app = path.join(work, 'make-host');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'main.c'), staticMain(P));
    const M = P.toUpperCase();
    fs.writeFileSync(path.join(app, 'Makefile'), `include ${kws}/${P}.mk\napp: main.c $(${M}_SOURCES)\n\t$(CC) $(${M}_CFLAGS) $(${M}_INCLUDES) -o $@ $^\n`);
    sh('make', ['-s', 'CC=gcc'], app);
    fs.writeFileSync(path.join(app, 'in.bin'), gold(P, 0));
    sh(path.join(app, 'app'), [path.join(app, 'in.bin'), path.join(app, 'out.bin')], app);
    expect(fs.readFileSync(path.join(app, 'out.bin')).equals(reference(P, gold(P, 0)))).toBe(true);
  }, 600_000);

  it('with --arena caller runs two instances side by side on separate arenas, and says when an arena will not do', async () => {
    const A = 'ad_autoencoder_int8';
    const dir = path.join(work, 'ad');
    const text = await exportModel(`${A}.tflite`, dir, '--arena', 'caller', '--build', 'cmake');
    expect(text).toContain('arena from the caller');
    expect(fs.existsSync(path.join(dir, `${A}.mk`))).toBe(false);
    const U = A.toUpperCase();
    const app = path.join(work, 'caller');
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'main.c'),
      `#include <stdio.h>
#include "${A}.h"
static int8_t arena_a[${U}_ARENA_SIZE] __attribute__((aligned(${U}_ARENA_ALIGN)));
static int8_t arena_b[${U}_ARENA_SIZE + ${U}_ARENA_ALIGN] __attribute__((aligned(${U}_ARENA_ALIGN)));
static int8_t in[2][${U}_INPUT0_SIZE], out[3][${U}_OUTPUT0_SIZE];
static int load(const char *file, int8_t *to) {
  FILE *f = fopen(file, "rb");
  int ok = f && fread(to, 1, ${U}_INPUT0_SIZE, f) == ${U}_INPUT0_SIZE;
  if (f) fclose(f);
  return ok;
}
int main(int argc, char **argv) {
  ${A}_model a, b, never = {0};
  FILE *f;
  if (argc != 4 || !load(argv[1], in[0]) || !load(argv[2], in[1])) return 2;
  printf("small %d misaligned %d uninitialised %d\\n", ${A}_init(&a, arena_a, ${U}_ARENA_SIZE - 1), ${A}_init(&b, arena_b + 1, ${U}_ARENA_SIZE),
         ${A}_invoke(&never, in[0], out[0]));
  if (${A}_init(&a, arena_a, sizeof arena_a) != ${U}_INIT_OK || ${A}_init(&b, arena_b, sizeof arena_b) != ${U}_INIT_OK) return 3;
  /* Interleaved: b's run between a's two runs must not disturb a. */
  if (${A}_invoke(&a, in[0], out[0]) || ${A}_invoke(&b, in[1], out[1]) || ${A}_invoke(&a, in[0], out[2])) return 4;
  if (!(f = fopen(argv[3], "wb")) || fwrite(out, 1, sizeof out, f) != sizeof out) return 5;
  fclose(f);
  return 0;
}
`,
    );
    fs.writeFileSync(path.join(app, 'CMakeLists.txt'), `cmake_minimum_required(VERSION 3.13)\nproject(app C)\nadd_subdirectory(${dir} model)\nadd_executable(app main.c)\ntarget_compile_options(app PRIVATE -Wall -Wextra -Werror)\ntarget_link_libraries(app PRIVATE ${A})\n`);
    sh('cmake', ['-S', app, '-B', path.join(app, 'build')], app);
    sh('cmake', ['--build', path.join(app, 'build')], app);
    for (let k = 0; k < 2; k++) fs.writeFileSync(path.join(app, `in${k}.bin`), gold(A, k));
    const said = sh(path.join(app, 'build', 'app'), [path.join(app, 'in0.bin'), path.join(app, 'in1.bin'), path.join(app, 'out.bin')], app);
    expect(said).toContain('small 1 misaligned 2 uninitialised -1');
    const out = fs.readFileSync(path.join(app, 'out.bin'));
    const n = out.length / 3;
    const [ref0, ref1] = [reference(A, gold(A, 0)), reference(A, gold(A, 1))];
    expect(ref0.equals(ref1)).toBe(false);
    expect(out.subarray(0, n).equals(ref0)).toBe(true);
    expect(out.subarray(n, 2 * n).equals(ref1)).toBe(true);
    expect(out.subarray(2 * n).equals(ref0)).toBe(true);
  }, 900_000);
});
