import * as fs from 'fs';
import * as path from 'path';
import { readTflite } from '@tinyforge/model-format';
import { Interpreter } from './interpreter';
import { concatBytes, splitInputs } from './io';
import { byteMismatch, describeWithShared, GOLD_DIR, goldStyleInt8, MODELS_DIR, readGoldLayers } from './test-support/shared';

const INT8_MODELS = ['kws_dscnn_int8', 'vww_mobilenet_int8', 'ic_resnet8_int8', 'ic_resnet_large_int8', 'ad_autoencoder_int8', 'sww_int8'];

describeWithShared()('bit-exact against TFLite Micro gold (int8 models)', () => {
  describe.each(INT8_MODELS)('%s', (model) => {
    const load = (): Interpreter => {
      const file = path.join(MODELS_DIR, `${model}.tflite`);
      return new Interpreter(readTflite(new Uint8Array(fs.readFileSync(file)), { file }));
    };
    const gold = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(GOLD_DIR, model, name)));

    it('matches output_k.bin byte for byte for every gold input', () => {
      const interp = load();
      for (let k = 0; k < 4; k++) {
        const { outputs } = interp.run(splitInputs(interp.graph, gold(`input_${k}.bin`)));
        const diff = byteMismatch(concatBytes(outputs), gold(`output_${k}.bin`));
        if (diff !== undefined) throw new Error(`${model} output_${k}: ${diff.count} mismatching bytes, first at byte ${diff.first}`);
      }
    });

    it('matches every intermediate tensor of layers_0 byte for byte', () => {
      const interp = load();
      const { tensors } = interp.run(splitInputs(interp.graph, gold('input_0.bin')), { keepIntermediates: true });
      const layers = readGoldLayers(model);
      expect(layers.length).toBeGreaterThan(0);
      const byName = new Map(interp.graph.tensors.map((t, i) => [t.name, i]));
      const problems: string[] = [];
      for (const layer of layers) {
        const index = interp.graph.tensors[layer.tensor_index]?.name === layer.name ? layer.tensor_index : byName.get(layer.name);
        const actual = index === undefined ? undefined : tensors!.get(index);
        if (actual === undefined) {
          problems.push(`op ${layer.op_index} ${layer.op} '${layer.name}': tensor not found`);
          continue;
        }
        const diff = byteMismatch(actual, gold(path.join('layers_0', layer.file)));
        if (diff !== undefined) problems.push(`op ${layer.op_index} ${layer.op} '${layer.name}': ${diff.count} mismatching bytes, first at ${diff.first}`);
      }
      expect(problems).toEqual([]);
    });

    it('gives identical outputs on repeated runs of more gold-style inputs', () => {
      const interp = load();
      const size = interp.graph.inputs.reduce((n, t) => n + interp.graph.tensors[t].shape.reduce((a, b) => a * b, 1), 0);
      for (let seed = 2000; seed < 2002; seed++) {
        const input = splitInputs(interp.graph, goldStyleInt8(seed, size));
        const first = concatBytes(interp.run(input).outputs);
        const second = concatBytes(interp.run(input).outputs);
        expect(byteMismatch(first, second)).toBeUndefined();
      }
    });
  });
});
