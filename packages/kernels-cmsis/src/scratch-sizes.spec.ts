/**
 * The C `_get_buffer_size` functions are the one source of scratch sizes: for every kernel family, on seeded random
 * shapes (and every layer of the MLPerf Tiny models where ../shared has them), the C functions of each path —
 * unsuffixed (plain C on the host), `_dsp` and `_mve` — compiled with the host gcc, against the TypeScript sizes of
 * the same family's descriptor (computed from tfg_nn.h's constants) and against what the memory planner reserves.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { Graph, GraphBuilder } from '@tinyforge/ir';
import { readTflite } from '@tinyforge/model-format';
import { KERNEL_PATHS, KernelPath, ScratchFunction } from './families/family';
import { AnyKernelFamily, KERNEL_FAMILIES, KernelCall, familyForCall, familyForNode } from './families/registry';
import { compileWithKernels, hasCompiler } from './host-compiler';
import { kernelMemory } from './kernel-memory';
import { lowerNode } from './lower-node';
import { kernelHeaderName, kernelIncludeDir } from './sources';
import { PropertyCase, Rng, perTensor } from './testing/property-harness';
import { binaryCase, convCase, fullyConnectedCase, poolCase, softmaxCase } from './testing/property-cases';
import { concatCase, meanCase, padCase, quantizeCase, tableCase, transposeCase } from './testing/property-cases-extra';
import * as s16 from './testing/property-cases-s16';
import { groupedConvCase, transposeConvCase } from './testing/property-cases-conv-variants';

const available = hasCompiler('gcc');
if (!available) console.warn('kernels-cmsis scratch-size test skipped: needs gcc');
const d = available ? describe : describe.skip;

const SHAPES_PER_FAMILY = 120;

/** The families whose kernels ask for scratch (on some path); every other family's sizes are all 0. */
const FAMILIES_WITH_SCRATCH = ['conv', 'depthwise', 'fully-connected', 'conv-s16', 'lstm', 'gru', 'svdf', 'transpose-conv', 'conv-grouped', 'depthwise-one-channel'];

function reshapeCase(r: Rng, index: number): PropertyCase {
  const shape = Array.from({ length: r.int(1, 4) }, () => r.int(1, 9));
  const b = new GraphBuilder();
  const q = perTensor(r.logUniform(0.01, 0.2), r.int(-128, 127));
  const x = b.input({ name: 'x', shape, dtype: 'int8', quant: q });
  const op = r.pick(['Reshape', 'Identity'] as const);
  const y = b.node(op, {}, [x], { name: 'y', dtype: 'int8', quant: q, shape: op === 'Reshape' ? [shape.reduce((p, v) => p * v, 1)] : shape });
  return { label: `${op}#${index} [${shape}]`, graph: b.output(y).build(), inputs: [] };
}

/** The signal family's plain int32 arithmetic and its Signal ops (none takes scratch): one random node. */
function signalCase(r: Rng, index: number): PropertyCase {
  const n = r.int(1, 64);
  const b = new GraphBuilder();
  const kind = r.pick(['binary', 'cast', 'energy'] as const);
  if (kind === 'energy') {
    const x = b.input({ name: 'x', shape: [2 * n], dtype: 'int16' });
    const start = r.int(0, n - 1);
    const y = b.node('SignalEnergy', { startIndex: start, endIndex: r.int(start, n) }, [x], { name: 'y', dtype: 'uint32' });
    return { label: `SignalEnergy#${index} [${2 * n}]`, graph: b.output(y).build(), inputs: [] };
  }
  const x = b.input({ name: 'x', shape: [n], dtype: 'int32' });
  if (kind === 'cast') {
    const y = b.node('Cast', {}, [x], { name: 'y', dtype: r.pick(['int8', 'int16', 'uint32'] as const) });
    return { label: `Cast#${index} [${n}]`, graph: b.output(y).build(), inputs: [] };
  }
  const op = r.pick(['Add', 'Sub', 'Mul', 'Div', 'Minimum', 'Maximum'] as const);
  const k = b.constant({ name: 'k', shape: [], dtype: 'int32' }, Int32Array.from([r.int(1, 100)]));
  const y = b.node(op, {}, [x, k], { name: 'y', dtype: 'int32' });
  return { label: `${op}#${index} [${n}]`, graph: b.output(y).build(), inputs: [] };
}

