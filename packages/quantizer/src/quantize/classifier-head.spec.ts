import { bytesOf, elementCount, Graph, GraphBuilder, pruneTensors, viewAs } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { readTflite, writeTflite } from '@tinyforge/model-format';
import { smallestTopGap } from '../calibration/calibrate';
import { quantizeInput } from '../report/measure';
import { randomFloats, seeded } from '../test-support/float-graphs';
import { classifierHeads } from './classifier-head';
import { quantizeModel, QuantizeOptions } from './quantize-model';

/**
 * input [1,16] → FC 16→4 → FC 4→10 → Softmax. Classes 0 and 1 have nearly the same weights, so their logits are
 * always within a few hundredths of each other while the logits span tens: int8 logits (steps of ~0.2) cannot rank
 * the two, 16-bit ones can. `confident`: class 0 always wins by far.
 */
function closeClassesModel(confident = false): Graph {
  const r = seeded(7);
  const b = new GraphBuilder('close_classes');
  const f = (name: string, shape: number[], values: Float32Array): number => b.constant({ name, shape, dtype: 'float32' }, values);
  const x = b.input({ name: 'input', shape: [1, 16], dtype: 'float32' });
  const w2 = randomFloats(40, r, -4, 4);
  for (let i = 0; i < 4; i++) w2[4 + i] = w2[i] + r(-0.05, 0.05);
  // confident: class 0 wins every time by about 10
  if (confident) w2.forEach((v, i) => (w2[i] = v / 20));
  const fc = { activation: 'none' as const, keepNumDims: false };
  const h = b.node('FullyConnected', fc, [x, f('w1', [4, 16], randomFloats(64, r, -1, 1)), f('b1', [4], randomFloats(4, r, -0.5, 0.5))], { name: 'hidden', dtype: 'float32' });
  const l = b.node('FullyConnected', fc, [h, f('w2', [10, 4], w2), f('b2', [10], Float32Array.from({ length: 10 }, (_, i) => (confident && i === 0 ? 10 : 0)))], { name: 'logits', dtype: 'float32' });
  const p = b.node('Softmax', { beta: 1 }, [l], { name: 'probs', dtype: 'float32' });
  return b.output(p).build();
}

const argmax = (v: ArrayLike<number>): number => Array.from(v).reduce((best, x, i, a) => (x > a[best] ? i : best), 0);

describe('the classifier head', () => {
  const graph = closeClassesModel();
  const rand = seeded(11);
  const samples = Array.from({ length: 200 }, () => [randomFloats(16, rand, -1, 1)]);
  const tests = Array.from({ length: 300 }, () => randomFloats(16, rand, -1, 1));
  const floatRun = new Interpreter(graph);
  const floatTop1 = tests.map((x) => argmax(viewAs(floatRun.run([bytesOf(x)]).outputs[0], 'float32')));

  /** Int8 top-1 = float top-1 on the test inputs, after a TFLite round trip; and how many int8 outputs tie. */
  function agreement(options: QuantizeOptions): { agree: number; ties: number; g: Graph; notes: string[]; warnings: string[] } {
    const q = quantizeModel(graph, samples, options);
    const g = readTflite(writeTflite(pruneTensors(q.int8Graph)));
    const run = new Interpreter(g);
    const inQ = g.tensors[g.inputs[0]].quant!;
    let agree = 0;
    let ties = 0;
    tests.forEach((x, k) => {
      const y = viewAs(run.run([bytesOf(quantizeInput(x, inQ))]).outputs[0], 'int8');
      if (argmax(y) === floatTop1[k]) agree++;
      if (y.filter((v) => v === Math.max(...y)).length > 1) ties++;
    });
    return { agree, ties, g, notes: q.notes, warnings: q.warnings };
  }

  it('is the chain of fully connected layers computing the logits of a Softmax output', () => {
    expect(classifierHeads(graph)).toEqual([{ nodes: [0, 1, 2], logits: graph.nodes[1].outputs[0] }]);
    // A Softmax that is not a graph output, or one not fed by a fully connected layer, has none.
    const inner = { ...graph, outputs: [graph.nodes[1].outputs[0]] };
    expect(classifierHeads(inner)).toEqual([]);
  });

  it('auto: 16 bits when int8 logits cannot rank the two best classes, the output still int8 (1/256)', () => {
    const int8 = agreement({ head: 'int8' });
    const auto = agreement({});
    console.log(`close classes, 300 inputs: int8 head ${int8.agree} agree (${int8.ties} ties); 16x8 head ${auto.agree} (${auto.ties} ties)`);
    expect(int8.warnings.join('\n')).toMatch(/classifier head 'hidden', 'logits', 'probs': its int8 logits .* within one step on \d+\.\d % .*--head int16/);
    expect(int8.g.tensors.filter((t) => t.dtype === 'int16')).toEqual([]);
    expect(auto.notes.join('\n')).toMatch(/classifier head 'hidden', 'logits', 'probs' quantized 16x8/);
    const out = auto.g.tensors[auto.g.outputs[0]];
    expect(out.dtype).toBe('int8');
    expect(out.quant).toMatchObject({ scale: [1 / 256], zeroPoint: [-128] });
    // Quantize int8 → int16 before the head, 16x8 fully connected layers (per-channel weights, int64 biases), int16
    // Softmax, Quantize int16 → int8 into the output.
    expect(auto.g.nodes.map((n) => `${n.op}:${auto.g.tensors[n.inputs[0]].dtype}→${auto.g.tensors[n.outputs[0]].dtype}`)).toEqual([
      'Quantize:int8→int16',
      'FullyConnected:int16→int16',
      'FullyConnected:int16→int16',
      'Softmax:int16→int16',
      'Quantize:int16→int8',
    ]);
    for (const fc of auto.g.nodes.filter((n) => n.op === 'FullyConnected')) {
      expect(auto.g.tensors[fc.inputs[2]].dtype).toBe('int64');
      expect(auto.g.tensors[fc.inputs[1]].quant!.scale).toHaveLength(elementCount([auto.g.tensors[fc.inputs[1]].shape[0]]));
    }
    // (seeded: int8 head 252 of 300 with 67 ties; 16x8 head 286 with 6, the input's own int8 rounding the rest)
    expect(auto.agree).toBeGreaterThanOrEqual(int8.agree + 25);
    expect(auto.agree).toBeGreaterThanOrEqual(0.95 * tests.length);
    expect(auto.ties).toBeLessThanOrEqual(int8.ties / 4);
  });

  it('auto keeps a head whose classes are far apart int8, and int16 activations need no head', () => {
    const apart = quantizeModel(closeClassesModel(true), samples, {});
    expect(apart.int8Graph.tensors.filter((t) => t.dtype === 'int16')).toEqual([]);
    const wide = quantizeModel(graph, samples, { activations: 'int16' });
    expect(wide.int8Graph.nodes.map((n) => n.op)).toEqual(['FullyConnected', 'FullyConnected', 'Softmax']);
    expect(wide.notes).toEqual([]);
  });

  it('smallestTopGap: the closest top two of any row', () => {
    expect(smallestTopGap(Float32Array.of(1, 5, 3, 2, 2, 0), 3)).toBe(0);
    expect(smallestTopGap(Float32Array.of(1, 5, 3, 9, 2, 0), 3)).toBe(2);
    expect(smallestTopGap(Float32Array.of(4), 1)).toBe(Infinity);
  });
});
