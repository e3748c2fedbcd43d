import { Interpreter } from '@tinyforge/interpreter';
import { bytesOf, Graph, viewAs } from '@tinyforge/ir';
import { FashionMnist, imageAsFloat, IMAGE_PIXELS } from './dataset';
import { DatasetError } from './dataset-error';

export interface ModelEvaluation {
  count: number;
  correct: number;
  accuracy: number;
  predictions: Uint8Array;
}

/**
 * Top-1 accuracy of a float model with one [1, 28, 28, 1] float32 input and a 10-class output, run by the
 * reference interpreter on the first `limit` samples.
 */
export function evaluateGraph(graph: Graph, data: FashionMnist, limit = data.count): ModelEvaluation {
  const input = graph.tensors[graph.inputs[0]];
  const output = graph.tensors[graph.outputs[0]];
  if (graph.inputs.length !== 1 || input.dtype !== 'float32' || input.shape.reduce((a, d) => a * d, 1) !== IMAGE_PIXELS) {
    throw new DatasetError('DATASET_MISMATCH', `the model must take one float32 28×28×1 image, it takes ${graph.inputs.length} input(s), the first ${input.dtype} [${input.shape.join(', ')}]`);
  }
  const classes = output.shape.reduce((a, d) => a * d, 1);
  const interpreter = new Interpreter(graph);
  const count = Math.min(limit, data.count);
  const image = new Float32Array(IMAGE_PIXELS);
  const predictions = new Uint8Array(count);
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const scores = viewAs(interpreter.run([bytesOf(imageAsFloat(data, i, image))]).outputs[0], output.dtype) as ArrayLike<number>;
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[c] > scores[best]) best = c;
    predictions[i] = best;
    if (best === data.labels[i]) correct++;
  }
  return { count, correct, accuracy: correct / count, predictions };
}
