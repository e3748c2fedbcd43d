import * as fs from 'fs';
import * as path from 'path';
import { onnx } from '@tinyforge/onnx-proto';
import { validateGraph } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { ONNX_IMPORTERS, ONNX_MAX_OPSET, ONNX_MIN_OPSET, readOnnx, writeOnnx } from '.';
import { constantFloatValues, decodeTensor, toInt } from './proto-values';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrt } = require('../../../../tools/testing/ort-runner') as {
  runOrt: (jobs: { model: Uint8Array; feeds: Record<string, { dims: number[]; data: Float32Array }> }[]) => ({ dims: number[]; data: Float32Array }[] | Error)[];
};

/** ONNX's backend node tests, and its PyTorch operator / converted-module tests (opset 6, as PyTorch exported then). */
const TEST_DATA = '/usr/share/libonnx-testdata/data';
const NODE_TESTS = path.join(TEST_DATA, 'node');
const SUITES = ['node', 'pytorch-operator', 'pytorch-converted'];
const present = fs.existsSync(NODE_TESTS);
if (!present) console.warn(`ONNX node tests skipped: ${NODE_TESTS} is absent (apt-get install libonnx-testdata)`);
const d = present ? describe : describe.skip;

/** Operand positions that the IR needs as constants (weights, shapes, axes, bounds, quantization parameters). */
const PARAMETER_INPUTS: Record<string, number[]> = {
  Conv: [1, 2], ConvTranspose: [1, 2], Tile: [1], Gemm: [1, 2], MatMul: [1], Clip: [1, 2], Pad: [1, 2, 3], Reshape: [1], Squeeze: [1], Unsqueeze: [1],
  QuantizeLinear: [1, 2], DequantizeLinear: [1, 2], ReduceMean: [1], Dropout: [1, 2], LSTM: [1, 2, 3, 4, 5, 6, 7], GRU: [1, 2, 3, 4, 5],
};

/**
 * Node tests pass weights and shapes as graph inputs; a deployed model has them as initializers. Freeze those inputs
 * from test_data_set_0, as an exporter would have.
 */
function freezeParameters(dir: string): { model: onnx.ModelProto; frozen: Set<string> } {
  const model = onnx.ModelProto.decode(fs.readFileSync(path.join(dir, 'model.onnx')));
  const g = model.graph as onnx.GraphProto;
  const params = new Set<string>();
  // Decoded messages are class instances: their fields are set (the generated interfaces say optional).
  for (const n of g.node as onnx.NodeProto[]) for (const i of PARAMETER_INPUTS[n.opType] ?? []) if (n.input[i]) params.add(n.input[i]);
  const frozen = new Set<string>();
  (g.input as onnx.ValueInfoProto[]).forEach((v, k) => {
    if (!params.has(v.name)) return;
    const pb = path.join(dir, 'test_data_set_0', `input_${k}.pb`);
    if (!fs.existsSync(pb)) return;
    const t = onnx.TensorProto.decode(fs.readFileSync(pb));
    t.name = v.name;
    g.initializer.push(t);
    frozen.add(v.name);
  });
  g.input = (g.input as onnx.ValueInfoProto[]).filter((v) => !frozen.has(v.name));
  return { model, frozen };
}

function supportedOps(model: onnx.ModelProto): boolean {
  const opset = toInt(model.opsetImport.find((o) => !o.domain)?.version);
  return opset >= ONNX_MIN_OPSET && opset <= ONNX_MAX_OPSET && ((model.graph as onnx.GraphProto).node as onnx.NodeProto[]).every((n) => !n.domain && ONNX_IMPORTERS[n.opType] !== undefined);
}

