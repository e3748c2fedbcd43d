import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Graph, GraphBuilder, Quantization, SVDF_INPUT, StateKind, seededUniform } from '@tinyforge/ir';
import { concatBytes, Interpreter } from '@tinyforge/interpreter';
import { generateC } from '../generate';
import { checkPlan } from '../memory/checker';
import { nodeMemory } from '../lower/node-memory';

// Op state in generated code: a static region outside the arena, persistent state carrying across invokes until
// <prefix>_reset_state(), per-run state reset at every invoke; plan.json, report.html and the checker know it.
const haveGcc = spawnSync('gcc', ['--version']).status === 0;
if (!haveGcc) console.warn('codegen-c state test: gcc not found — skipping');
const d = haveGcc ? describe : describe.skip;

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], axis: 0 });

/** Two SVDF layers (int16 state, int8 state with a zero point) and a fully connected one. */
function svdfModel(state: StateKind): Graph {
  const rnd = seededUniform(19);
  const i8 = (n: number): Int8Array => Int8Array.from({ length: n }, () => Math.floor(rnd() * 256) - 128);
  const b = new GraphBuilder('svdf-net');
  const x = b.input({ name: 'x', shape: [1, 12], dtype: 'int8', quant: q(0.05, 3) });
  const layer = (input: number, k: number, stateType: 'int16' | 'int8'): number => {
    const [filters, memory] = [6, 5];
    const wf = b.constant({ name: `wf${k}`, shape: [filters, 12], dtype: 'int8', quant: q(0.01, 0) }, i8(filters * 12));
    const wt =
      stateType === 'int16'
        ? b.constant({ name: `wt${k}`, shape: [filters, memory], dtype: 'int16', quant: q(1e-4, 0) }, Int16Array.from({ length: filters * memory }, () => Math.floor(rnd() * 65536) - 32768))
        : b.constant({ name: `wt${k}`, shape: [filters, memory], dtype: 'int8', quant: q(0.01, 0) }, i8(filters * memory));
    const bias = b.constant({ name: `b${k}`, shape: [3], dtype: 'int32' }, Int32Array.of(100, -200, 300));
    const st = b.state({ name: `state${k}`, shape: [1, filters * memory], dtype: stateType, quant: stateType === 'int16' ? q(1e-3, 0) : q(0.1, -7) }, state);
    const inputs = new Array<number>(5);
    inputs[SVDF_INPUT.input] = input;
    inputs[SVDF_INPUT.weightsFeature] = wf;
    inputs[SVDF_INPUT.weightsTime] = wt;
    inputs[SVDF_INPUT.bias] = bias;
    inputs[SVDF_INPUT.activationState] = st;
    return b.node('Svdf', { rank: 2, activation: 'none' }, inputs, { name: `svdf${k}`, dtype: 'int8', quant: q(0.02, -1) });
  };
  const y0 = layer(x, 0, 'int16');
  const y1 = layer(x, 1, 'int8');
  const w = b.constant({ name: 'w', shape: [4, 3], dtype: 'int8', quant: q(0.02, 0) }, i8(12));
  const sum = b.node('Add', { activation: 'none' }, [y0, y1], { name: 'sum', dtype: 'int8', quant: q(0.03, 0) });
  const y = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [sum, w, -1], { name: 'fc', dtype: 'int8', quant: q(0.01, 2) });
  return b.output(y).build();
}

