import { Graph, GraphBuilder, validateGraph } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { ModelFormatError } from '../errors';
import { readOnnx, writeOnnx } from '.';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hasOnnxChecker, checkOnnx } = require('../../../../tools/testing/onnx-checker') as { hasOnnxChecker: () => boolean; checkOnnx: (bytes: Uint8Array) => void };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrtJobs } = require('../../../../tools/testing/ort-runner') as {
  runOrtJobs: (jobs: { model: Uint8Array; feeds: { dtype: string; dims: number[]; data: Float32Array }[] }[]) => ({ data: Float32Array | BigInt64Array }[] | Error)[];
};

/** A small NHWC float CNN: conv → depthwise → pool → reshape → FC → softmax, with fused activations. */
function sampleCnn(): Graph {
  const b = new GraphBuilder('sample');
  const f32 = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 0.5);
  const x = b.input({ name: 'x', shape: [1, 8, 6, 3], dtype: 'float32' });
  const w1 = b.constant({ name: 'w1', shape: [4, 3, 3, 3], dtype: 'float32' }, f32(108, 1));
  const b1 = b.constant({ name: 'b1', shape: [4], dtype: 'float32' }, f32(4, 2));
  const conv = b.node('Conv2D', { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same', activation: 'relu' }, [x, w1, b1], { name: 'conv', dtype: 'float32' });
  const w2 = b.constant({ name: 'w2', shape: [1, 3, 3, 8], dtype: 'float32' }, f32(72, 3));
  const dw = b.node('DepthwiseConv2D', { strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, padding: 'valid', activation: 'relu6', depthMultiplier: 2 }, [conv, w2], { name: 'dw', dtype: 'float32' });
  const pool = b.node('MaxPool2D', { filterH: 2, filterW: 1, strideH: 1, strideW: 1, padding: 'valid', activation: 'none' }, [dw], { name: 'pool', dtype: 'float32' });
  const shape = b.constant({ name: 'flat_shape', shape: [2], dtype: 'int32' }, Int32Array.of(1, 32));
  const flat = b.node('Reshape', {}, [pool, shape], { name: 'flat', dtype: 'float32' });
  const w3 = b.constant({ name: 'w3', shape: [5, 32], dtype: 'float32' }, f32(160, 4));
  const fc = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [flat, w3], { name: 'fc', dtype: 'float32' });
  const sm = b.node('Softmax', { beta: 1 }, [fc], { name: 'prob', dtype: 'float32' });
  return b.output(sm).build();
}

function strip(g: Graph): unknown {
  return { ...g, metadata: undefined, tensors: g.tensors.map((t) => ({ ...t, data: t.data && Buffer.from(t.data).toString('hex') })) };
}

