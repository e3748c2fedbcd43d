import { DType, GraphBuilder, OpType } from '@tinyforge/ir';
import { InterpreterError } from '../errors';
import { Interpreter } from '../interpreter';

type Values = number[] | bigint[];

function bytes(dtype: DType, values: Values): Uint8Array {
  if (dtype === 'int64') return new Uint8Array(BigInt64Array.from((values as number[]).map((v) => BigInt(v))).buffer);
  if (dtype === 'int32') return new Uint8Array(Int32Array.from(values as number[]).buffer);
  if (dtype === 'int8') return new Uint8Array(Int8Array.from(values as number[]).buffer);
  return new Uint8Array(Float32Array.from(values as number[]).buffer);
}

function values(dtype: DType, b: Uint8Array): number[] {
  const copy = b.slice().buffer;
  if (dtype === 'int64') return Array.from(new BigInt64Array(copy), Number);
  if (dtype === 'int32') return Array.from(new Int32Array(copy));
  if (dtype === 'int8') return Array.from(new Int8Array(copy));
  return Array.from(new Float32Array(copy));
}

/** One binary node: a [n] input, and b as a constant of shape [b.length] (broadcast when 1). */
function binary(op: 'Add' | 'Sub' | 'Mul' | 'Div', dtype: DType, a: number[], b: number[]): number[] {
  const g = new GraphBuilder(op);
  const x = g.input({ name: 'a', shape: [a.length], dtype });
  const y = g.constant({ name: 'b', shape: [b.length], dtype }, bytes(dtype, b));
  g.output(g.node(op, { activation: 'none' }, [x, y], { name: 'y', dtype }));
  return values(dtype, new Interpreter(g.build()).run([bytes(dtype, a)]).outputs[0]);
}

function unary(op: OpType & ('Round' | 'Abs' | 'Sign' | 'Cast'), from: DType, to: DType, a: number[]): number[] {
  const g = new GraphBuilder(op);
  const x = g.input({ name: 'a', shape: [a.length], dtype: from });
  g.output(g.node(op, {}, [x], { name: 'y', dtype: to }));
  return values(to, new Interpreter(g.build()).run([bytes(from, a)]).outputs[0]);
}

describe('plain integer and float arithmetic (the QDQ export requantizes with it)', () => {
  it('integer Div truncates toward zero, as C and onnxruntime do, for every sign; a zero divisor gives 0', () => {
    expect(binary('Div', 'int64', [7, -7, 7, -7, 0, 5], [2, 2, -2, -2, 3, 0])).toEqual([3, -3, -3, 3, 0, 0]);
    expect(binary('Div', 'int32', [7, -7, 2 ** 31 - 1], [2])).toEqual([3, -3, 2 ** 30 - 1]);
  });

  it('int64 holds products int32 overflows; int32 wraps like two\'s complement C', () => {
    expect(binary('Mul', 'int64', [2 ** 31 - 1, -(2 ** 24)], [2 ** 31 - 1])).toEqual([(2 ** 31 - 1) ** 2, -(2 ** 55) + 2 ** 24]);
    expect(binary('Mul', 'int32', [2 ** 16], [2 ** 16])).toEqual([0]);
    expect(binary('Add', 'int32', [2 ** 31 - 1], [1])).toEqual([-(2 ** 31)]);
    expect(binary('Sub', 'int64', [5, -5], [7])).toEqual([-2, -12]);
  });

  it('float Div broadcasts; Round is half to even; Abs and Sign on every type', () => {
    expect(binary('Div', 'float32', [1, -3, 0.5], [2])).toEqual([0.5, -1.5, 0.25]);
    expect(unary('Round', 'float32', 'float32', [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -2.6])).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
    expect(unary('Abs', 'int64', 'int64', [-(2 ** 40), 3, 0])).toEqual([2 ** 40, 3, 0]);
    expect(unary('Sign', 'int64', 'int64', [-(2 ** 40), 3, 0])).toEqual([-1, 1, 0]);
    expect(unary('Sign', 'float32', 'float32', [-0.25, 2, 0])).toEqual([-1, 1, 0]);
  });

  it('Cast: float → integer truncates (NaN → 0), integers wrap, int64 → float is exact below 2^24', () => {
    expect(unary('Cast', 'float32', 'int64', [2.9, -2.9, NaN, 1e10])).toEqual([2, -2, 0, 1e10]);
    expect(unary('Cast', 'float32', 'int8', [127.5, 128, -129])).toEqual([127, -128, 127]);
    expect(unary('Cast', 'int64', 'float32', [2 ** 24, -(2 ** 24) + 1])).toEqual([2 ** 24, -(2 ** 24) + 1]);
    expect(unary('Cast', 'int32', 'int64', [-(2 ** 31)])).toEqual([-(2 ** 31)]);
  });

  it('refuses what it has no kernel for with INTERP_UNSUPPORTED naming the node', () => {
    const g = new GraphBuilder('bad');
    const x = g.input({ name: 'a', shape: [2], dtype: 'int64' });
    const y = g.input({ name: 'b', shape: [2], dtype: 'int64' });
    g.output(g.node('Add', { activation: 'relu' }, [x, y], { name: 'y', dtype: 'int64' }));
    expect(() => new Interpreter(g.build())).toThrow(InterpreterError);
    expect(() => new Interpreter(g.build())).toThrow(/y.*relu|relu.*int64/);
  });
});
