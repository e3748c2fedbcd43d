import { Graph, viewAs } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { readModelFile, readTflite, writeTflite } from '@tinyforge/model-format';
import { pruneTensors } from '../passes';
import { quantizeInput } from '../report/measure';
import { quantizeModel } from '../quantize/quantize-model';
import { DEMO_MODEL, fashionMnist } from './fashion-mnist';

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

function accuracy(g: Graph, inputs: Uint8Array[], labels: Uint8Array): number {
  const run = new Interpreter(g);
  const dtype = g.tensors[g.outputs[0]].dtype;
  let correct = 0;
  inputs.forEach((x, k) => {
    if (argmax(viewAs(run.run([x]).outputs[0], dtype) as ArrayLike<number>) === labels[k]) correct++;
  });
  return correct / inputs.length;
}

/**
 * The demo model quantized with the default calibration on `calibration` training images, written to TFLite and
 * read back; then float and int8 accuracy on the first `testImages` test images (the reference interpreter).
 */
export function fashionMnistAccuracy(calibration: number, testImages: number): { float: number; int8: number } {
  const floatModel = readModelFile(DEMO_MODEL);
  const calib = fashionMnist('train', calibration).images.map((x) => [x]);
  const test = fashionMnist('t10k', testImages);
  const { int8Graph } = quantizeModel(floatModel, calib, { io: 'int8' });
  const int8Model = readTflite(writeTflite(pruneTensors(int8Graph)));
  const inQ = int8Model.tensors[int8Model.inputs[0]].quant!;
  return {
    float: accuracy(floatModel, test.images.map((x) => new Uint8Array(x.buffer)), test.labels),
    int8: accuracy(int8Model, test.images.map((x) => new Uint8Array(quantizeInput(x, inQ).buffer)), test.labels),
  };
}
