/**
 * Every layer of every int8 MLPerf Tiny model, run through the C kernels on the host and compared byte for byte
 * with TFLite Micro's reference outputs (../shared/gold/<model>/layers_0). Each layer gets TFLM's own input
 * activations, so a mismatch points at exactly one layer.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { readTflite } from '@tinyforge/model-format';
import { lowerNode } from './index';
import { encodeVectorFile, hasCompiler } from './testing';
import { buildVectorDriver } from './testing/c-harness';

const SHARED = path.resolve(__dirname, '../../../../shared');
const MODELS = ['kws_dscnn_int8', 'vww_mobilenet_int8', 'ic_resnet8_int8', 'ic_resnet_large_int8', 'ad_autoencoder_int8', 'sww_int8'];

const available = fs.existsSync(path.join(SHARED, 'gold')) && hasCompiler('gcc');
if (!available) console.warn(`kernels-cmsis gold tests skipped: needs ${SHARED}/gold and gcc`);
const d = available ? describe : describe.skip;

interface GoldTensor {
  op_index: number;
  op: string;
  tensor_index: number;
  file: string;
}

d('C kernels vs TFLite Micro, layer by layer', () => {
  let work: string;
  let driver: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-kernels-'));
    driver = path.join(work, 'tfg_vector_driver');
    buildVectorDriver(driver);
  }, 60_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test.each(MODELS)('%s: every layer bit-exact', (model) => {
    const graph = readTflite(fs.readFileSync(path.join(SHARED, 'models', `${model}.tflite`)), { file: `${model}.tflite` });
    const goldDir = path.join(SHARED, 'gold', model, 'layers_0');
    const gold: GoldTensor[] = JSON.parse(fs.readFileSync(path.join(goldDir, 'tensors.json'), 'utf8'));
    const activations = new Map<number, Int8Array>();
    const readInt8 = (file: string): Int8Array => {
      const b = fs.readFileSync(file);
      return new Int8Array(b.buffer, b.byteOffset, b.byteLength);
    };
    activations.set(graph.inputs[0], readInt8(path.join(SHARED, 'gold', model, 'input_0.bin')));
    for (const g of gold) activations.set(g.tensor_index, readInt8(path.join(goldDir, g.file)));

    expect(graph.nodes.length).toBe(gold.length);
    const args: string[] = [];
    graph.nodes.forEach((node, i) => {
      const call = lowerNode(graph, node);
      const inputs = call.inputs.map((t) => {
        const a = activations.get(t);
        if (a === undefined) throw new Error(`${model} node ${i}: no gold activation for tensor ${t}`);
        return a;
      });
      const vec = path.join(work, `${model}_${i}.vec`);
      fs.writeFileSync(vec, encodeVectorFile(call, inputs));
      args.push(vec, path.join(work, `${model}_${i}.out`));
    });
    const run = spawnSync(driver, args, { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const mismatches: string[] = [];
    gold.forEach((g, i) => {
      const expected = readInt8(path.join(goldDir, g.file));
      const actual = readInt8(path.join(work, `${model}_${i}.out`));
      let diff = 0;
      let maxAbs = 0;
      for (let k = 0; k < expected.length; k++) {
        if (expected[k] !== actual[k]) {
          diff++;
          maxAbs = Math.max(maxAbs, Math.abs(expected[k] - actual[k]));
        }
      }
      if (actual.length !== expected.length || diff > 0) {
        mismatches.push(`op ${i} ${g.op}: ${diff}/${expected.length} bytes differ (max |d| ${maxAbs}, got ${actual.length} bytes)`);
      }
    });
    expect(mismatches).toEqual([]);
  }, 60_000);
});