/** A host program: invoke on each input file in turn, `reset` between two arguments resets the state. */
function buildSequenceProgram(g: Graph, dir: string): string {
  const generated = generateC(g, { prefix: 'net' });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(generated.files)) fs.writeFileSync(path.join(dir, name), text);
  const main = `#include <stdio.h>
#include <string.h>
#include "net.h"
int main(int argc, char **argv) {
  static int8_t in[NET_INPUT0_SIZE], out[NET_OUTPUT0_SIZE];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "reset") == 0) { net_reset_state(); continue; }
    FILE *f = fopen(argv[i], "rb");
    if (f == 0 || fread(in, 1, sizeof in, f) != sizeof in) return 2;
    fclose(f);
    if (net_invoke(in, out) != 0) return 3;
    fwrite(out, 1, sizeof out, stdout);
  }
  return 0;
}
`;
  fs.writeFileSync(path.join(dir, 'main.c'), main);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { kernelIncludeDir, kernelSources } = require('@tinyforge/kernels-cmsis') as typeof import('@tinyforge/kernels-cmsis');
  const program = path.join(dir, 'net');
  const flags = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-Wconversion', '-O1'];
  const r = spawnSync('gcc', [...flags, `-I${kernelIncludeDir}`, `-I${dir}`, path.join(dir, 'main.c'), path.join(dir, 'net.c'), path.join(dir, 'net_weights.c'), ...kernelSources(), '-o', program, '-lm'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return program;
}

d('op state in generated code (host gcc)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-state-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const rnd = seededUniform(4);
  const inputs = Array.from({ length: 4 }, () => new Uint8Array(12).map(() => Math.floor(rnd() * 256)));

  test.each(['persistent', 'per-run'] as StateKind[])('%s state: invokes and reset_state give the interpreter’s outputs', (kind) => {
    const g = svdfModel(kind);
    const dir = path.join(work, kind);
    const program = buildSequenceProgram(g, dir);
    const files = inputs.map((b, i) => {
      const f = path.join(dir, `in${i}.bin`);
      fs.writeFileSync(f, b);
      return f;
    });
    // invoke x4, reset, invoke x2: the interpreter the same way.
    const args = [...files, 'reset', files[0], files[1]];
    const run = spawnSync(program, args);
    expect(run.status).toBe(0);
    const interpreter = new Interpreter(g);
    const expected: Uint8Array[] = [];
    for (const a of args) {
      if (a === 'reset') interpreter.resetState();
      else expected.push(interpreter.run([inputs[files.indexOf(a)]]).outputs[0]);
    }
    expect(Array.from(run.stdout)).toEqual(Array.from(concatBytes(expected)));
    // Persistent state changes the output of the same input on a later call; per-run state never does.
    const first = expected[0].join(',');
    const again = expected[4].join(',');
    expect(first).toBe(again);
    const outputsOfInput0 = [expected[0], expected[4]].map((o) => o.join(','));
    expect(new Set(outputsOfInput0).size).toBe(1);
    if (kind === 'persistent') expect(expected[1].join(',')).not.toBe(new Interpreter(g).run([inputs[1]]).outputs[0].join(','));
    else expect(expected[1].join(',')).toBe(new Interpreter(g).run([inputs[1]]).outputs[0].join(','));
  }, 120_000);

  it('places state outside the arena and reports it', () => {
    const g = svdfModel('persistent');
    const generated = generateC(g, { prefix: 'net' });
    const plan = generated.plan;
    expect(plan.state.buffers.map((b) => [b.name, b.kind, b.size, b.resetByte])).toEqual([
      ['state0', 'persistent', 60, 0],
      ['state1', 'persistent', 30, 0xf9],
    ]);
    expect(plan.buffers.some((b) => b.tensor !== undefined && g.tensors[b.tensor].state !== undefined)).toBe(false);
    const json = JSON.parse(generated.files['plan.json']);
    expect(json.stateBytes).toBe(plan.state.size);
    expect(json.state).toEqual([
      { name: 'state0', tensor: expect.any(Number), kind: 'persistent', region: 'state', offset: 0, size: 60, resetByte: 0 },
      { name: 'state1', tensor: expect.any(Number), kind: 'persistent', region: 'state', offset: 64, size: 30, resetByte: 249 },
    ]);
    expect(generated.files['report.html']).toContain('Op state: 96 bytes, a static region outside the arena');
    const source = generated.files['net.c'];
    expect(source).toContain('static int8_t net_state[NET_STATE_SIZE]');
    expect(source).toContain('void net_reset_state(void)');
    expect(generated.files['net.h']).toContain('#define NET_STATE_SIZE 96');
    expect(checkPlan(g, plan, (n) => nodeMemory(g, g.nodes[n]).scratchBytes)).toEqual([]);
  });

  it('the checker finds a broken state region', () => {
    const g = svdfModel('persistent');
    const plan = generateC(g, { prefix: 'net' }).plan;
    const scratch = (n: number): number => nodeMemory(g, g.nodes[n]).scratchBytes;
    const overlapping = { ...plan, state: { ...plan.state, buffers: plan.state.buffers.map((b) => ({ ...b, offset: 0 })) } };
    expect(checkPlan(g, overlapping, scratch)).toEqual([`state slots 'state0' and 'state1' overlap`]);
    const missing = { ...plan, state: { ...plan.state, buffers: plan.state.buffers.slice(1) } };
    expect(checkPlan(g, missing, scratch)).toEqual([`state tensor 'state0' has 0 slots in the state region, expected 1`]);
    const outside = { ...plan, state: { size: 64, buffers: plan.state.buffers } };
    expect(checkPlan(g, outside, scratch)).toEqual([`state slot 'state1' [64, 94) does not fit the 64-byte state region`]);
    const stateTensor = plan.state.buffers[0].tensor;
    const inArena = { ...plan, buffers: [...plan.buffers, { ...plan.buffers[0], name: 'state0', tensor: stateTensor }] };
    expect(checkPlan(g, inArena, scratch)).toContain(`state tensor 'state0' is placed in the reused arena`);
  });
});
