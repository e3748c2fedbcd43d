import { GraphBuilder } from './builder';
import { cloneGraph } from './graph';
import { graphStats, nodeStats } from './stats';
import { assertValidGraph, validateGraph } from './validate';

function smallInt8Model() {
  const b = new GraphBuilder('tiny');
  const q = (s: number, z: number) => ({ scale: [s], zeroPoint: [z], axis: 0 });
  const x = b.input({ name: 'x', shape: [1, 8, 8, 3], dtype: 'int8', quant: q(0.5, -1) });
  const w = b.constant(
    { name: 'w', shape: [4, 3, 3, 3], dtype: 'int8', quant: { scale: [0.1, 0.2, 0.3, 0.4], zeroPoint: [0, 0, 0, 0], axis: 0 } },
    new Int8Array(4 * 27).fill(1),
  );
  const bias = b.constant({ name: 'b', shape: [4], dtype: 'int32' }, new Int32Array(4));
  const c = b.node('Conv2D', { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same', activation: 'relu' }, [x, w, bias], {
    name: 'conv',
    dtype: 'int8',
    quant: q(0.25, -128),
  });
  const s = b.constant({ name: 'shape', shape: [2], dtype: 'int32' }, new Int32Array([1, -1]));
  const r = b.node('Reshape', {}, [c, s], { name: 'flat', dtype: 'int8', quant: q(0.25, -128) });
  b.output(r);
  return b.build();
}

describe('validateGraph', () => {
  it('accepts a consistent graph', () => {
    expect(validateGraph(smallInt8Model())).toEqual([]);
  });

  it('reports wrong declared shapes, naming the node', () => {
    const g = smallInt8Model();
    g.tensors[g.nodes[0].outputs[0]].shape = [1, 8, 8, 5];
    const problems = validateGraph(g);
    expect(problems[0]).toMatchObject({ code: 'IR_SHAPE', node: 'conv' });
    expect(problems[0].message).toContain('[1, 8, 8, 4]');
  });

  it('reports nodes out of topological order', () => {
    const g = smallInt8Model();
    g.nodes.reverse();
    expect(validateGraph(g).some((p) => p.code === 'IR_ORDER' && p.node === 'flat')).toBe(true);
  });

  it('reports dtype and quantization problems', () => {
    const g = smallInt8Model();
    g.tensors[2].dtype = 'float32';
    delete g.tensors[0].quant;
    const codes = validateGraph(g).map((p) => p.code);
    expect(codes).toEqual(['IR_DTYPE', 'IR_DTYPE']);
    const h = smallInt8Model();
    h.tensors[1].quant = { scale: [0.1, 0.2], zeroPoint: [0, 0], axis: 0 };
    expect(validateGraph(h)[0]).toMatchObject({ code: 'IR_QUANT', tensor: 'w' });
  });

  it('reports dangling references and second producers', () => {
    const g = smallInt8Model();
    g.nodes[1].inputs[0] = 99;
    expect(validateGraph(g)[0]).toMatchObject({ code: 'IR_REF', node: 'flat' });
    const h = smallInt8Model();
    h.nodes[1].outputs = [h.nodes[0].outputs[0]];
    expect(validateGraph(h).map((p) => p.code)).toContain('IR_PRODUCER');
  });

  it('assertValidGraph throws one error that counts the rest', () => {
    const g = smallInt8Model();
    g.nodes.reverse();
    g.tensors[2].dtype = 'float32';
    expect(() => assertValidGraph(g, 'm.tflite')).toThrow(/^m\.tflite, node 'flat': .*\(and \d+ more problems?\)/);
  });

  it('cloneGraph is deep for everything but constant bytes', () => {
    const g = smallInt8Model();
    const c = cloneGraph(g);
    c.tensors[0].shape[1] = 9;
    c.nodes[0].inputs[0] = 5;
    expect(g.tensors[0].shape[1]).toBe(8);
    expect(g.nodes[0].inputs[0]).toBe(0);
    expect(c.tensors[1].data).toBe(g.tensors[1].data);
  });
});

describe('stats', () => {
  it('counts MACs and parameters', () => {
    const g = smallInt8Model();
    const s = nodeStats(g, g.nodes[0]);
    expect(s.macs).toBe(8 * 8 * 4 * 27);
    expect(s.params).toBe(4 * 27 + 4);
    expect(s.paramBytes).toBe(4 * 27 + 16);
    expect(nodeStats(g, g.nodes[1]).params).toBe(0);
    const total = graphStats(g);
    expect(total.macs).toBe(6912);
    expect(total.opHistogram).toEqual({ Conv2D: 1, Reshape: 1 });
    expect(total.activationBytes).toBe(8 * 8 * 3 + 8 * 8 * 4 * 2);
  });
});
