import { createHash } from 'crypto';
import { isTinyforgeError, SeededRandom, validateGraph } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { ModelFormatError } from '../errors';
import { readOnnx } from '../onnx/read-onnx';
import { writeOnnx } from '../onnx/write-onnx';
import { readSharedModel, sharedModelNames } from '../tflite/shared-models';
import { readTflite } from '../tflite/reader';
import { writeTflite } from '../tflite/writer';
import { GRAPH_MUTATIONS, mutateGraph } from './graph-mutations';
import { FuzzSeed, MUTATION_KINDS, structuredMutant } from './mutate';
import { applyOnnxMutation, ONNX_PROTO_MUTATIONS } from './onnx-mutations';
import { applyTreeMutation, TFLITE_TREE_MUTATIONS, TfliteMutantState } from './tflite-mutations';
import { cloneTree, decodeTfliteTree, encodeTfliteTree } from './tflite-tree';

const haveShared = sharedModelNames().includes('kws_dscnn_int8.tflite');
const d = haveShared ? describe : describe.skip;
if (!haveShared) console.warn('structure-aware mutation specs skipped: ../shared/models is absent');

/** Readers answer every mutant with a valid graph or a ModelFormatError, nothing else. */
function readsCleanly(read: () => unknown): 'read' | string {
  try {
    const g = read() as Parameters<typeof validateGraph>[0];
    expect(validateGraph(g)).toEqual([]);
    return 'read';
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw new Error(`not a ModelFormatError: ${isTinyforgeError(e) ? e.code : String(e)}`);
    return e.code;
  }
}

d('structure-aware mutations', () => {
  const kws = readSharedModel('kws_dscnn_int8.tflite');

  it('the TFLite table tree writes back a file that reads as the original', () => {
    const digest = (d: Uint8Array | undefined): string => (d === undefined ? '-' : createHash('sha256').update(d).digest('hex'));
    for (const name of ['kws_dscnn_int8.tflite', 'ad_autoencoder_float.tflite', 'vww_mobilenet_int8.tflite']) {
      const bytes = readSharedModel(name);
      const again = encodeTfliteTree(decodeTfliteTree(bytes));
      const a = readTflite(bytes);
      const b = readTflite(again);
      expect(b.nodes.map((n) => [n.op, n.attrs, n.inputs, n.outputs])).toEqual(a.nodes.map((n) => [n.op, n.attrs, n.inputs, n.outputs]));
      expect(b.tensors.map((t) => [t.name, t.shape, t.dtype, t.quant, digest(t.data)])).toEqual(a.tensors.map((t) => [t.name, t.shape, t.dtype, t.quant, digest(t.data)]));
    }
  });

  it('every TFLite kind applies to the seeds and the reader answers each mutant with a graph or a typed error', () => {
    const trees = [decodeTfliteTree(kws), decodeTfliteTree(writeTflite(readTflite(readSharedModel('ad_autoencoder_float.tflite'))))];
    const never: string[] = [];
    for (const kind of TFLITE_TREE_MUTATIONS) {
      let applied = 0;
      for (const tree of trees) {
        for (let k = 0; k < 3; k++) {
          const state: TfliteMutantState = { model: cloneTree(tree), trailing: [], external: [] };
          if (applyTreeMutation(kind, state, new SeededRandom(k)) === undefined) continue;
          applied++;
          readsCleanly(() => readTflite(encodeTfliteTree(state.model, Uint8Array.from(state.trailing))));
        }
      }
      if (applied === 0) never.push(kind);
    }
    expect(never).toEqual([]);
  });

  it('every ONNX kind and every graph kind applies to a model and is read cleanly', () => {
    const bytes = writeOnnx(readTflite(readSharedModel('ic_resnet8_float.tflite')));
    const never: string[] = [];
    for (const kind of ONNX_PROTO_MUTATIONS) {
      let applied = 0;
      for (let k = 0; k < 5; k++) {
        const m = onnx.ModelProto.decode(bytes);
        if (applyOnnxMutation(kind, m, new SeededRandom(k)) === undefined) continue;
        applied++;
        readsCleanly(() => readOnnx(onnx.ModelProto.encode(m).finish()));
      }
      if (applied === 0) never.push(kind);
    }
    expect(never).toEqual([]);
    const int8 = readTflite(kws);
    for (const kind of GRAPH_MUTATIONS) expect([kind, mutateGraph(int8, kind, new SeededRandom(5)) !== undefined]).toEqual([kind, true]);
  });

  it('a mutant is a function of its seed; the families cover at least the issue\'s 50 TFLite and 30 ONNX kinds', () => {
    const seed = new FuzzSeed('kws', 'tflite', kws);
    for (const s of [1, 2, 3, 40, 41]) expect(structuredMutant(seed, s).bytes).toEqual(structuredMutant(new FuzzSeed('kws', 'tflite', kws), s).bytes);
    expect(MUTATION_KINDS.tflite.length + MUTATION_KINDS.graph.length + MUTATION_KINDS.bytes.length).toBeGreaterThanOrEqual(50);
    expect(MUTATION_KINDS.onnx.length + MUTATION_KINDS.graph.length + MUTATION_KINDS.bytes.length).toBeGreaterThanOrEqual(30);
  });
});
