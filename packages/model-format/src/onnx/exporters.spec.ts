import * as fs from 'fs';
import * as path from 'path';
import { constantInts, Graph } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { onnxTestModel } from './onnx-test-model';
import { readTflite, writeTflite } from '../tflite';
import { readOnnx } from './read-onnx';

const conv = (name: string, x: string, w: string, y: string): { op: string; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, number[]> } => ({
  op: 'Conv',
  name,
  inputs: [x, w],
  outputs: [y],
  attrs: { kernel_shape: [1, 1] },
});
const weights = (name: string, outC: number, inC: number): { name: string; dims: number[]; values: number[] } => ({
  name,
  dims: [outC, inC, 1, 1],
  values: Array.from({ length: outC * inC }, (_, i) => (i % 5) - 2),
});
const ops = (g: Graph): string[] => g.nodes.map((n) => n.op);
const failure = (bytes: Uint8Array): ModelFormatError => {
  try {
    readOnnx(bytes, { file: 'm.onnx' });
  } catch (e) {
    if (e instanceof ModelFormatError) return e;
    throw e;
  }
  throw new Error('read');
};

describe('ONNX graph inputs and outputs keep their declared shape and layout', () => {
  it('an NCHW input is converted by an explicit Transpose; the output converts back', () => {
    const g = readOnnx(
      onnxTestModel({
        inputs: [{ name: 'x', dims: ['N', 3, 4, 5] }],
        outputs: [{ name: 'y' }],
        nodes: [conv('c', 'x', 'w', 'y')],
        initializers: [weights('w', 2, 3)],
      }),
    );
    expect(g.tensors[g.inputs[0]]).toMatchObject({ name: 'x', shape: [1, 3, 4, 5], layout: 'NCHW' });
    expect(g.tensors[g.outputs[0]]).toMatchObject({ name: 'y', shape: [1, 2, 4, 5], layout: 'NCHW' });
    expect(ops(g)).toEqual(['Transpose', 'Conv2D', 'Transpose']);
    expect(constantInts(g.tensors[g.nodes[0].inputs[1]])).toEqual([0, 2, 3, 1]);
    expect(g.metadata.warnings).toBeUndefined();
  });

  it('a TFLite file written from it keeps the declared layouts (metadata tinyforge.io_layouts)', () => {
    const g = readOnnx(onnxTestModel({ inputs: [{ name: 'x', dims: [1, 3, 4, 5] }], outputs: [{ name: 'y' }], nodes: [conv('c', 'x', 'w', 'y')], initializers: [weights('w', 2, 3)] }));
    const back = readTflite(writeTflite(g));
    expect(back.tensors[back.inputs[0]]).toMatchObject({ shape: [1, 3, 4, 5], layout: 'NCHW' });
    expect(back.tensors[back.outputs[0]]).toMatchObject({ shape: [1, 2, 4, 5], layout: 'NCHW' });
    expect(back.metadata.props['tinyforge.io_layouts']).toBeUndefined();
  });

  it('a conversion that moves no bytes (C = 1) is a Reshape', () => {
    const g = readOnnx(
      onnxTestModel({
        inputs: [{ name: 'x', dims: [1, 1, 4, 5] }],
        outputs: [{ name: 'y' }],
        nodes: [conv('c', 'x', 'w', 'y')],
        initializers: [weights('w', 1, 1)],
      }),
    );
    expect(ops(g)).toEqual(['Reshape', 'Conv2D', 'Reshape']);
    expect(g.tensors[g.inputs[0]].shape).toEqual([1, 1, 4, 5]);
  });

  it('an NHWC input (keras2onnx: a Transpose to NCHW first) needs no conversion at all', () => {
    const g = readOnnx(
      onnxTestModel({
        inputs: [{ name: 'x', dims: ['N', 4, 5, 3] }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Transpose', name: 't_in', inputs: ['x'], outputs: ['x_nchw'], attrs: { perm: [0, 3, 1, 2] } },
          conv('c', 'x_nchw', 'w', 'c_out'),
          { op: 'Transpose', name: 't_out', inputs: ['c_out'], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } },
        ],
        initializers: [weights('w', 2, 3)],
      }),
    );
    expect(g.tensors[g.inputs[0]]).toMatchObject({ shape: [1, 4, 5, 3], layout: 'NHWC' });
    expect(g.tensors[g.outputs[0]]).toMatchObject({ shape: [1, 4, 5, 2], layout: 'NHWC' });
    expect(ops(g)).toEqual(['Conv2D']);
  });

  it('says which layout it assumed when no operator tells', () => {
    const g = readOnnx(
      onnxTestModel({
        inputs: [{ name: 'x', dims: [1, 28, 28, 1] }],
        outputs: [{ name: 'y', dims: [1, 784] }],
        nodes: [{ op: 'Flatten', inputs: ['x'], outputs: ['y'], attrs: { axis: 1 } }],
      }),
    );
    expect(g.tensors[g.inputs[0]]).toMatchObject({ shape: [1, 28, 28, 1], layout: 'NCHW' });
    expect(g.metadata.warnings).toEqual([expect.stringMatching(/graph input 'x' \[1, 28, 28, 1\]: .*assumed NCHW/)]);
  });
});

