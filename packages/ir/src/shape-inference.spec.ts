import { GraphBuilder } from './builder';
import { IrValidationError } from './errors';
import { broadcastShapes, inferOutputShapes } from './shape-inference';
import { padAxis, asTfliteKeyword } from './padding';

const f32 = (name: string, shape: number[]) => ({ name, shape, dtype: 'float32' as const });
const conv = { strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, activation: 'none' as const };

describe('padAxis (TFLite SAME/VALID)', () => {
  it('SAME pads the extra element after, as TFLite does', () => {
    expect(padAxis(96, 3, 2, 1, 'same', 'h')).toEqual({ out: 48, before: 0, after: 1 });
    expect(padAxis(5, 3, 1, 1, 'same', 'h')).toEqual({ out: 5, before: 1, after: 1 });
    expect(padAxis(49, 10, 2, 1, 'same', 'h')).toEqual({ out: 25, before: 4, after: 5 });
  });
  it('VALID and explicit pads', () => {
    expect(padAxis(10, 3, 2, 1, 'valid', 'w')).toEqual({ out: 4, before: 0, after: 0 });
    expect(padAxis(10, 3, 1, 2, 'valid', 'w').out).toBe(6);
    expect(padAxis(10, 3, 2, 1, { top: 1, bottom: 1, left: 0, right: 2 }, 'w')).toEqual({ out: 5, before: 0, after: 2 });
  });
  it('maps explicit pads back to a TFLite keyword only when they match', () => {
    expect(asTfliteKeyword(96, 96, 3, 3, 2, 2, 1, 1, { top: 0, bottom: 1, left: 0, right: 1 })).toBe('same');
    expect(asTfliteKeyword(96, 96, 3, 3, 2, 2, 1, 1, { top: 1, bottom: 1, left: 1, right: 1 })).toBeUndefined();
    expect(asTfliteKeyword(8, 8, 3, 3, 1, 1, 1, 1, { top: 0, bottom: 0, left: 0, right: 0 })).toBe('valid');
  });
});

describe('inferOutputShapes', () => {
  it('conv, depthwise, pooling, FC', () => {
    const b = new GraphBuilder();
    const x = b.input(f32('x', [1, 96, 96, 3]));
    const w = b.constant(f32('w', [8, 3, 3, 3]), new Float32Array(8 * 27));
    const c = b.node('Conv2D', { ...conv, padding: 'same' }, [x, w, -1], { name: 'c', dtype: 'float32' });
    const dw = b.constant(f32('dw', [1, 3, 3, 16]), new Float32Array(9 * 16));
    const d = b.node('DepthwiseConv2D', { ...conv, padding: 'valid', depthMultiplier: 2 }, [c, dw], { name: 'd', dtype: 'float32' });
    const p = b.node('AveragePool2D', { filterH: 23, filterW: 23, strideH: 1, strideW: 1, padding: 'valid', activation: 'none' }, [d], { name: 'p', dtype: 'float32' });
    const fw = b.constant(f32('fw', [10, 16]), new Float32Array(160));
    const fc = b.node('FullyConnected', { activation: 'relu', keepNumDims: false }, [p, fw], { name: 'fc', dtype: 'float32' });
    const g = b.build();
    expect(g.tensors[c].shape).toEqual([1, 48, 48, 8]);
    expect(g.tensors[d].shape).toEqual([1, 23, 23, 16]);
    expect(g.tensors[p].shape).toEqual([1, 1, 1, 16]);
    expect(g.tensors[fc].shape).toEqual([1, 10]);
  });

  it('reshape with -1, squeeze, mean, pad, concat, transpose, strided slice', () => {
    const b = new GraphBuilder();
    const x = b.input(f32('x', [1, 4, 6, 8]));
    const int32 = (name: string, v: number[], shape = [v.length]) => b.constant({ name, shape, dtype: 'int32' }, new Int32Array(v));
    const r = b.node('Reshape', {}, [x, int32('s', [1, -1])], { name: 'r', dtype: 'float32' });
    const m = b.node('Mean', { keepDims: false }, [x, int32('ax', [1, 2])], { name: 'm', dtype: 'float32' });
    const pd = b.node('Pad', {}, [x, int32('pads', [0, 0, 1, 2, 0, 1, 0, 0], [4, 2])], { name: 'pd', dtype: 'float32' });
    const cat = b.node('Concatenation', { axis: -1, activation: 'none' }, [x, x], { name: 'cat', dtype: 'float32' });
    const tr = b.node('Transpose', {}, [x, int32('perm', [0, 3, 1, 2])], { name: 'tr', dtype: 'float32' });
    const ss = b.node(
      'StridedSlice',
      { beginMask: 0, endMask: 0b1000, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0b0001, offset: false },
      [x, int32('b', [0, 1, -4, 0]), int32('e', [1, 4, 6, 0]), int32('st', [1, 2, 2, 1])],
      { name: 'ss', dtype: 'float32' },
    );
    const sq = b.node('Squeeze', { axes: [] }, [m], { name: 'sq', dtype: 'float32' });
    const g = b.build();
    expect(g.tensors[r].shape).toEqual([1, 192]);
    expect(g.tensors[m].shape).toEqual([1, 8]);
    expect(g.tensors[pd].shape).toEqual([1, 7, 7, 8]);
    expect(g.tensors[cat].shape).toEqual([1, 4, 6, 16]);
    expect(g.tensors[tr].shape).toEqual([1, 8, 4, 6]);
    expect(g.tensors[ss].shape).toEqual([2, 2, 8]);
    expect(g.tensors[sq].shape).toEqual([8]);
  });

  it('broadcasting follows numpy', () => {
    expect(broadcastShapes([1, 4, 4, 8], [8])).toEqual([1, 4, 4, 8]);
    expect(broadcastShapes([2, 1], [1, 3])).toEqual([2, 3]);
    expect(broadcastShapes([2, 3], [4, 3])).toBeUndefined();
  });

  it('names the node when the inputs are inconsistent', () => {
    const b = new GraphBuilder();
    const x = b.input(f32('x', [1, 8, 8, 3]));
    const w = b.constant(f32('w', [8, 3, 3, 4]), new Float32Array(8 * 36));
    const g = b.build();
    const node = { name: 'bad_conv', op: 'Conv2D' as const, attrs: { ...conv, padding: 'same' as const }, inputs: [x, w], outputs: [0] };
    expect(() => inferOutputShapes(g, node)).toThrow(IrValidationError);
    expect(() => inferOutputShapes(g, node)).toThrow(/node 'bad_conv'.*does not match input channels 3/);
  });
});