/** Node tests with supported ops that the reader rejects on purpose, each for a reason. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  test_reshape_allowzero_reordered: 'a zero-size tensor (input [0, 3, 4]): tensors without elements are refused',
  test_add_uint8: 'integer arithmetic without quantization parameters',
  test_sub_uint8: 'integer arithmetic without quantization parameters',
  test_mul_uint8: 'integer arithmetic without quantization parameters',
  test_div_uint8: 'integer arithmetic without quantization parameters',
  test_maxpool_2d_uint8: 'integer arithmetic without quantization parameters',
  test_clip_default_int8_inbounds: 'integer arithmetic without quantization parameters',
  test_clip_default_int8_max: 'integer arithmetic without quantization parameters',
  test_clip_default_int8_min: 'integer arithmetic without quantization parameters',
  test_averagepool_3d_default: '3-D pooling',
  test_maxpool_3d_default: '3-D pooling',
  test_averagepool_2d_ceil: 'ceil_mode = 1 changing the output size',
  test_maxpool_2d_ceil: 'ceil_mode = 1 changing the output size',
  test_averagepool_2d_pads_count_include_pad: 'count_include_pad = 1 with padding',
  test_averagepool_2d_precomputed_pads_count_include_pad: 'count_include_pad = 1 with padding',
  test_maxpool_2d_dilations: 'dilated pooling',
  test_maxpool_with_argmax_2d_precomputed_pads: 'MaxPool Indices output',
  test_maxpool_with_argmax_2d_precomputed_strides: 'MaxPool Indices output',
  test_batchnorm_epsilon_training_mode: 'BatchNormalization training mode',
  test_batchnorm_example_training_mode: 'BatchNormalization training mode',
  test_dropout_default_mask: 'Dropout mask output',
  test_dropout_default_mask_ratio: 'Dropout mask output',
  test_training_dropout_default_mask: 'Dropout mask output',
  test_training_dropout_mask: 'Dropout mask output',
  test_training_dropout_zero_ratio_mask: 'Dropout mask output',
  test_training_dropout: 'Dropout training_mode = true',
  test_training_dropout_default: 'Dropout training_mode = true',
  test_training_dropout_zero_ratio: 'Dropout training_mode = true',
  test_edge_pad: "Pad mode 'edge'",
  test_reflect_pad: "Pad mode 'reflect'",
  test_matmul_4d: 'MatMul with a 4-D A',
  test_matmul_3d: 'MatMul with a 3-D B (batched weights)',
  test_softmax_axis_0: 'Softmax over a non-innermost axis',
  test_softmax_functional_dim3: 'Softmax over a non-innermost axis',
  test_operator_addmm: 'Gemm with a C computed at run time',
  test_convtranspose_dilations: 'dilated transposed convolution',
  test_softmax_axis_1: 'Softmax over a non-innermost axis',
  test_constant: 'a graph output that is a constant',
  test_identity_opt: 'optional type',
  test_identity_sequence: 'sequence type',
  test_lstm_with_peepholes: 'LSTM peephole weights (TFLite Micro’s LSTM has none)',
};

/** How many tests of each suite must read (a floor that only rises). */
const MIN_READ: Record<string, number> = { node: 153, 'pytorch-operator': 14, 'pytorch-converted': 44 };

/** Groups of tests refused for one reason each, by name. */
const UNSUPPORTED_PATTERNS: [RegExp, string][] = [
  [/^test_cast(like)?_\w*(BFLOAT16|DOUBLE|FLOAT16|STRING)/, 'Cast to or from an element type the IR does not have'],
  [/^test_operator_add(_\w*broadcast|constant)$/, 'DOUBLE tensors'],
  [/^test_(shape|constantofshape|gather|Embedding)/, 'Shape / ConstantOfShape / Gather of run-time values, or a graph output that is a constant (only constant shape arithmetic is folded)'],
  [/^test_((conv|convtranspose|averagepool|maxpool)_3d\w*|(AvgPool|MaxPool|Conv|BatchNorm)3d\w*)$/, '3-D convolution, pooling or batch norm'],
  [/^test_MaxPool\dd_stride_padding_dilation$/, 'dilated pooling'],
  [/^test_(operator_pad|ReflectionPad2d|ReplicationPad2d)$/, "Pad modes 'reflect' and 'edge'"],
];
const knownUnsupported = (t: string): boolean => t in KNOWN_UNSUPPORTED || UNSUPPORTED_PATTERNS.some(([re]) => re.test(t));

