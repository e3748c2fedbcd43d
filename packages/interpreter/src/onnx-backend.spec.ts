import * as fs from 'fs';
import * as path from 'path';
import { isTinyforgeError } from '@tinyforge/ir';
import { readOnnx } from '@tinyforge/model-format';
import { onnx } from '@tinyforge/onnx-proto';
import { Interpreter } from './interpreter';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrtJobs } = require('../../../tools/testing/ort-runner') as {
  runOrtJobs: (jobs: { model: Uint8Array; feeds: { name: string; dtype: string; dims: number[]; data: Float32Array }[] }[]) => ({ data: Float32Array }[] | Error)[];
};

/** max |got − want| ≤ 1e-4 × (max − min of want), with a float32-epsilon floor for near-constant outputs. */
function checkClose(got: Float32Array, want: Float32Array, what: string): void {
  let lo = Infinity;
  let hi = -Infinity;
  let worst = 0;
  let magnitude = 0;
  for (let i = 0; i < want.length; i++) {
    lo = Math.min(lo, want[i]);
    hi = Math.max(hi, want[i]);
    magnitude = Math.max(magnitude, Math.abs(want[i]));
    worst = Math.max(worst, Math.abs(got[i] - want[i]));
  }
  const bound = Math.max(1e-4 * (hi - lo), 4 * 1.2e-7 * magnitude);
  if (got.length !== want.length || !(worst <= bound)) throw new Error(`${what}: max abs error ${worst} > ${bound}`);
}

/** ONNX's backend node tests, and its PyTorch operator / converted-module tests (opset 6). */
const TEST_DATA = '/usr/share/libonnx-testdata/data';
const NODE_TESTS = path.join(TEST_DATA, 'node');
const SUITES = ['node', 'pytorch-operator', 'pytorch-converted'];
const present = fs.existsSync(NODE_TESTS);
if (!present) console.warn(`ONNX backend comparison skipped: ${NODE_TESTS} is absent (apt-get install libonnx-testdata)`);
const d = present ? describe : describe.skip;

/** Operands the IR needs as constants; node tests pass them as graph inputs, so they are frozen into initializers. */
const PARAMETER_INPUTS: Record<string, number[]> = {
  Conv: [1, 2], ConvTranspose: [1, 2], Tile: [1], Gemm: [1, 2], MatMul: [1], Clip: [1, 2], Pad: [1, 2], Reshape: [1], Squeeze: [1], Unsqueeze: [1], ReduceMean: [1],
  BatchNormalization: [1, 2, 3, 4], LSTM: [1, 2, 3, 4, 5, 6, 7], GRU: [1, 2, 3, 4, 5],
};

function floatValues(t: onnx.TensorProto): Float32Array | undefined {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
  if (t.rawData && t.rawData.length > 0) return new Float32Array(Uint8Array.from(t.rawData).buffer);
  return Float32Array.from(t.floatData);
}

interface Case {
  suite: string;
  name: string;
  interp: Interpreter;
  feeds: Float32Array[];
  model: Uint8Array;
  ortFeeds: { name: string; dtype: string; dims: number[]; data: Float32Array }[];
  setDir: string;
}

/** A test the importer and interpreter take: its model with parameters frozen, and its float inputs in declared layout. */
function loadCase(suite: string, name: string): Case | undefined {
  const dir = path.join(TEST_DATA, suite, name);
  const setDir = path.join(dir, 'test_data_set_0');
  if (!fs.existsSync(path.join(dir, 'model.onnx')) || !fs.existsSync(setDir)) return undefined;
  const model = onnx.ModelProto.decode(fs.readFileSync(path.join(dir, 'model.onnx')));
  const g = model.graph as onnx.GraphProto;
  const params = new Set<string>();
  // Decoded messages are class instances: their fields are set (the generated interfaces say optional).
  for (const n of g.node as onnx.NodeProto[]) for (const i of PARAMETER_INPUTS[n.opType] ?? []) if (n.input[i]) params.add(n.input[i]);
  const feeds: Float32Array[] = [];
  const ortFeeds: Case['ortFeeds'] = [];
  let usable = true;
  // input_k.pb is the k-th graph input that is not an initializer (old models list initializers as inputs too)
  const initialized = new Set((g.initializer as onnx.TensorProto[]).map((t) => t.name));
  (g.input as onnx.ValueInfoProto[])
    .filter((v) => !initialized.has(v.name))
    .forEach((v, k) => {
      const pb = path.join(setDir, `input_${k}.pb`);
      if (!fs.existsSync(pb)) return;
      const t = onnx.TensorProto.decode(fs.readFileSync(pb));
      if (params.has(v.name)) {
        t.name = v.name;
        g.initializer.push(t);
        return;
      }
      const values = floatValues(t);
      if (values === undefined) usable = false;
      else {
        feeds.push(values); // graph inputs keep their declared (NCHW) layout
        ortFeeds.push({ name: v.name, dtype: 'float32', dims: t.dims.map(Number), data: values });
      }
    });
  if (!usable) return undefined;
  g.input = (g.input as onnx.ValueInfoProto[]).filter((v) => !params.has(v.name));
  const bytes = onnx.ModelProto.encode(model).finish();
  let interp: Interpreter;
  try {
    interp = new Interpreter(readOnnx(bytes, { file: name }));
  } catch (e) {
    if (isTinyforgeError(e)) return undefined; // not importable or no kernel: not attempted
    throw e;
  }
  if (interp.graph.inputs.length !== feeds.length || interp.graph.inputs.some((t) => interp.graph.tensors[t].dtype !== 'float32')) return undefined;
  return { suite, name, interp, feeds, model: bytes, ortFeeds, setDir };
}

/** Floors that only rise: tests each suite must match. */
const MIN_MATCHED: Record<string, number> = { node: 149, 'pytorch-operator': 13, 'pytorch-converted': 44 };

d('ONNX backend node tests through the interpreter (float)', () => {
  it.each(SUITES)('%s: matches onnxruntime and the expected outputs of every test the importer and interpreter support', (suite) => {
    const dir = path.join(TEST_DATA, suite);
    const cases = (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []).map((name) => loadCase(suite, name)).filter((c): c is Case => c !== undefined);
    const ort = runOrtJobs(cases.map((c) => ({ model: c.model, feeds: c.ortFeeds })));
    const failures: string[] = [];
    let withoutOrt = 0;
    cases.forEach((c, j) => {
      try {
        const reference = ort[j];
        // onnxruntime implements opset 7 on and refuses some valid models (batch-wise LSTM/GRU, layout = 1): those are
        // checked against the test's expected outputs only
        if (reference instanceof Error) withoutOrt++;
        const { outputs } = c.interp.run(c.feeds.map((f) => new Uint8Array(f.buffer)));
        outputs.forEach((bytes, k) => {
          const got = new Float32Array(bytes.slice().buffer);
          if (!(reference instanceof Error)) checkClose(got, reference[k].data, `output ${k} vs onnxruntime`);
          const expected = floatValues(onnx.TensorProto.decode(fs.readFileSync(path.join(c.setDir, `output_${k}.pb`))))!;
          checkClose(got, expected, `output ${k} vs the test's expected output`);
        });
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).message}`);
      }
    });
    console.log(`ONNX ${suite} tests vs onnxruntime and expected outputs: attempted ${cases.length}, matched ${cases.length - failures.length} (${withoutOrt} onnxruntime refused: expected outputs only)`);
    expect(failures).toEqual([]);
    expect(cases.length - failures.length).toBeGreaterThanOrEqual(MIN_MATCHED[suite]);
  }, 300000);
});