/** A seeded random one-node graph per family, drawn as the property tests draw them. */
const CASES: Record<string, (r: Rng, index: number) => PropertyCase> = {
  conv: (r, i) => convCase(r, r.pick(['conv', 'conv', 'conv1x1', 'conv1xN'] as const), i),
  depthwise: (r, i) => convCase(r, 'depthwise', i),
  'depthwise-one-channel': (r, i) => convCase(r, 'depthwise1', i),
  'fully-connected': fullyConnectedCase,
  pool: poolCase,
  add: (r, i) => binaryCase(r, 'Add', i),
  mul: (r, i) => binaryCase(r, 'Mul', i),
  softmax: softmaxCase,
  lut: tableCase,
  quantize: quantizeCase,
  pad: padCase,
  transpose: transposeCase,
  concatenation: concatCase,
  mean: meanCase,
  reshape: reshapeCase,
  'conv-s16': (r, i) => s16.conv16Case(r, 'conv', i),
  'depthwise-s16': (r, i) => s16.conv16Case(r, 'depthwise', i),
  'fully-connected-s16': s16.fullyConnected16Case,
  'elementwise-s16': (r, i) => s16.binary16Case(r, r.pick(['Add', 'Sub', 'Mul'] as const), i),
  'activation-s16': s16.activation16Case,
  'softmax-s16': s16.softmax16Case,
  'pool-s16': s16.pool16Case,
  'mean-s16': s16.mean16Case,
  requantize: s16.requantizeCase,
  'layout-any': s16.layoutAnyCase,
  'gather-any': s16.gatherAnyCase,
  signal: signalCase,
  float32: s16.float32Case,
  lstm: (r, i) => s16.lstmCase(r, r.pick(['int8', 'int16', 'float32'] as const), i),
  gru: (r, i) => s16.gruCase(r, r.pick(['int8', 'float32'] as const), i),
  svdf: (r, i) => s16.svdfCase(r, r.pick(['int16', 'int8', 'float32'] as const), i),
  'transpose-conv': (r, i) => transposeConvCase(r, 'int8', i),
  'conv-grouped': groupedConvCase,
  'transpose-conv-s16': (r, i) => transposeConvCase(r, 'int16', i),
};

interface Shape {
  label: string;
  graph: Graph;
  node: number;
  call: KernelCall;
}

const sharedModels = path.resolve(__dirname, '../../../../shared/models');

/** Every layer of the MLPerf Tiny models: the shapes deployed models have. */
function modelShapes(): Shape[] {
  if (!fs.existsSync(sharedModels)) {
    console.warn(`scratch-size test: ${sharedModels} not found, random shapes only`);
    return [];
  }
  return fs
    .readdirSync(sharedModels)
    .filter((f) => f.endsWith('_int8.tflite'))
    .flatMap((f) => {
      const graph = readTflite(fs.readFileSync(path.join(sharedModels, f)));
      return graph.nodes.map((n, i) => ({ label: `${f} ${n.name}`, graph, node: i, call: lowerNode(graph, n) }));
    });
}

const header = fs.readFileSync(path.join(kernelIncludeDir, kernelHeaderName), 'utf8');
const declares = (fn: string): boolean => new RegExp(`\\bint32_t\\s+${fn}\\s*\\(`).test(header);
const suffix = (path: KernelPath): string => (path === 'plain' ? '' : `_${path}`);

/** One size query: a function of a family on one shape; `c` holds its C results per path once the program ran. */
interface Query {
  shape: Shape;
  fn: ScratchFunction<unknown>;
  c?: Record<KernelPath, number>;
}