describe('writeOnnx', () => {
  const graph = sampleCnn();
  const bytes = writeOnnx(graph);
  const model = onnx.ModelProto.decode(bytes);
  // Decoded messages are class instances: their fields are set (the generated interfaces say optional).
  const proto = model.graph as onnx.GraphProto;
  const g = {
    input: proto.input as onnx.ValueInfoProto[],
    output: proto.output as onnx.ValueInfoProto[],
    valueInfo: proto.valueInfo as onnx.ValueInfoProto[],
    initializer: proto.initializer as onnx.TensorProto[],
    node: proto.node as onnx.NodeProto[],
  };

  it('writes opset 13, IR 8, producer tinyforge, NCHW inputs and OIHW weights', () => {
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    expect(Number(model.irVersion)).toBe(8);
    expect(model.producerName).toBe('tinyforge');
    expect(g.input[0].type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, 3, 8, 6]);
    expect(g.initializer.find((t) => t.name === 'w1')!.dims.map(Number)).toEqual([4, 3, 3, 3]);
    expect(g.initializer.find((t) => t.name === 'w2')!.dims.map(Number)).toEqual([8, 1, 3, 3]);
    expect(g.initializer.every((t) => t.rawData.length > 0 || t.dims.map(Number).includes(0))).toBe(true);
  });

  it('declares every intermediate in value_info and orders nodes topologically', () => {
    const known = new Set([...g.input.map((v) => v.name), ...g.initializer.map((t) => t.name)]);
    const declared = new Set([...g.valueInfo, ...g.output].map((v) => v.name));
    for (const n of g.node) {
      for (const i of n.input) if (i !== '') expect(known.has(i)).toBe(true);
      for (const o of n.output) {
        expect(declared.has(o)).toBe(true);
        known.add(o);
      }
    }
  });

  it('round trips: ONNX → IR → ONNX → IR gives the same IR', () => {
    const first = readOnnx(bytes);
    expect(validateGraph(first)).toEqual([]);
    const second = readOnnx(writeOnnx(first));
    expect(strip(second)).toEqual(strip(first));
    // The NHWC IR survives the trip through NCHW: same shapes, same weights.
    expect(first.tensors.find((t) => t.name === 'w1')!.data).toEqual(graph.tensors.find((t) => t.name === 'w1')!.data);
    expect(first.tensors.find((t) => t.name === 'w3')!.data).toEqual(graph.tensors.find((t) => t.name === 'w3')!.data);
  });

  it('writes plain integer arithmetic (Round, Cast, Abs, Sign, Div on int64), reads it back, and onnxruntime runs it', () => {
    const b = new GraphBuilder('integer');
    const x = b.input({ name: 'x', shape: [1, 5], dtype: 'float32' });
    const rounded = b.node('Round', {}, [x], { name: 'rounded', dtype: 'float32' });
    const i = b.node('Cast', {}, [rounded], { name: 'i', dtype: 'int64' });
    const two = b.constant({ name: 'two', shape: [1], dtype: 'int64' }, BigInt64Array.of(2n));
    const half = b.node('Div', { activation: 'none' }, [b.node('Abs', {}, [i], { name: 'magnitude', dtype: 'int64' }), two], { name: 'half', dtype: 'int64' });
    const signed = b.node('Mul', { activation: 'none' }, [half, b.node('Sign', {}, [i], { name: 'sign', dtype: 'int64' })], { name: 'signed', dtype: 'int64' });
    const graph = b.output(b.node('Cast', {}, [signed], { name: 'y', dtype: 'float32' })).build();
    const written = writeOnnx(graph);
    const back = readOnnx(written);
    expect(back.nodes.map((n) => [n.op, back.tensors[n.outputs[0]].dtype])).toEqual(graph.nodes.map((n) => [n.op, graph.tensors[n.outputs[0]].dtype]));
    const [result] = runOrtJobs([{ model: written, feeds: [{ dtype: 'float32', dims: [1, 5], data: Float32Array.of(-2.5, 3.7, -7.2, 0.5, -5) }] }]);
    if (result instanceof Error) throw result;
    // round half to even: −2, 4, −7, 0, −5; |·| / 2 truncated: 1, 2, 3, 0, 2; sign back
    expect(Array.from(result[0].data as Float32Array)).toEqual([-1, 2, -3, 0, -2]);
  });

  it('folds a DequantizeLinear of a constant (QDQ weights per channel, int32 bias) into a float constant', () => {
    const b = new GraphBuilder('qdq_weights');
    const x = b.input({ name: 'x', shape: [1, 2, 2, 2], dtype: 'float32' });
    const wq = b.constant({ name: 'wq', shape: [2, 1, 1, 2], dtype: 'int8', quant: { scale: [0.5, 0.25], zeroPoint: [0, 0], axis: 0 } }, Int8Array.of(1, -2, 3, 4));
    const bq = b.constant({ name: 'bq', shape: [2], dtype: 'int32', quant: { scale: [0.125, 0.0625], zeroPoint: [0, 0], axis: 0 } }, Int32Array.of(8, -16));
    const w = b.node('Dequantize', {}, [wq], { name: 'w', dtype: 'float32' });
    const bias = b.node('Dequantize', {}, [bq], { name: 'bias', dtype: 'float32' });
    const conv = b.node('Conv2D', { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'valid', activation: 'none' }, [x, w, bias], { name: 'y', dtype: 'float32' });
    const written = writeOnnx(b.output(conv).build());
    expect((onnx.ModelProto.decode(written).graph!.node ?? []).map((n) => n.opType)).toEqual(['DequantizeLinear', 'DequantizeLinear', 'Conv']);
    const back = readOnnx(written);
    // The declared NCHW input and output convert to and from the IR's NHWC at the boundary.
    expect(back.nodes.map((n) => n.op)).toEqual(['Transpose', 'Conv2D', 'Transpose']);
    const conv2d = back.nodes[1];
    const floats = (i: number): number[] => Array.from(new Float32Array(back.tensors[conv2d.inputs[i]].data!.slice().buffer));
    expect(floats(1)).toEqual([0.5, -1, 0.75, 1]); // per output channel: scale 0.5, then 0.25
    expect(floats(2)).toEqual([1, -1]);
    // three scales for two output channels: malformed, naming the node
    const model = onnx.ModelProto.decode(written);
    const scale = model.graph!.initializer!.find((t) => t.name === 'wq/scale')!;
    scale.dims = [3];
    scale.rawData = new Uint8Array(Float32Array.of(1, 1, 1).buffer);
    const z = model.graph!.initializer!.find((t) => t.name === 'wq/zero_point')!;
    z.dims = [3];
    z.rawData = new Uint8Array(3);
    expect(() => readOnnx(onnx.ModelProto.encode(model).finish())).toThrow(expect.objectContaining({ code: 'FORMAT_MALFORMED', message: expect.stringMatching(/3 scales on axis 0 of a constant of shape \[2, 2, 1, 1\]/) }));
  });

  it('keeps a Dequantize of a constant that is a graph output as a node (the IR has no constant outputs)', () => {
    const b = new GraphBuilder('dq_output');
    const x = b.input({ name: 'x', shape: [1, 2], dtype: 'float32' });
    const c = b.constant({ name: 'c', shape: [1, 2], dtype: 'int8', quant: { scale: [0.5], zeroPoint: [1], axis: 0 } }, Int8Array.of(3, -1));
    const graph = b.output(b.node('Relu', {}, [x], { name: 'r', dtype: 'float32' })).output(b.node('Dequantize', {}, [c], { name: 'dq', dtype: 'float32' })).build();
    const back = readOnnx(writeOnnx(graph));
    expect(back.nodes.map((n) => n.op)).toEqual(['Relu', 'Dequantize']);
    expect(validateGraph(back)).toEqual([]);
  });

  it('rejects int8 compute nodes, naming the node', () => {
    const b = new GraphBuilder('q');
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'int8', quant: { scale: [0.1], zeroPoint: [0], axis: 0 } });
    b.output(b.node('Relu', {}, [x], { name: 'r', dtype: 'int8', quant: { scale: [0.1], zeroPoint: [0], axis: 0 } }));
    expect(() => writeOnnx(b.build())).toThrow(expect.objectContaining({ code: 'FORMAT_UNSUPPORTED', location: { node: 'r' } }));
  });

  it('writes Quantize/Dequantize as QuantizeLinear/DequantizeLinear and reads them back', () => {
    const b = new GraphBuilder('qdq');
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'float32' });
    const q = b.node('Quantize', {}, [x], { name: 'xq', dtype: 'int8', quant: { scale: [0.05], zeroPoint: [-3], axis: 0 } });
    b.output(b.node('Dequantize', {}, [q], { name: 'xd', dtype: 'float32' }));
    const back = readOnnx(writeOnnx(b.build()));
    expect(back.nodes.map((n) => n.op)).toEqual(['Quantize', 'Dequantize']);
    expect(back.tensors[back.nodes[0].outputs[0]].quant).toEqual({ scale: [Math.fround(0.05)], zeroPoint: [-3], axis: 0 });
  });

  const hasOnnx = hasOnnxChecker();
  if (!hasOnnx) console.warn('onnx.checker test skipped: /usr/bin/python3 cannot import onnx (apt-get install python3-onnx)');
  (hasOnnx ? it : it.skip)('passes onnx.checker.check_model(full_check=True)', () => {
    expect(() => checkOnnx(bytes)).not.toThrow();
  });
});

