import { Graph, GraphBuilder, Quantization, validateGraph } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { FlatBufferReader } from './flatbuffer-reader';
import { readTflite, writeTflite } from './index';
import { BUFFER, MODEL, OPERATOR_CODE, SUBGRAPH, TENSOR } from './schema';

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], axis: 0 });

function convGraph(padding: { top: number; bottom: number; left: number; right: number }, dtype: 'float32' | 'int8' = 'float32'): Graph {
  const b = new GraphBuilder('conv');
  const quant = dtype === 'int8' ? q(0.5, -3) : undefined;
  const x = b.input({ name: 'x', shape: [1, 5, 5, 2], dtype, quant });
  const wData = dtype === 'int8' ? new Int8Array(3 * 3 * 3 * 2).map((_, i) => (i % 7) - 3) : new Float32Array(3 * 3 * 3 * 2).map((_, i) => i / 10);
  const w = b.constant({ name: 'w', shape: [3, 3, 3, 2], dtype, quant: dtype === 'int8' ? q(0.01, 0) : undefined }, wData);
  const y = b.node(
    'Conv2D',
    { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding, activation: 'relu6' },
    [x, w],
    { name: 'y', dtype, quant: dtype === 'int8' ? q(0.25, -128) : undefined },
  );
  return b.output(y).build();
}

function structure(bytes: Uint8Array) {
  const model = new FlatBufferReader(bytes).root();
  return {
    model,
    codes: (model.tables(MODEL.operatorCodes, 'codes') ?? []).map((c) => ({
      deprecated: c.int8(OPERATOR_CODE.deprecatedBuiltinCode, 0),
      builtin: c.int32(OPERATOR_CODE.builtinCode, 0),
      version: c.int32(OPERATOR_CODE.version, 1),
    })),
    buffers: (model.tables(MODEL.buffers, 'buffers') ?? []).map((b) => b.vector(BUFFER.data, 1, 'data')),
    tensors: (model.tables(MODEL.subgraphs, 'subgraphs') ?? [])[0].tables(SUBGRAPH.tensors, 'tensors') ?? [],
  };
}

