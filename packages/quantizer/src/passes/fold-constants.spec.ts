import { GraphBuilder } from '@tinyforge/ir';
import { runFloat } from '../test-support/float-graphs';
import { foldConstants } from './fold-constants';

describe('fold-constants', () => {
  it('fold-constants evaluates constant subgraphs (a transposed weight) into constants', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 3], dtype: 'float32' });
    const wT = b.constant({ name: 'wT', shape: [3, 2], dtype: 'float32' }, Float32Array.of(1, 2, 3, 4, 5, 6));
    const perm = b.constant({ name: 'perm', shape: [2], dtype: 'int32' }, Int32Array.of(1, 0));
    const w = b.node('Transpose', {}, [wT, perm], { name: 'w', dtype: 'float32' });
    const y = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [x, w], { name: 'y', dtype: 'float32' });
    const g = b.output(y).build();
    const folded = foldConstants(g);
    expect(folded.nodes.map((n) => n.op)).toEqual(['FullyConnected']);
    const wTensor = folded.tensors[folded.nodes[0].inputs[1]];
    expect(Array.from(new Float32Array(wTensor.data!.slice().buffer))).toEqual([1, 3, 5, 2, 4, 6]);
    expect(Array.from(runFloat(folded, [Float32Array.of(1, 1, 1)])[0])).toEqual([9, 12]);
  });
});