describe('readOnnx errors', () => {
  const valid = writeOnnx(sampleCnn());

  const codeOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelFormatError);
      return (e as ModelFormatError).code;
    }
    return 'no error';
  };

  it('truncated bytes → FORMAT_BOUNDS "truncated (file ends at byte N, the model needs M)" naming the file', () => {
    for (const cut of [1, 17, Math.floor(valid.length / 2), valid.length - 3]) {
      try {
        readOnnx(valid.subarray(0, cut), { file: 'cut.onnx' });
        throw new Error(`cut at ${cut} was accepted`);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFormatError);
        expect((e as ModelFormatError).code).toBe('FORMAT_BOUNDS');
        expect((e as ModelFormatError).message).toMatch(new RegExp(`truncated \\(file ends at byte ${cut}, the model needs \\d+\\)`));
        expect((e as ModelFormatError).location.file).toBe('cut.onnx');
      }
    }
  });

  it('random and bit-flipped bytes → a valid graph or a ModelFormatError', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 300; k++) {
      const bytes = valid.slice();
      for (let j = 0; j < 1 + (k % 8); j++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      try {
        expect(validateGraph(readOnnx(bytes))).toEqual([]);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFormatError);
      }
    }
  });

  it('external data → FORMAT_EXTERNAL_DATA', () => {
    const m = onnx.ModelProto.decode(valid);
    const w = (m.graph as onnx.GraphProto).initializer[0];
    w.rawData = new Uint8Array();
    w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    w.externalData = [{ key: 'location', value: 'weights.bin' }];
    expect(codeOf(() => readOnnx(onnx.ModelProto.encode(m).finish()))).toBe('FORMAT_EXTERNAL_DATA');
  });

  it('unsupported op → FORMAT_UNSUPPORTED naming op, node and opset', () => {
    const m = onnx.ModelProto.decode(valid);
    const node = (m.graph as onnx.GraphProto).node.find((n) => n.opType === 'Softmax')!;
    node.opType = 'LpNormalization';
    node.name = 'norm1';
    try {
      readOnnx(onnx.ModelProto.encode(m).finish(), { file: 'm.onnx' });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ModelFormatError);
      const err = e as ModelFormatError;
      expect(err.code).toBe('FORMAT_UNSUPPORTED');
      expect(err.location).toEqual({ file: 'm.onnx', node: 'norm1' });
      expect(err.message).toMatch(/LpNormalization/);
      expect(err.message).toMatch(/opset 13/);
    }
  });

  it('other domains, missing inputs and oversized shapes are typed errors', () => {
    const m1 = onnx.ModelProto.decode(valid);
    (m1.graph as onnx.GraphProto).node[0].domain = 'com.microsoft';
    expect(codeOf(() => readOnnx(onnx.ModelProto.encode(m1).finish()))).toBe('FORMAT_UNSUPPORTED');
    const m2 = onnx.ModelProto.decode(valid);
    ((m2.graph as onnx.GraphProto).node[1] as onnx.NodeProto).input[0] = 'nowhere';
    expect(codeOf(() => readOnnx(onnx.ModelProto.encode(m2).finish()))).toBe('FORMAT_MALFORMED');
    const m3 = onnx.ModelProto.decode(valid);
    (m3.graph as onnx.GraphProto).initializer[0].dims = [1 << 20, 1 << 20];
    expect(codeOf(() => readOnnx(onnx.ModelProto.encode(m3).finish()))).toBe('FORMAT_LIMIT');
    // Dims promising 2^27 int64 values with none present: refused before the 1 GiB buffer is allocated.
    const m5 = onnx.ModelProto.decode(valid);
    const t5 = (m5.graph as onnx.GraphProto).initializer[0] as onnx.TensorProto;
    Object.assign(t5, { dims: [1 << 27], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(0), floatData: [], int64Data: [] });
    expect(codeOf(() => readOnnx(onnx.ModelProto.encode(m5).finish()))).toBe('FORMAT_LIMIT');
    const m4 = onnx.ModelProto.decode(valid);
    m4.opsetImport = [{ domain: '', version: 3 } as onnx.OperatorSetIdProto];
    expect(codeOf(() => readOnnx(onnx.ModelProto.encode(m4).finish()))).toBe('FORMAT_UNSUPPORTED');
  });

  it('a symbolic batch dimension becomes 1 and is noted in metadata', () => {
    const m = onnx.ModelProto.decode(valid);
    const dim = (m.graph as onnx.GraphProto).input[0].type!.tensorType!.shape!.dim![0] as onnx.TensorShapeProto.Dimension;
    dim.dimValue = 0;
    dim.dimParam = 'batch';
    const g = readOnnx(onnx.ModelProto.encode(m).finish());
    expect(g.tensors[g.inputs[0]].shape).toEqual([1, 3, 8, 6]);
    expect(g.tensors[g.inputs[0]].layout).toBe('NCHW');
    expect(g.metadata.props['onnx.symbolic_batch_set_to_1']).toBe('x[0]');
  });
});
