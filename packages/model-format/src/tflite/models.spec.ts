import { Graph, validateGraph } from '@tinyforge/ir';
import { readTflite, writeTflite } from './index';
import { readSharedModel, SHARED_MODELS_DIR, sharedModelNames } from './shared-models';

const models = sharedModelNames();
const d = models.length > 0 ? describe : describe.skip;
if (models.length === 0) console.warn(`TFLite model tests skipped: no models in ${SHARED_MODELS_DIR}`);

interface Expected {
  ops: Record<string, number>;
  input: [number[], string, number?, number?];
  output: [number[], string, number?, number?];
}

// From ../shared/models/SOURCES.md (operator counts per model, I/O shape, type and quantization).
const CLASSIFIER_INT8 = (n: number): Expected['output'] => [[1, n], 'int8', 0.00390625, -128];
const EXPECTED: Record<string, Expected> = {
  'kws_dscnn_int8.tflite': {
    ops: { Conv2D: 5, DepthwiseConv2D: 4, AveragePool2D: 1, Reshape: 1, FullyConnected: 1, Softmax: 1 },
    input: [[1, 49, 10, 1], 'int8', 0.584702909, 83],
    output: CLASSIFIER_INT8(12),
  },
  'kws_dscnn_float.tflite': {
    ops: { Conv2D: 5, DepthwiseConv2D: 4, AveragePool2D: 1, Reshape: 1, FullyConnected: 1, Softmax: 1 },
    input: [[1, 49, 10, 1], 'float32'],
    output: [[1, 12], 'float32'],
  },
  'vww_mobilenet_int8.tflite': {
    ops: { Conv2D: 14, DepthwiseConv2D: 13, AveragePool2D: 1, Reshape: 1, FullyConnected: 1, Softmax: 1 },
    input: [[1, 96, 96, 3], 'int8', 0.00392156886, -128],
    output: CLASSIFIER_INT8(2),
  },
  'vww_mobilenet_float.tflite': {
    ops: { Conv2D: 14, DepthwiseConv2D: 13, AveragePool2D: 1, Reshape: 1, FullyConnected: 1, Softmax: 1 },
    input: [[1, 96, 96, 3], 'float32'],
    output: [[1, 2], 'float32'],
  },
  'ic_resnet8_int8.tflite': {
    ops: { Conv2D: 9, Add: 3, AveragePool2D: 1, Reshape: 1, FullyConnected: 1, Softmax: 1 },
    input: [[1, 32, 32, 3], 'int8', 1, -128],
    output: CLASSIFIER_INT8(10),
  },
  'ic_resnet8_float.tflite': {
    ops: { Conv2D: 9, Add: 3, AveragePool2D: 1, Reshape: 1, FullyConnected: 1, Softmax: 1 },
    input: [[1, 32, 32, 3], 'float32'],
    output: [[1, 10], 'float32'],
  },
  'ic_resnet_large_int8.tflite': {
    ops: { Conv2D: 9, Add: 3, AveragePool2D: 1, Reshape: 1, FullyConnected: 1, Softmax: 1 },
    input: [[1, 32, 32, 3], 'int8', 1, -128],
    output: CLASSIFIER_INT8(10),
  },
  'ic_resnet_large_float.tflite': {
    ops: { Conv2D: 9, Add: 3, AveragePool2D: 1, Reshape: 1, FullyConnected: 1, Softmax: 1 },
    input: [[1, 32, 32, 3], 'float32'],
    output: [[1, 10], 'float32'],
  },
  'ad_autoencoder_int8.tflite': {
    ops: { FullyConnected: 10 },
    input: [[1, 640], 'int8', 0.391015232, 89],
    output: [[1, 640], 'int8', 0.364498466, 96],
  },
  'ad_autoencoder_float.tflite': { ops: { FullyConnected: 10 }, input: [[1, 640], 'float32'], output: [[1, 640], 'float32'] },
  'sww_int8.tflite': {
    ops: { DepthwiseConv2D: 4, Conv2D: 4, Reshape: 1, FullyConnected: 1, Softmax: 1 },
    input: [[1, 30, 1, 40], 'int8', 0.00370104262, -128],
    output: CLASSIFIER_INT8(3),
  },
};

