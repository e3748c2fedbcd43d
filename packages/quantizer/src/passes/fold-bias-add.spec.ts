import { GraphBuilder, validateGraph } from '@tinyforge/ir';
import { maxAbsDiff, randomFloats, runFloat, seeded } from '../test-support/float-graphs';
import { foldBiasAdd } from './fold-bias-add';

describe('fold-bias-add', () => {
  /** A dense layer as keras2onnx exports it: MatMul (a FullyConnected without bias), then Add of a [out] constant. */
  function dense(addShape: number[], extraReader: boolean) {
    const b = new GraphBuilder();
    const r = seeded(5);
    const x = b.input({ name: 'x', shape: [1, 6], dtype: 'float32' });
    const w = b.constant({ name: 'w', shape: [4, 6], dtype: 'float32' }, randomFloats(24, r, -1, 1));
    const fc = b.node('FullyConnected', {}, [x, w], { name: 'fc', dtype: 'float32' });
    const c = b.constant({ name: 'c', shape: addShape, dtype: 'float32' }, randomFloats(addShape.reduce((p, d) => p * d, 1), r, -1, 1));
    const y = b.node('Add', {}, [c, fc], { name: 'y', dtype: 'float32' });
    if (extraReader) b.output(fc);
    return b.output(y).build();
  }

  it('folds a per-channel constant Add into the layer bias, same outputs', () => {
    for (const shape of [[4], [1, 4]]) {
      const g = dense(shape, false);
      const folded = foldBiasAdd(g);
      expect(validateGraph(folded)).toEqual([]);
      expect(folded.nodes.map((n) => n.op)).toEqual(['FullyConnected']);
      expect(folded.tensors[folded.outputs[0]].name).toBe('y');
      const xs = [randomFloats(6, seeded(9), -2, 2)];
      expect(maxAbsDiff(runFloat(g, xs)[0], runFloat(folded, xs)[0])).toBeLessThan(1e-6);
    }
  });

  it('leaves the Add when the layer output has another reader or the constant is not one value per channel', () => {
    expect(foldBiasAdd(dense([4], true)).nodes.map((n) => n.op)).toEqual(['FullyConnected', 'Add']);
    expect(foldBiasAdd(dense([1, 1], false)).nodes.map((n) => n.op)).toEqual(['FullyConnected', 'Add']);
  });
});
