import * as fs from 'fs';
import * as path from 'path';
import { isTinyforgeError } from '@tinyforge/ir';
import { readOnnx } from '@tinyforge/model-format';
import { onnx } from '@tinyforge/onnx-proto';
import { Interpreter } from './interpreter';

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

/** NCHW ↔ NHWC for 4-D float data (the importer's convention: every 4-D IR tensor is NHWC). */
function transpose4(data: Float32Array, dims: number[], toNhwc: boolean): Float32Array {
  if (dims.length !== 4) return data;
  const [n, c, h, w] = toNhwc ? dims : [dims[0], dims[3], dims[1], dims[2]];
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const nchw = ((b * c + ch) * h + y) * w + x;
          const nhwc = ((b * h + y) * w + x) * c + ch;
          if (toNhwc) out[nhwc] = data[nchw];
          else out[nchw] = data[nhwc];
        }
  return out;
}

d('ONNX backend node tests through the interpreter (float)', () => {
  it('matches test_data_set_0 for every test the importer and interpreter support', () => {
    let attempted = 0;
    const failures: string[] = [];
    for (const name of fs.readdirSync(NODE_TESTS).sort()) {
      const dir = path.join(NODE_TESTS, name);
      const setDir = path.join(dir, 'test_data_set_0');
      if (!fs.existsSync(path.join(dir, 'model.onnx')) || !fs.existsSync(setDir)) continue;
      const model = onnx.ModelProto.decode(fs.readFileSync(path.join(dir, 'model.onnx')));
      const g = model.graph as onnx.GraphProto;
      const params = new Set<string>();
      for (const n of g.node) for (const i of PARAMETER_INPUTS[n.opType] ?? []) if (n.input[i]) params.add(n.input[i]);
      const feeds: Float32Array[] = [];
      let usable = true;
      g.input.forEach((v, k) => {
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
        else feeds.push(transpose4(values, t.dims.map(Number), true));
      });
      if (!usable) continue;
      g.input = g.input.filter((v) => !params.has(v.name));
      let interp: Interpreter;
      try {
        interp = new Interpreter(readOnnx(onnx.ModelProto.encode(model).finish(), { file: name }));
      } catch (e) {
        if (isTinyforgeError(e)) continue; // not importable or no kernel: not attempted
        throw e;
      }
      if (interp.graph.inputs.length !== feeds.length || interp.graph.inputs.some((t) => interp.graph.tensors[t].dtype !== 'float32')) continue;
      attempted++;
      try {
        const { outputs } = interp.run(feeds.map((f) => new Uint8Array(f.buffer)));
        outputs.forEach((bytes, k) => {
          const expected = onnx.TensorProto.decode(fs.readFileSync(path.join(setDir, `output_${k}.pb`)));
          const want = floatValues(expected)!;
          const got = transpose4(new Float32Array(bytes.slice().buffer), interp.graph.tensors[interp.graph.outputs[k]].shape, false);
          let lo = Infinity;
          let hi = -Infinity;
          let worst = 0;
          for (let i = 0; i < want.length; i++) {
            lo = Math.min(lo, want[i]);
            hi = Math.max(hi, want[i]);
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
          }
          if (got.length !== want.length || !(worst <= 1e-4 * Math.max(hi - lo, 1))) throw new Error(`output ${k}: max abs error ${worst}`);
        });
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`);
      }
    }
    console.log(`ONNX backend node tests: attempted ${attempted}, passed ${attempted - failures.length}`);
    expect(attempted).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});
