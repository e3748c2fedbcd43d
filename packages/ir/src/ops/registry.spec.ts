import { GraphBuilder } from '../builder';
import { acceptsFusedActivation, fusedActivationOf, Node, OP_ARITY, OP_DEFS, OP_TYPES, VIEW_OPS, withDefaultAttrs } from '../ops';
import { validateGraph } from '../validate';

const f32 = (name: string, shape: number[]) => ({ name, shape, dtype: 'float32' as const });

function convGraph(attrs: Record<string, unknown>) {
  const b = new GraphBuilder();
  const x = b.input(f32('x', [1, 5, 5, 2]));
  const w = b.constant(f32('w', [3, 3, 3, 2]), new Float32Array(54));
  const base = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'valid' as const, activation: 'none' as const };
  b.output(b.node('Conv2D', base, [x, w], { name: 'y', dtype: 'float32' }));
  const g = b.build();
  g.nodes[0].attrs = { ...base, ...attrs } as Node['attrs'];
  return g;
}

describe('the operator table', () => {
  it('has one entry per op type, and the derived views agree with it', () => {
    expect(OP_TYPES).toEqual(Object.keys(OP_DEFS));
    expect(OP_ARITY.Concatenation).toEqual([1, Number.MAX_SAFE_INTEGER]);
    expect(OP_ARITY.Conv2D).toEqual([2, 3]);
    expect([...VIEW_OPS].sort()).toEqual(['Identity', 'Reshape', 'Squeeze']);
    expect(OP_TYPES.filter(acceptsFusedActivation).sort()).toEqual(['Add', 'AveragePool2D', 'Conv2D', 'DepthwiseConv2D', 'FullyConnected', 'MaxPool2D', 'Mul', 'Sub', 'TransposeConv2D']);
  });

  it('fills IR defaults for left-out attributes, and only for those', () => {
    expect(withDefaultAttrs('Conv2D', { strideH: 2, strideW: 2, padding: 'same' })).toEqual({
      strideH: 2,
      strideW: 2,
      padding: 'same',
      dilationH: 1,
      dilationW: 1,
      activation: 'none',
    });
    expect(withDefaultAttrs('Add', { activation: 'relu' })).toEqual({ activation: 'relu' });
    const a = withDefaultAttrs('Squeeze', {});
    a.axes.push(1);
    expect(withDefaultAttrs('Squeeze', {}).axes).toEqual([]);
  });

  it('checks attribute types (IR_ATTR) and ranges (IR_SHAPE), naming the attribute', () => {
    expect(validateGraph(convGraph({}))).toEqual([]);
    const missing = validateGraph(convGraph({ dilationW: undefined }));
    expect(missing[0]).toMatchObject({ code: 'IR_ATTR', node: 'y' });
    expect(missing[0].message).toBe("node 'y': Conv2D: attribute dilationW must be a 32-bit integer, got nothing");
    expect(validateGraph(convGraph({ activation: 'gelu' }))[0]).toMatchObject({ code: 'IR_ATTR' });
    expect(validateGraph(convGraph({ padding: { top: -1, bottom: 0, left: 0, right: 0 } }))[0]).toMatchObject({ code: 'IR_ATTR' });
    const range = validateGraph(convGraph({ strideW: 0 }));
    expect(range[0]).toMatchObject({ code: 'IR_SHAPE', message: "node 'y': Conv2D: strideW must be a positive integer, got 0" });
  });

  it('knows which clamps equal a fused activation', () => {
    const clip = (min: number, max: number) => ({ name: 'c', op: 'Clip', attrs: { min, max }, inputs: [0], outputs: [1] }) as Node;
    expect(fusedActivationOf({ name: 'r', op: 'Relu6', attrs: {}, inputs: [0], outputs: [1] })).toBe('relu6');
    expect(fusedActivationOf(clip(-1, 1))).toBe('relu_n1_to_1');
    expect(fusedActivationOf(clip(0, Infinity))).toBe('relu');
    expect(fusedActivationOf(clip(0, 5))).toBeUndefined();
    expect(fusedActivationOf({ name: 't', op: 'Tanh', attrs: {}, inputs: [0], outputs: [1] })).toBeUndefined();
  });
});