d('scratch sizes: the C _get_buffer_size functions and the TypeScript side agree', () => {
  const byFamily = new Map<string, Shape[]>();
  const queries: Query[] = [];
  const counts: string[] = [];

  beforeAll(() => {
    const shapes = [...modelShapes()];
    KERNEL_FAMILIES.forEach((family, k) => {
      const r = new Rng(0x5c7a + k);
      for (let i = 0; i < SHAPES_PER_FAMILY; i++) {
        const c = CASES[family.name](r, i);
        shapes.push({ label: c.label, graph: c.graph, node: 0, call: lowerNode(c.graph, c.graph.nodes[0]) });
      }
    });
    for (const shape of shapes) {
      // Grouped by the family that lowers the node (the planner's), sized by the family of the call's kernel (a
      // family may lower a node as another's call: depthwise-one-channel's are the convolution family's).
      const lowering = familyForNode(shape.graph, shape.graph.nodes[shape.node])!;
      byFamily.set(lowering.name, [...(byFamily.get(lowering.name) ?? []), shape]);
      for (const fn of new Set(Object.values(familyForCall(shape.call).scratch ?? {}))) queries.push({ shape, fn: fn as ScratchFunction<unknown> });
    }
    // One program prints every query's sizes: the unsuffixed function (the host's plain C), then _dsp and _mve.
    const lines = queries.map((q) => {
      const args = q.fn.literalArgs(q.shape.call);
      const calls = (q.fn.byPath ? KERNEL_PATHS : (['plain'] as const)).map((p) => `(long)${q.fn.name}${suffix(p)}(${args})`);
      return `  printf("${calls.map(() => '%ld').join(' ')}\\n", ${calls.join(', ')});`;
    });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-scratch-'));
    try {
      const source = path.join(work, 'sizes.c');
      fs.writeFileSync(source, ['#include <stdio.h>', '#include "tfg_nn.h"', 'int main(void) {', ...lines, '  return 0;', '}', ''].join('\n'));
      const program = path.join(work, 'sizes');
      compileWithKernels([source], program);
      const run = spawnSync(program, [], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (run.status !== 0) throw new Error(`size program exited ${run.status}: ${run.stderr}`);
      run.stdout.trim().split('\n').forEach((line, i) => {
        const v = line.split(' ').map(Number);
        queries[i].c = { plain: v[0], dsp: v[1] ?? v[0], mve: v[2] ?? v[0] };
      });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);

  afterAll(() => console.log(`scratch sizes, C vs TypeScript (shapes x size functions x paths):\n  ${counts.join('\n  ')}`));

  it('has a shape generator for every kernel family', () => {
    expect(Object.keys(CASES).sort()).toEqual(KERNEL_FAMILIES.map((f) => f.name).sort());
  });

  test.each(KERNEL_FAMILIES.map((f) => ({ name: f.name, family: f })))('$name: every path, every shape', ({ name, family }: { name: string; family: AnyKernelFamily }) => {
    const shapes = byFamily.get(name) ?? [];
    expect(shapes.length).toBeGreaterThanOrEqual(SHAPES_PER_FAMILY);
    const functions = [...new Set(Object.values(family.scratch ?? {}))] as ScratchFunction<unknown>[];
    // The header declares _dsp and _mve variants exactly where the descriptor says the size depends on the path.
    for (const fn of functions) {
      expect(declares(fn.name)).toBe(true);
      expect([declares(`${fn.name}_dsp`), declares(`${fn.name}_mve`)]).toEqual([fn.byPath, fn.byPath]);
    }
    // A kernel without a size function in the descriptor has none in the header either: it takes no scratch.
    for (const kernel of Object.keys(family.kernels)) {
      if ((family.scratch as Record<string, unknown> | undefined)?.[kernel] === undefined) expect(declares(`${kernel}_get_buffer_size`)).toBe(false);
    }
    const wrong: string[] = [];
    let compared = 0;
    let withScratch = 0;
    for (const shape of shapes) {
      const mine = queries.filter((q) => q.shape === shape);
      for (const q of mine) {
        for (const p of KERNEL_PATHS) {
          const ts = q.fn.bytes(q.shape.call, p);
          compared++;
          if (ts !== q.c![p]) wrong.push(`${shape.label}: ${q.fn.name} ${p}: C ${q.c![p]}, TypeScript ${ts}`);
        }
      }
      // The planner reserves the most any of the family's kernels asks for on any path, from the graph alone.
      const most = Math.max(0, ...mine.flatMap((q) => KERNEL_PATHS.map((p) => q.c![p])));
      if (most > 0) withScratch++;
      const planned = kernelMemory(shape.graph, shape.graph.nodes[shape.node]).scratchBytes;
      if (planned !== most) wrong.push(`${shape.label}: the planner reserves ${planned}, the C asks for up to ${most}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    counts.push(
      functions.length === 0
        ? `${name.padEnd(16)} ${shapes.length} shapes: no _get_buffer_size in tfg_nn.h or the descriptor; the planner reserves 0`
        : `${name.padEnd(16)} ${shapes.length} shapes x ${functions.length} functions x ${KERNEL_PATHS.length} paths = ${compared} sizes compared (${withScratch} shapes with scratch)`,
    );
    // Where the kernels take scratch, most shapes exercise it: the comparison is not one of zeros.
    if (FAMILIES_WITH_SCRATCH.includes(name)) expect(withScratch).toBeGreaterThan(shapes.length / 2);
    else expect(withScratch).toBe(0);
  });
});