describe('ONNX node order and unsupported operators', () => {
  const chain = (order: number[]): Uint8Array => {
    const nodes = [
      { op: 'Relu', name: 'a', inputs: ['x'], outputs: ['t1'] },
      { op: 'Sigmoid', name: 'b', inputs: ['t1'], outputs: ['t2'] },
      { op: 'Tanh', name: 'c', inputs: ['t2'], outputs: ['y'] },
    ];
    return onnxTestModel({ inputs: [{ name: 'x', dims: [1, 8] }], outputs: [{ name: 'y' }], nodes: order.map((i) => nodes[i]) });
  };

  it('sorts nodes stored out of topological order (as keras2onnx writes them)', () => {
    expect(ops(readOnnx(chain([2, 0, 1])))).toEqual(['Relu', 'Logistic', 'Tanh']);
  });

  it('refuses a real cycle, naming its nodes', () => {
    const e = failure(
      onnxTestModel({
        inputs: [{ name: 'x', dims: [1, 8] }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Add', name: 'p', inputs: ['x', 'q_out'], outputs: ['p_out'] },
          { op: 'Relu', name: 'q', inputs: ['p_out'], outputs: ['q_out'] },
          { op: 'Relu', name: 'r', inputs: ['p_out'], outputs: ['y'] },
        ],
      }),
    );
    expect(e.code).toBe('FORMAT_MALFORMED');
    expect(e.message).toMatch(/cycle: 'p' → 'q' → 'p'/);
  });

  it('names every unsupported operator at once', () => {
    const e = failure(
      onnxTestModel({
        inputs: [{ name: 'x', dims: [1, 8] }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Erf', name: 'e1', inputs: ['x'], outputs: ['t1'] },
          { op: 'Erf', name: 'e2', inputs: ['t1'], outputs: ['t2'] },
          { op: 'Celu', name: 'c', inputs: ['t2'], outputs: ['t3'] },
          { op: 'Relu', name: 'r', inputs: ['t3'], outputs: ['y'] },
        ],
      }),
    );
    expect(e.code).toBe('FORMAT_UNSUPPORTED');
    expect(e.unsupported.map((f) => [f.name, f.where])).toEqual([
      ['Erf (opset 13)', ["node 'e1'", "node 'e2'"]],
      ['Celu (opset 13)', ["node 'c'"]],
    ]);
  });
});

const ONNX_DIR = path.resolve(__dirname, '../../../../../shared/onnx');
const withShared = fs.existsSync(ONNX_DIR) ? describe : describe.skip;
if (!fs.existsSync(ONNX_DIR)) console.warn(`ONNX exporter model tests skipped: ${ONNX_DIR} not found`);

withShared('MNIST models from PyTorch and keras2onnx (../shared/onnx)', () => {
  const read = (f: string): Graph => readOnnx(new Uint8Array(fs.readFileSync(path.join(ONNX_DIR, f))), { file: f });

  it('PyTorch: the NCHW input [N,1,28,28] keeps its shape; C = 1 makes its conversion a Reshape', () => {
    const g = read('mnist_pytorch.onnx');
    expect(g.tensors[g.inputs[0]]).toMatchObject({ name: 'input', shape: [1, 1, 28, 28], layout: 'NCHW' });
    expect(ops(g).filter((op) => op === 'Transpose')).toEqual([]);
    expect(g.metadata.warnings).toBeUndefined();
  });

  it('keras2onnx: nodes out of order; the NHWC input [N,28,28,1] feeds the first conv with no transpose', () => {
    const g = read('mnist_keras2onnx_unsorted.onnx');
    expect(g.tensors[g.inputs[0]]).toMatchObject({ name: 'conv2d_5_input', shape: [1, 28, 28, 1], layout: 'NHWC' });
    expect(g.nodes[0].op).toBe('Conv2D');
    expect(g.nodes[0].inputs[0]).toBe(g.inputs[0]);
    expect(ops(g).filter((op) => op === 'Transpose')).toEqual([]);
  });
});

describe('1-D operators (rank-3 tensors) become the 2-D ones with H = 1', () => {
  it('a chain of 1-D convolutions and activations moves no data between its layers', () => {
    const w = (name: string, o: number, i: number, k: number): { name: string; dims: number[]; values: number[] } => ({ name, dims: [o, i, k], values: Array.from({ length: o * i * k }, (_, j) => Math.sin(j)) });
    const g = readOnnx(
      onnxTestModel({
        inputs: [{ name: 'x', dims: ['N', 3, 16] }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attrs: { kernel_shape: [3], pads: [1, 1] } },
          { op: 'Relu', inputs: ['a'], outputs: ['b'] },
          { op: 'MaxPool', inputs: ['b'], outputs: ['c'], attrs: { kernel_shape: [2], strides: [2] } },
          { op: 'Conv', inputs: ['c', 'w2'], outputs: ['d'], attrs: { kernel_shape: [3], pads: [1, 1], group: 2 } },
          { op: 'ConvTranspose', inputs: ['d', 'w3'], outputs: ['y'], attrs: { kernel_shape: [4], strides: [2], pads: [1, 1] } },
        ],
        initializers: [w('w1', 4, 3, 3), w('w2', 4, 2, 3), w('w3', 4, 2, 4)],
      }),
    );
    expect(g.tensors[g.inputs[0]].shape).toEqual([1, 3, 16]);
    expect(g.tensors[g.outputs[0]].shape).toEqual([1, 2, 16]);
    // the input to NHWC [1, 1, 16, 3] and the output back: the only data movement
    expect(ops(g)).toEqual(['Reshape', 'Transpose', 'Conv2D', 'Relu', 'MaxPool2D', 'Conv2D', 'TransposeConv2D', 'Transpose', 'Reshape']);
    expect(g.tensors[g.nodes[5].inputs[1]].shape).toEqual([4, 1, 3, 2]); // one grouped node: filter [Co, 1, k, Ci/2]
  });
});
