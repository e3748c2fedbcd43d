import * as fs from 'fs';
import * as path from 'path';
import { elementCount, Graph, validateGraph } from '@tinyforge/ir';
import { readModelFile, readTflite, writeTflite } from '@tinyforge/model-format';
import { pruneTensors } from '../passes';
import { measureQuantization } from '../report/measure';
import { MODELS_DIR, randomFloats, seeded, smallCnn } from '../test-support/float-graphs';
import { quantizeModel } from './quantize-model';

const samples = (g: Graph, count: number, seed: number, lo: number, hi: number): Float32Array[][] => {
  const r = seeded(seed);
  return Array.from({ length: count }, () => [randomFloats(elementCount(g.tensors[g.inputs[0]].shape), r, lo, hi)]);
};

const int32 = (g: Graph, t: number): number[] => Array.from(new Int32Array(g.tensors[t].data!.slice().buffer));

describe('bias correction', () => {
  it('changes only the int32 biases of conv / depthwise / FC layers, and the graph stays valid and writable', () => {
    const g = smallCnn(4);
    const calib = samples(g, 24, 2, 0, 1);
    const plain = quantizeModel(g, calib, { io: 'int8' });
    const corrected = quantizeModel(g, calib, { io: 'int8', biasCorrection: true });
    expect(corrected.biasCorrections!.map((c) => c.node)).toEqual(['conv1', 'dw1', 'fc']);
    expect(validateGraph(corrected.int8Graph)).toEqual([]);
    let changed = 0;
    plain.int8Graph.nodes.forEach((node, k) => {
      const twin = corrected.int8Graph.nodes[k];
      expect(twin.op).toBe(node.op);
      node.inputs.forEach((t, i) => {
        const [a, b] = [plain.int8Graph.tensors[t], corrected.int8Graph.tensors[twin.inputs[i]]];
        if (a?.data === undefined) return;
        expect(b.quant).toEqual(a.quant);
        if (a.dtype === 'int32' && i === 2) changed += int32(plain.int8Graph, t).filter((v, j) => v !== int32(corrected.int8Graph, twin.inputs[i])[j]).length;
        else expect(Buffer.from(b.data!).equals(Buffer.from(a.data))).toBe(true);
      });
    });
    expect(changed).toBeGreaterThan(0);
    const back = readTflite(writeTflite(pruneTensors(corrected.int8Graph)));
    expect(back.nodes.map((n) => n.op)).toEqual(pruneTensors(corrected.int8Graph).nodes.map((n) => n.op));
  });

  it('small CNN: held-out output SQNR not worse', () => {
    const g = smallCnn(4);
    const calib = samples(g, 32, 2, 0, 1);
    const held = samples(g, 32, 3, 0, 1);
    const [plain, corrected] = [false, true].map((biasCorrection) => measureQuantization(quantizeModel(g, calib, { io: 'int8', biasCorrection }), held).outputSqnrDb);
    console.log(`small CNN held-out SQNR: ${plain.toFixed(2)} dB → ${corrected.toFixed(2)} dB with bias correction`);
    expect(corrected).toBeGreaterThanOrEqual(plain - 0.1);
  });

  const ad = path.join(MODELS_DIR, 'ad_autoencoder_float.tflite');
  const haveAd = fs.existsSync(ad);
  if (!haveAd) console.warn(`skipping the bias-correction check on the MLPerf Tiny AD model: ${ad} not found`);
  (haveAd ? it : it.skip)('MLPerf Tiny AD: held-out output SQNR gains over 1 dB', () => {
    const g = readModelFile(ad);
    const calib = samples(g, 64, 5, -4, 4);
    const held = samples(g, 32, 6, -4, 4);
    const [plain, corrected] = [false, true].map((biasCorrection) => measureQuantization(quantizeModel(g, calib, { io: 'int8', biasCorrection }), held).outputSqnrDb);
    console.log(`AD held-out SQNR: ${plain.toFixed(2)} dB → ${corrected.toFixed(2)} dB with bias correction`);
    expect(corrected).toBeGreaterThan(plain + 1);
  });
});
