import { GraphBuilder, isWeighted, NodeOf } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { quantizeInput } from '../report/measure';
import { quantizeModel } from '../quantize/quantize-model';
import { randomFloats, seeded, smallCnn } from '../test-support/float-graphs';
import { explainAveragePool } from './average-pool-rounding';
import { explainLayer, mismatchCause } from './rounding-analysis';

// TFLite multiplier 1518500250 · 2^(−3−31) ≈ 0.0884 (right shift 3): acc 5 → v = 0.4419, inside [0.4375, 0.5), where
// the high multiply rounds to 0.5 and the shift then rounds up to 1; rounded once, v is 0.
const M = 1518500250;
const SHIFT = -3;

describe('mismatchCause', () => {
  it('names TFLite double rounding when ours is moved and theirs is the exact value rounded once', () => {
    expect(mismatchCause(5, M, SHIFT, 0, 1, 0)).toBe('tflite-double-rounding');
    expect(mismatchCause(-5, M, SHIFT, 0, -1, 0)).toBe('tflite-double-rounding');
  });

  it('names ties (multiplier 2^−2: acc 10 is exactly 2.5, away → 3, even → 2)', () => {
    expect(mismatchCause(10, 1 << 30, -1, 0, 3, 2)).toBe('tie-away-vs-even');
    expect(mismatchCause(10, 1 << 30, -1, -128, -125, -126)).toBe('tie-away-vs-even');
  });

  it('blames the other runtime when ours is the exact value rounded once, and gives up when neither is', () => {
    expect(mismatchCause(4, 1 << 30, -1, 0, 1, 2)).toBe('other-runtime-rounding');
    expect(mismatchCause(4, 1 << 30, -1, 0, 3, 2)).toBe('unexplained');
  });
});

describe('explainLayer / explainAveragePool on our own int8 graph', () => {
  const g = smallCnn();
  const r = seeded(3);
  const { int8Graph } = quantizeModel(g, Array.from({ length: 8 }, () => [randomFloats(8 * 8 * 3, r)]), { io: 'int8', head: 'int8' /* the QDQ export and TFLite's int8 rounding: an int8 head */ });
  const x = quantizeInput(randomFloats(8 * 8 * 3, seeded(4)), int8Graph.tensors[int8Graph.inputs[0]].quant!);
  const tensors = new Interpreter(int8Graph).run([new Uint8Array(x.buffer)], { keepIntermediates: true }).tensors!;
  const outputOf = (t: number): Int8Array => Int8Array.from(new Int8Array(tensors.get(t)!.buffer, tensors.get(t)!.byteOffset, tensors.get(t)!.byteLength));

  it('recomputes every conv, depthwise (multiplier 2, same padding) and FC output from its accumulators', () => {
    const weighted = int8Graph.nodes.filter(isWeighted);
    expect(weighted.map((n) => n.op)).toEqual(['Conv2D', 'DepthwiseConv2D', 'FullyConnected']);
    for (const node of weighted) {
      const report = explainLayer(int8Graph, node, tensors, outputOf(node.outputs[0]));
      expect(report.notReproduced).toBe(0);
      expect(report.causes.size).toBe(0);
    }
  });

  it('explains one changed element of a layer and nothing else', () => {
    const node = int8Graph.nodes.find((n) => n.op === 'DepthwiseConv2D')!;
    const theirs = outputOf(node.outputs[0]);
    const i = theirs.findIndex((v) => v > -100 && v < 100);
    theirs[i] += 1;
    const report = explainLayer(int8Graph, node as NodeOf<'DepthwiseConv2D'>, tensors, theirs);
    expect([...report.causes.values()]).toEqual([1]);
    expect(report.causes.has('tflite-double-rounding')).toBe(false); // ours is right for a single-rounding runtime
  });

  it('calls an average-pool difference a tie only when the window sum is an exact half', () => {
    const b = new GraphBuilder('pool');
    const input = b.input({ name: 'x', shape: [1, 2, 4, 1], dtype: 'int8', quant: { scale: [0.1], zeroPoint: [0], axis: 0 } });
    const out = b.node('AveragePool2D', { filterH: 2, filterW: 2, strideH: 2, strideW: 2, padding: 'valid', activation: 'none' }, [input], { name: 'p', dtype: 'int8', quant: { scale: [0.1], zeroPoint: [0], axis: 0 } });
    const pool = b.output(out).build();
    // windows [1, 2, 3, 4] (sum 10, mean 2.5: TFLite 3) and [1, 1, 1, 1] (mean 1)
    const data = Int8Array.of(1, 2, 1, 1, 3, 4, 1, 1);
    const run = new Interpreter(pool).run([new Uint8Array(data.buffer)], { keepIntermediates: true }).tensors!;
    expect(Array.from(new Int8Array(run.get(pool.outputs[0])!.buffer))).toEqual([3, 1]);
    const causes = explainAveragePool(pool, pool.nodes[0] as NodeOf<'AveragePool2D'>, run, Int8Array.of(2, 2));
    expect(Object.fromEntries(causes)).toEqual({ 'tie-away-vs-even': 1, unexplained: 1 });
  });
});
