import { GraphBuilder } from './builder';
import { foldTransposes } from './fold-transposes';
import { Graph } from './graph';
import { NCHW_TO_NHWC, NHWC_TO_NCHW } from './layout';
import { constantInts } from './tensor';
import { validateGraph } from './validate';

const perm = (b: GraphBuilder, name: string, p: readonly number[]): number => b.constant({ name, shape: [p.length], dtype: 'int32' }, Int32Array.from(p));
const transpose = (b: GraphBuilder, x: number, p: readonly number[], name: string): number => b.node('Transpose', {}, [x, perm(b, `${name}/perm`, p)], { name, dtype: 'float32' });
const summary = (g: Graph): string[] => g.nodes.map((n) => `${n.op}(${n.inputs.filter((t) => g.tensors[t].data === undefined).map((t) => g.tensors[t].name).join(',')})->${g.tensors[n.outputs[0]].name}`);

describe('foldTransposes', () => {
  it('removes a pair that cancels (keras2onnx NHWC → NCHW, then the importer NCHW → NHWC)', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4, 5, 3], dtype: 'float32' });
    const nchw = transpose(b, x, NHWC_TO_NCHW, 'nchw');
    const nhwc = transpose(b, nchw, NCHW_TO_NHWC, 'nhwc');
    const y = b.node('Relu', {}, [nhwc], { name: 'y', dtype: 'float32' });
    const g = foldTransposes(b.output(y).build());
    expect(validateGraph(g)).toEqual([]);
    expect(summary(g)).toEqual(['Relu(x)->y']);
  });

  it('composes a chain that does not cancel into one Transpose', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [2, 3, 4], dtype: 'float32' });
    const t1 = transpose(b, x, [1, 0, 2], 't1');
    const t2 = transpose(b, t1, [0, 2, 1], 't2');
    const g = foldTransposes(b.output(b.node('Relu', {}, [t2], { name: 'y', dtype: 'float32' })).build());
    expect(summary(g)).toEqual(['Transpose(x)->t2', 'Relu(t2)->y']);
    expect(constantInts(g.tensors[g.nodes[0].inputs[1]])).toEqual([1, 2, 0]);
    expect(g.tensors[g.nodes[0].outputs[0]].shape).toEqual([3, 4, 2]);
  });

  it('turns a transpose that moves no bytes (C = 1) into a Reshape', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 1, 6, 7], dtype: 'float32' });
    const nhwc = transpose(b, x, NCHW_TO_NHWC, 'nhwc');
    const g = foldTransposes(b.output(b.node('Relu', {}, [nhwc], { name: 'y', dtype: 'float32' })).build());
    expect(summary(g)).toEqual(['Reshape(x)->nhwc', 'Relu(nhwc)->y']);
    expect(g.tensors[g.nodes[0].outputs[0]].shape).toEqual([1, 6, 7, 1]);
  });

  it('keeps graph outputs: the producer of a cancelled pair writes the output itself', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4, 5, 3], dtype: 'float32' });
    const r = b.node('Relu', {}, [x], { name: 'r', dtype: 'float32' });
    const y = transpose(b, transpose(b, r, NHWC_TO_NCHW, 'nchw'), NCHW_TO_NHWC, 'y');
    const g = foldTransposes(b.output(y).build());
    expect(summary(g)).toEqual(['Relu(x)->y']);
    // a graph input straight to a graph output keeps a node (a Reshape copies nothing)
    const b2 = new GraphBuilder();
    const x2 = b2.input({ name: 'x', shape: [1, 4, 5, 3], dtype: 'float32' });
    const g2 = foldTransposes(b2.output(transpose(b2, transpose(b2, x2, NHWC_TO_NCHW, 'nchw'), NCHW_TO_NHWC, 'y')).build());
    expect(validateGraph(g2)).toEqual([]);
    expect(summary(g2)).toEqual(['Reshape(x)->y']);
  });
});