function expectFormatError(fn: () => unknown, code: string, node?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    expect((e as ModelFormatError).code).toBe(code);
    if (node !== undefined) expect((e as ModelFormatError).location.node).toBe(node);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('writeTflite', () => {
  it('writes buffer 0 empty, one aligned buffer per constant, and deduplicated operator codes', () => {
    const b = new GraphBuilder('two_relu');
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'float32' });
    const w = b.constant({ name: 'w', shape: [3, 4], dtype: 'float32' }, new Float32Array(12).fill(0.5));
    const h = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [x, w], { name: 'h', dtype: 'float32' });
    const r1 = b.node('Relu', {}, [h], { name: 'r1', dtype: 'float32' });
    const r2 = b.node('Relu', {}, [r1], { name: 'r2', dtype: 'float32' });
    const g = b.output(r2).build();
    g.metadata.producer = 'unit test';
    g.metadata.props.min_runtime_version = '1.5.0';

    const bytes = writeTflite(g);
    const s = structure(bytes);
    expect(s.model.uint32(MODEL.version, 0)).toBe(3);
    expect(s.buffers[0]).toBeUndefined();
    expect(s.codes).toEqual([
      { deprecated: 9, builtin: 9, version: 1 },
      { deprecated: 19, builtin: 19, version: 1 },
    ]);
    const wBuffer = s.tensors[w].uint32(TENSOR.buffer, 0);
    expect(wBuffer).toBeGreaterThan(0);
    expect(s.buffers[wBuffer]!.start % 16).toBe(0);
    expect(s.buffers[wBuffer]!.length).toBe(48);
    expect(s.tensors[x].uint32(TENSOR.buffer, 0)).toBe(0);

    const back = readTflite(bytes);
    expect(back.metadata).toEqual({ sourceFormat: 'tflite', producer: 'unit test', props: { min_runtime_version: '1.5.0' } });
    expect(back.nodes.map((n) => [n.name, n.op])).toEqual([
      ['h', 'FullyConnected'],
      ['r1', 'Relu'],
      ['r2', 'Relu'],
    ]);
  });

  it('writes int8 kernels with the converter’s versions', () => {
    const s = structure(writeTflite(convGraph({ top: 1, bottom: 1, left: 1, right: 1 }, 'int8')));
    expect(s.codes).toEqual([{ deprecated: 3, builtin: 3, version: 3 }]);
  });

  it('writes explicit pads equal to SAME as SAME, without a PAD', () => {
    const back = readTflite(writeTflite(convGraph({ top: 1, bottom: 1, left: 1, right: 1 })));
    expect(back.nodes).toHaveLength(1);
    expect(back.nodes[0].attrs).toMatchObject({ padding: 'same', activation: 'relu6' });
  });

  it('puts a PAD before a conv whose explicit pads are neither SAME nor VALID (zero point as value when int8)', () => {
    for (const dtype of ['float32', 'int8'] as const) {
      const g = convGraph({ top: 2, bottom: 0, left: 0, right: 1 }, dtype);
      const back = readTflite(writeTflite(g));
      expect(validateGraph(back)).toEqual([]);
      expect(back.nodes.map((n) => n.op)).toEqual(['Pad', 'Conv2D']);
      const padded = back.tensors[back.nodes[0].outputs[0]];
      expect(padded.shape).toEqual([1, 7, 6, 2]);
      expect(padded.quant).toEqual(g.tensors[g.inputs[0]].quant);
      expect(back.nodes[1].attrs).toMatchObject({ padding: 'valid' });
      expect(back.tensors[back.outputs[0]].shape).toEqual(g.tensors[g.outputs[0]].shape);
      expect(Array.from(new Int32Array(back.tensors[back.nodes[0].inputs[1]].data!.slice().buffer))).toEqual([0, 0, 2, 0, 0, 1, 0, 0]);
    }
  });

  it('pads a max pool with the lowest value (PADV2) and refuses an average pool with odd pads', () => {
    const pool = (op: 'MaxPool2D' | 'AveragePool2D'): Graph => {
      const b = new GraphBuilder('pool');
      const x = b.input({ name: 'x', shape: [1, 4, 4, 1], dtype: 'int8', quant: q(1, 0) });
      const padding = { top: 1, bottom: 0, left: 1, right: 0 };
      const y = b.node(op, { filterH: 2, filterW: 2, strideH: 2, strideW: 2, padding, activation: 'none' }, [x], { name: 'y', dtype: 'int8', quant: q(1, 0) });
      return b.output(y).build();
    };
    const back = readTflite(writeTflite(pool('MaxPool2D')));
    expect(back.nodes.map((n) => n.op)).toEqual(['Pad', 'MaxPool2D']);
    expect(back.nodes[0].inputs).toHaveLength(3);
    expect(Array.from(new Int8Array(back.tensors[back.nodes[0].inputs[2]].data!))).toEqual([-128]);
    expectFormatError(() => writeTflite(pool('AveragePool2D')), 'FORMAT_UNSUPPORTED', 'y');
  });

  it('maps Clip to RELU / RELU6 / RELU_N1_TO_1 and refuses other ranges and Identity', () => {
    const clip = (min: number, max: number): Graph => {
      const b = new GraphBuilder('clip');
      const x = b.input({ name: 'x', shape: [1, 3], dtype: 'float32' });
      return b.output(b.node('Clip', { min, max }, [x], { name: 'c', dtype: 'float32' })).build();
    };
    expect(readTflite(writeTflite(clip(0, Infinity))).nodes[0].op).toBe('Relu');
    expect(readTflite(writeTflite(clip(0, 6))).nodes[0].op).toBe('Relu6');
    expect(readTflite(writeTflite(clip(-1, 1))).nodes[0]).toMatchObject({ op: 'Clip', attrs: { min: -1, max: 1 } });
    expectFormatError(() => writeTflite(clip(0, 4)), 'FORMAT_UNSUPPORTED', 'c');

    const b = new GraphBuilder('id');
    const x = b.input({ name: 'x', shape: [2], dtype: 'float32' });
    const g = b.output(b.node('Identity', {}, [x], { name: 'same', dtype: 'float32' })).build();
    expectFormatError(() => writeTflite(g), 'FORMAT_UNSUPPORTED', 'same');
  });

  it('round-trips the other operators and their attributes', () => {
    const b = new GraphBuilder('misc');
    const x = b.input({ name: 'x', shape: [1, 2, 3, 4], dtype: 'float32' });
    const i32 = (name: string, shape: number[], v: number[]) => b.constant({ name, shape, dtype: 'int32' }, new Int32Array(v));
    const t = b.node('Transpose', {}, [x, i32('perm', [4], [0, 3, 1, 2])], { name: 't', dtype: 'float32' });
    const s = b.node(
      'StridedSlice',
      { beginMask: 1, endMask: 2, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false },
      [t, i32('begin', [4], [0, 1, 0, 0]), i32('end', [4], [1, 4, 2, 3]), i32('strides', [4], [1, 1, 1, 1])],
      { name: 's', dtype: 'float32' },
    );
    const m = b.node('Mean', { keepDims: true }, [s, i32('axes', [2], [2, 3])], { name: 'm', dtype: 'float32' });
    const sq = b.node('Squeeze', { axes: [2, 3] }, [m], { name: 'sq', dtype: 'float32' });
    const l = b.node('LeakyRelu', { alpha: 0.25 }, [sq], { name: 'l', dtype: 'float32' });
    const c = b.node('Concatenation', { axis: 1, activation: 'relu' }, [l, l], { name: 'c', dtype: 'float32' });
    const sm = b.node('Softmax', { beta: 2 }, [c], { name: 'sm', dtype: 'float32' });
    const h = b.node('HardSwish', {}, [sm], { name: 'h', dtype: 'float32' });
    const mul = b.node('Mul', { activation: 'none' }, [h, h], { name: 'mul', dtype: 'float32' });
    const sub = b.node('Sub', { activation: 'relu_n1_to_1' }, [mul, h], { name: 'sub', dtype: 'float32' });
    const qz = b.node('Quantize', {}, [sub], { name: 'qz', dtype: 'int8', quant: q(Math.fround(0.1), 3) }); // TFLite stores scales as float32
    const dq = b.node('Dequantize', {}, [qz], { name: 'dq', dtype: 'float32' });
    const g = b.output(b.node('Tanh', {}, [b.node('Logistic', {}, [dq], { name: 'lg', dtype: 'float32' })], { name: 'th', dtype: 'float32' })).build();
    g.metadata.sourceFormat = 'tflite';
    expect(validateGraph(g)).toEqual([]);
    expect(readTflite(writeTflite(g))).toEqual(g);
  });
});