function histogram(g: Graph): Record<string, number> {
  const h: Record<string, number> = {};
  for (const n of g.nodes) h[n.op] = (h[n.op] ?? 0) + 1;
  return h;
}

function expectTensor(g: Graph, index: number, [shape, dtype, scale, zeroPoint]: Expected['input']): void {
  const t = g.tensors[index];
  expect(t.shape).toEqual(shape);
  expect(t.dtype).toBe(dtype);
  if (scale === undefined) {
    expect(t.quant).toBeUndefined();
  } else {
    expect(t.quant?.scale).toHaveLength(1);
    expect(t.quant?.scale[0]).toBeCloseTo(scale, 8);
    expect(t.quant?.zeroPoint).toEqual([zeroPoint]);
  }
}

/** The graph without constant bytes (compared separately: jest's deep equality is slow on megabytes). */
function withoutData(g: Graph): unknown {
  return { ...g, tensors: g.tensors.map(({ data, ...t }) => ({ ...t, constant: data !== undefined })) };
}

d('shared MLPerf Tiny models', () => {
  it('has an expectation for every model in the directory', () => {
    expect(models.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  // jest runs the bodies of skipped suites too (reading the files): only declare per-model suites when there are models.
  if (models.length > 0) describe.each(models)('%s', (name) => {
    const bytes = readSharedModel(name);
    const graph = readTflite(bytes, { file: name });
    const expected = EXPECTED[name];

    it('reads into a valid graph with the documented operators and I/O', () => {
      expect(validateGraph(graph)).toEqual([]);
      expect(histogram(graph)).toEqual(expected.ops);
      expect(graph.inputs).toHaveLength(1);
      expect(graph.outputs).toHaveLength(1);
      expectTensor(graph, graph.inputs[0], expected.input);
      expectTensor(graph, graph.outputs[0], expected.output);
      expect(graph.metadata.sourceFormat).toBe('tflite');
      expect(graph.metadata.producer).toBe('MLIR Converted.');
      expect(graph.metadata.props.min_runtime_version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(new Set(graph.nodes.map((n) => n.name)).size).toBe(graph.nodes.length);
    });

    it('round-trips read → write → read to the same graph and the same constant bytes', () => {
      const written = writeTflite(graph);
      expect(String.fromCharCode(...written.subarray(4, 8))).toBe('TFL3');
      const again = readTflite(written, { file: `${name} (rewritten)` });
      expect(withoutData(again)).toEqual(withoutData(graph));
      graph.tensors.forEach((t, i) => {
        const u = again.tensors[i].data;
        if (t.data === undefined) expect(u).toBeUndefined();
        else expect(u !== undefined && Buffer.compare(t.data, u) === 0).toBe(true);
      });
    });
  });

  it('keeps per-channel weight quantization and the hybrid model’s int8 weights', () => {
    const vww = readTflite(readSharedModel('vww_mobilenet_int8.tflite'));
    const conv = vww.nodes.find((n) => n.op === 'Conv2D');
    const w = vww.tensors[conv!.inputs[1]];
    expect(w.dtype).toBe('int8');
    expect(w.quant!.scale.length).toBe(w.shape[0]);
    expect(w.quant!.axis).toBe(0);
    const dw = vww.nodes.find((n) => n.op === 'DepthwiseConv2D');
    const dww = vww.tensors[dw!.inputs[1]];
    expect(dww.quant!.scale.length).toBe(dww.shape[3]);
    expect(dww.quant!.axis).toBe(3);

    const hybrid = readTflite(readSharedModel('kws_dscnn_float.tflite'));
    const hybridConvs = hybrid.nodes.filter((n) => n.op === 'Conv2D');
    expect(hybridConvs).toHaveLength(5);
    for (const c of hybridConvs) {
      expect(hybrid.tensors[c.inputs[0]].dtype).toBe('float32');
      expect(hybrid.tensors[c.inputs[1]].dtype).toBe('int8');
      expect(hybrid.tensors[c.inputs[1]].quant?.scale.length).toBe(1);
      expect(hybrid.tensors[c.outputs[0]].dtype).toBe('float32');
    }
  });
});
