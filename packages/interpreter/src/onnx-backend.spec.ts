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

const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';
const present = fs.existsSync(NODE_TESTS);
if (!present) console.warn(`ONNX backend comparison skipped: ${NODE_TESTS} is absent (apt-get install libonnx-testdata)`);
const d = present ? describe : describe.skip;

/** Operands the IR needs as constants; node tests pass them as graph inputs, so they are frozen into initializers. */
const PARAMETER_INPUTS: Record<string, number[]> = {
  Conv: [1, 2], Gemm: [1, 2], MatMul: [1], Clip: [1, 2], Pad: [1, 2], Reshape: [1], Squeeze: [1], Unsqueeze: [1], ReduceMean: [1],
  BatchNormalization: [1, 2, 3, 4],
};

function floatValues(t: onnx.TensorProto): Float32Array | undefined {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
  if (t.rawData && t.rawData.length > 0) return new Float32Array(Uint8Array.from(t.rawData).buffer);
  return Float32Array.from(t.floatData);
}

d('ONNX backend node tests through the interpreter (float)', () => {
  it('matches onnxruntime and the expected outputs of every test the importer and interpreter support', () => {
    const cases: { name: string; interp: Interpreter; feeds: Float32Array[]; model: Uint8Array; ortFeeds: { name: string; dtype: string; dims: number[]; data: Float32Array }[]; setDir: string }[] = [];
    for (const name of fs.readdirSync(NODE_TESTS).sort()) {
      const dir = path.join(NODE_TESTS, name);
      const setDir = path.join(dir, 'test_data_set_0');
      if (!fs.existsSync(path.join(dir, 'model.onnx')) || !fs.existsSync(setDir)) continue;
      const model = onnx.ModelProto.decode(fs.readFileSync(path.join(dir, 'model.onnx')));
      const g = model.graph as onnx.GraphProto;
      const params = new Set<string>();
      // Decoded messages are class instances: their fields are set (the generated interfaces say optional).
      for (const n of g.node as onnx.NodeProto[]) for (const i of PARAMETER_INPUTS[n.opType] ?? []) if (n.input[i]) params.add(n.input[i]);
      const feeds: Float32Array[] = [];
      const ortFeeds: { name: string; dtype: string; dims: number[]; data: Float32Array }[] = [];
      let usable = true;
      (g.input as onnx.ValueInfoProto[]).forEach((v, k) => {
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
      if (!usable) continue;
      g.input = (g.input as onnx.ValueInfoProto[]).filter((v) => !params.has(v.name));
      const bytes = onnx.ModelProto.encode(model).finish();
      let interp: Interpreter;
      try {
        interp = new Interpreter(readOnnx(bytes, { file: name }));
      } catch (e) {
        if (isTinyforgeError(e)) continue; // not importable or no kernel: not attempted
        throw e;
      }
      if (interp.graph.inputs.length !== feeds.length || interp.graph.inputs.some((t) => interp.graph.tensors[t].dtype !== 'float32')) continue;
      cases.push({ name, interp, feeds, model: bytes, ortFeeds, setDir });
    }
    const ort = runOrtJobs(cases.map((c) => ({ model: c.model, feeds: c.ortFeeds })));
    const failures: string[] = [];
    cases.forEach((c, j) => {
      try {
        const reference = ort[j];
        if (reference instanceof Error) throw reference;
        const { outputs } = c.interp.run(c.feeds.map((f) => new Uint8Array(f.buffer)));
        outputs.forEach((bytes, k) => {
          const got = new Float32Array(bytes.slice().buffer);
          checkClose(got, reference[k].data, `output ${k} vs onnxruntime`);
          const expected = floatValues(onnx.TensorProto.decode(fs.readFileSync(path.join(c.setDir, `output_${k}.pb`))))!;
          checkClose(got, expected, `output ${k} vs the test's expected output`);
        });
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).message}`);
      }
    });
    console.log(`ONNX backend node tests vs onnxruntime: attempted ${cases.length}, passed ${cases.length - failures.length}`);
    expect(cases.length).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  }, 120000);
});