describe('readTflite errors', () => {
  const relu = (): Uint8Array => {
    const b = new GraphBuilder('r');
    const x = b.input({ name: 'x', shape: [1, 3], dtype: 'float32' });
    return writeTflite(b.output(b.node('Relu', {}, [x], { name: 'act_out', dtype: 'float32' })).build());
  };
  /** Patch the first operator code to another builtin, in place. */
  const patchCode = (bytes: Uint8Array, code: number): Uint8Array => {
    const c = (new FlatBufferReader(bytes).root().tables(MODEL.operatorCodes, 'c') ?? [])[0];
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    dv.setInt8(c.field(OPERATOR_CODE.deprecatedBuiltinCode, 1), Math.min(code, 127));
    dv.setInt32(c.field(OPERATOR_CODE.builtinCode, 4), code, true);
    return bytes;
  };

  it('names the op, the operator index and its output for an unsupported builtin or a custom op', () => {
    for (const [code, pattern] of [
      // Named as the schema names it, with its number: RESIZE_BILINEAR is 23, GELU (past the byte-sized field) 150.
      [23, /not supported: operator RESIZE_BILINEAR \(builtin 23\) \(operator 0 \(output 'act_out'\)\)$/],
      [150, /not supported: operator GELU \(builtin 150\) \(operator 0 \(output 'act_out'\)\)$/],
      [250, /operator builtin 250 \(not in the schema\) \(operator 0 \(output 'act_out'\)\)/],
      [32, /operator custom '.*' \(operator 0 \(output 'act_out'\)\)/],
    ] as const) {
      try {
        readTflite(patchCode(relu(), code), { file: 'm.tflite' });
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFormatError);
        expect((e as ModelFormatError).code).toBe('FORMAT_UNSUPPORTED');
        expect((e as ModelFormatError).message).toMatch(pattern);
        expect((e as ModelFormatError).message).toMatch(/^m\.tflite, byte \d+/);
      }
    }
  });

  it('rejects files that are not TFLite, and constant data that does not match the shape', () => {
    expectFormatError(() => readTflite(new Uint8Array(16)), 'FORMAT_UNKNOWN');
    const b = new GraphBuilder('c');
    const x = b.input({ name: 'x', shape: [1, 2], dtype: 'float32' });
    const w = b.constant({ name: 'w', shape: [2, 2], dtype: 'float32' }, new Float32Array(4));
    const g = b.output(b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [x, w], { name: 'y', dtype: 'float32' })).build();
    g.tensors[w].shape = [2, 3]; // the buffer now holds 16 bytes for a shape that needs 24
    expectFormatError(() => readTflite(writeTflite(g)), 'FORMAT_MALFORMED');
  });

  it('turns an invalid graph into FORMAT_MALFORMED naming the node', () => {
    const g = readTflite(relu());
    g.tensors[g.outputs[0]].shape = [1, 4];
    expectFormatError(() => readTflite(writeTflite(g)), 'FORMAT_MALFORMED', 'act_out');
  });

  it('gives duplicate output names unique node names', () => {
    const b = new GraphBuilder('dup');
    const x = b.input({ name: 'x', shape: [3], dtype: 'float32' });
    const r1 = b.node('Relu', {}, [x], { name: 'same', dtype: 'float32' });
    const r2 = b.node('Relu6', {}, [r1], { name: 'same', dtype: 'float32' });
    const g = b.output(r2).build();
    g.nodes[1].name = 'other'; // GraphBuilder names nodes after outputs; the IR needs unique names
    expect(readTflite(writeTflite(g)).nodes.map((n) => n.name)).toEqual(['same', 'same_1']);
  });
});

