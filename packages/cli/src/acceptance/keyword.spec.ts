/**
 * TFLite Micro's keyword benchmark models (../shared/tflm/keyword_scrambled*.tflite: seven SVDF layers with int16 or
 * int8 state, fully connected layers, an int8 -> int16 softmax, int16 in, int32 out) on the reference interpreter,
 * the host engine, qemu-m4 and qemu-m55: byte-identical on every engine. Every intermediate tensor is a graph output
 * here (each engine returns them all), and three inputs run in turn with the SVDF state persisting from one invoke
 * to the next, as in TFLite Micro. The scrambled weights and int32 biases (near +-2^31) saturate every layer from
 * the first SVDF on (two or three values per tensor whatever the input): that the SVDF arithmetic and state agree
 * across engines on informative values is the property tests' (kernels-cmsis property-s16.spec.ts, host vs
 * interpreter) and the state spec's (codegen-c e2e/state.spec.ts) job.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Graph, SeededRandom, tensorBytes } from '@tinyforge/ir';
import { readTflite } from '@tinyforge/model-format';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { ioBytes, runBoardEngine, runHostEngine, runReference, splitBytes, withAllOutputs } from './engines';

const TFLM = path.resolve(__dirname, '../../../../../shared/tflm');
const haveShared = fs.existsSync(path.join(TFLM, 'keyword_scrambled.tflite'));
const haveBoard = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!haveShared) console.warn(`keyword_scrambled acceptance skipped: ${TFLM} not found`);
else if (!haveBoard) console.warn('keyword_scrambled acceptance on boards skipped: needs arm-none-eabi-gcc, qemu-system-arm and socat');
const d = haveShared ? describe : describe.skip;
jest.setTimeout(600_000);

const MODELS = ['keyword_scrambled.tflite', 'keyword_scrambled_8bit.tflite'];

d.each(MODELS)('%s on ref, host, qemu-m4 and qemu-m55', (file) => {
  const original = readTflite(new Uint8Array(fs.readFileSync(path.join(TFLM, file))), { file });
  // int16 features of a spectrogram-like range, three frames in turn.
  const r = new SeededRandom(0x5d1f);
  const inputs = [0, 1, 2].map(() => new Uint8Array(Int16Array.from({ length: ioBytes(original, 'inputs') / 2 }, () => r.int(-3000, 3000)).buffer));
  const graph: Graph = withAllOutputs(original);
  const results = new Map<string, Uint8Array[]>();

  beforeAll(async () => {
    results.set('ref', runReference(graph, inputs));
    results.set('host', runHostEngine(graph, inputs));
    if (haveBoard) {
      for (const board of ['qemu-m4', 'qemu-m55']) {
        const run = await runBoardEngine(graph, board, inputs);
        results.set(board, run.outputs);
        console.log(`${file} on ${board}: ${run.instructions.join(', ')} instructions per invoke (every tensor an output)`);
      }
    }
  });

  test('every node output is compared (seven SVDF layers), saturated as shipped', () => {
    const ref = results.get('ref')!;
    expect(graph.outputs.length).toBe(original.nodes.length);
    const svdfOutputs = graph.outputs.map((t, k) => ({ t, k })).filter(({ t }) => graph.nodes.find((n) => n.outputs[0] === t)?.op === 'Svdf');
    expect(svdfOutputs.length).toBe(7);
    const distinct = svdfOutputs.map(({ k }) => new Set(splitBytes(graph, ref[0], 'outputs')[k]).size);
    console.log(`${file}: distinct values in the seven SVDF outputs: ${distinct.join(', ')} (scrambled weights)`);
    expect(Math.max(...distinct)).toBeLessThanOrEqual(3);
  });

  test.each(['host', 'qemu-m4', 'qemu-m55'])('%s: every tensor of every invoke byte-identical to the reference', (engine) => {
    if (!results.has(engine)) return;
    const ref = results.get('ref')!;
    const got = results.get(engine)!;
    const differing: string[] = [];
    got.forEach((bytes, run) => {
      const parts = splitBytes(graph, bytes, 'outputs');
      splitBytes(graph, ref[run], 'outputs').forEach((expected, k) => {
        if (!Buffer.from(parts[k]).equals(Buffer.from(expected))) differing.push(`invoke ${run}: ${graph.tensors[graph.outputs[k]].name} (${tensorBytes(graph.tensors[graph.outputs[k]])} bytes)`);
      });
    });
    expect(differing).toEqual([]);
  });
});
