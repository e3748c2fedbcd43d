import * as fs from 'fs';
import * as path from 'path';
import { readOnnx } from '@tinyforge/model-format';
import { loadFashionMnist } from '../dataset';
import { evaluateGraph } from '../evaluate-model';

/** The committed model's accuracy on the first `images` test images through the reference interpreter. */
export function committedModelAccuracy(images: number): { count: number; accuracy: number } {
  const file = path.resolve(__dirname, '../../fashion_mnist_cnn.onnx');
  const graph = readOnnx(new Uint8Array(fs.readFileSync(file)), { file });
  const result = evaluateGraph(graph, loadFashionMnist('test', { limit: images }));
  return { count: result.count, accuracy: result.accuracy };
}