d('libonnx-testdata node tests', () => {
  const tests = present ? fs.readdirSync(NODE_TESTS).sort() : [];
  const suiteTests = (suite: string): string[] => (fs.existsSync(path.join(TEST_DATA, suite)) ? fs.readdirSync(path.join(TEST_DATA, suite)).sort() : []);

  it.each(SUITES)('reads every %s test made of supported ops, except the documented cases', (suite) => {
    let attempted = 0;
    let skipped = 0;
    const read: string[] = [];
    const rejected: Record<string, string> = {};
    const all = suiteTests(suite);
    for (const t of all) {
      const { model } = freezeParameters(path.join(TEST_DATA, suite, t));
      if (!supportedOps(model)) {
        skipped++;
        continue;
      }
      attempted++;
      try {
        const graph = readOnnx(onnx.ModelProto.encode(model).finish(), { file: t });
        expect(validateGraph(graph)).toEqual([]);
        read.push(t);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFormatError);
        rejected[t] = `${(e as ModelFormatError).code}: ${(e as Error).message}`;
      }
    }
    console.log(`ONNX ${suite} tests: ${all.length} in all, attempted ${attempted}, read ${read.length}, skipped ${skipped} (unsupported op or opset)`);
    const unexpected = Object.keys(rejected).filter((t) => !knownUnsupported(t));
    expect(unexpected.map((t) => `${t}: ${rejected[t]}`)).toEqual([]);
    for (const t of Object.keys(rejected)) expect(rejected[t]).toMatch(/^FORMAT_UNSUPPORTED/);
    // every documented refusal still happens (a stale entry would hide a test that now reads)
    expect(read.filter(knownUnsupported)).toEqual([]);
    expect(read.length + Object.keys(rejected).length).toBe(attempted);
    expect(read.length).toBeGreaterThanOrEqual(MIN_READ[suite]);
  });

  /** read → write → onnxruntime: the written NCHW model must compute what the original test expects. */
  const ORT_CASES = [
    'test_conv_with_strides_padding',
    'test_conv_with_autopad_same',
    'test_basic_conv_with_padding',
    'test_averagepool_2d_pads',
    'test_maxpool_2d_same_upper',
    'test_globalaveragepool_precomputed',
    'test_gemm_all_attributes',
    'test_batchnorm_example',
    'test_flatten_axis1',
    'test_transpose_all_permutations_3',
    'test_concat_3d_axis_1',
    'test_reduce_mean_keepdims_example',
    'test_softmax_example',
    'test_relu',
    'test_leakyrelu',
    'test_clip_example',
    'test_add_bcast',
    'test_unsqueeze_axis_1',
    'test_convtranspose',
    'test_convtranspose_1d',
    'test_convtranspose_pads',
    'test_convtranspose_kernel_shape',
    'test_convtranspose_autopad_same',
    'test_averagepool_1d_default',
    'test_maxpool_1d_default',
    'test_tile',
    'test_sum_example',
  ].filter((t) => tests.includes(t) && supportedOps(freezeParameters(path.join(NODE_TESTS, t)).model));

  const ortResults = new Map<string, { dims: number[]; data: Float32Array }[] | Error>();
  beforeAll(() => {
    const jobs = ORT_CASES.map((t) => {
      const dir = path.join(NODE_TESTS, t);
      const { model, frozen } = freezeParameters(dir);
      const written = writeOnnx(readOnnx(onnx.ModelProto.encode(model).finish(), { file: t }));
      const original = onnx.ModelProto.decode(fs.readFileSync(path.join(dir, 'model.onnx'))).graph as onnx.GraphProto;
      const feeds: Record<string, { dims: number[]; data: Float32Array }> = {};
      (original.input as onnx.ValueInfoProto[]).forEach((v, k) => {
        if (frozen.has(v.name)) return;
        const c = decodeTensor(onnx.TensorProto.decode(fs.readFileSync(path.join(dir, 'test_data_set_0', `input_${k}.pb`))), {});
        feeds[v.name] = { dims: c.dims, data: Float32Array.from(constantFloatValues(c)) };
      });
      return { model: written, feeds };
    });
    runOrt(jobs).forEach((outputs, k) => ortResults.set(ORT_CASES[k], outputs));
  });

  it.each(ORT_CASES)('%s: read → write → onnxruntime matches output_0.pb', (t) => {
    const expected = decodeTensor(onnx.TensorProto.decode(fs.readFileSync(path.join(NODE_TESTS, t, 'test_data_set_0', 'output_0.pb'))), {});
    const outputs = ortResults.get(t)!;
    if (outputs instanceof Error) throw outputs;
    const got = outputs[0];
    expect(got.dims).toEqual(expected.dims);
    const want = constantFloatValues(expected);
    const worst = Math.max(...want.map((v, i) => Math.abs(got.data[i] - v) / Math.max(1, Math.abs(v))));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});
