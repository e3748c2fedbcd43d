import { GraphBuilder, validateGraph } from '@tinyforge/ir';
import { runFloat } from '../test-support/float-graphs';
import { removeIdentity } from './remove-identity';

describe('remove-identity', () => {
  it('remove-identity drops Identity nodes, and a final one hands its name to its input', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'float32' });
    const i1 = b.node('Identity', {}, [x], { name: 'dropout', dtype: 'float32' });
    const s = b.node('Add', { activation: 'none' }, [i1, i1], { name: 'sum', dtype: 'float32' });
    const out = b.node('Identity', {}, [s], { name: 'output', dtype: 'float32' });
    const g = b.output(out).build();
    const cleaned = removeIdentity(g);
    expect(validateGraph(cleaned)).toEqual([]);
    expect(cleaned.nodes.map((n) => n.op)).toEqual(['Add']);
    expect(cleaned.tensors[cleaned.outputs[0]].name).toBe('output');
    const xs = [Float32Array.of(1, -2, 3, 4)];
    expect(Array.from(runFloat(cleaned, xs)[0])).toEqual([2, -4, 6, 8]);
  });
});
