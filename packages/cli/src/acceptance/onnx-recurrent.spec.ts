/**
 * PyTorch-style ONNX recurrent classifiers (model-format/testing's recurrentOnnxModel: nn.LSTM / nn.GRU, the
 * hidden state through a fully connected layer) imported, quantized by tinyforge (int8 with an int16 cell, 16x8,
 * and the int8 GRU), and run on the reference interpreter, the host engine, qemu-m4 and qemu-m55: byte-identical
 * outputs, three inputs in turn (ONNX state is per-run: every run starts from zero state). The float LSTM also
 * runs on the host engine (float C kernels). onnxruntime agreement of the float import is the interpreter's spec
 * (onnx-recurrent.spec.ts).
 */
import * as fs from 'fs';
import { Graph, SeededRandom, elementCount } from '@tinyforge/ir';
import { readOnnx } from '@tinyforge/model-format';
import { recurrentOnnxModel } from '@tinyforge/model-format/testing';
import { quantizeModel } from '@tinyforge/quantizer';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { ioBytes, runBoardEngine, runHostEngine, runReference } from './engines';

const haveBoard = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!haveBoard) console.warn('ONNX recurrent acceptance on boards skipped: needs arm-none-eabi-gcc, qemu-system-arm and socat');
jest.setTimeout(600_000);

function floatModel(cell: 'LSTM' | 'GRU', batchFirst: boolean): Graph {
  return readOnnx(recurrentOnnxModel({ cell, seed: cell === 'LSTM' ? 5 : 6, seq: 10, batch: 1, features: 6, hidden: 12, classes: 5, batchFirst }));
}

function calibration(g: Graph, n: number, seed: number): Float32Array[][] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => g.inputs.map((t) => Float32Array.from({ length: elementCount(g.tensors[t].shape) }, () => r.uniform(-2, 2))));
}

const CASES = [
  { name: 'LSTM int8 (int16 cell)', cell: 'LSTM' as const, activations: 'int8' as const, batchFirst: false },
  { name: 'LSTM 16x8', cell: 'LSTM' as const, activations: 'int16' as const, batchFirst: true },
  { name: 'GRU int8', cell: 'GRU' as const, activations: 'int8' as const, batchFirst: false },
];

describe.each(CASES)('ONNX $name, quantized by tinyforge, on every engine', ({ name, cell, activations, batchFirst }) => {
  const float = floatModel(cell, batchFirst);
  const quantized = quantizeModel(float, calibration(float, 24, 31), { activations }).int8Graph;
  const r = new SeededRandom(0x0a11);
  const bytes = ioBytes(quantized, 'inputs');
  const inputs = [0, 1, 2].map(() => new Uint8Array(bytes).map(() => r.int(0, 255)));
  const results = new Map<string, Uint8Array[]>();

  beforeAll(async () => {
    results.set('ref', runReference(quantized, inputs));
    results.set('host', runHostEngine(quantized, inputs));
    if (haveBoard) {
      for (const board of ['qemu-m4', 'qemu-m55']) {
        const run = await runBoardEngine(quantized, board, inputs);
        results.set(board, run.outputs);
        console.log(`ONNX ${name} on ${board}: ${run.instructions[0]} instructions per inference, arena ${run.arenaBytes} bytes`);
      }
    }
  });

  it('has the recurrent op, per-run state, and outputs that depend on the input', () => {
    expect(quantized.nodes.some((n) => n.op === (cell === 'LSTM' ? 'UnidirectionalSequenceLstm' : 'UnidirectionalSequenceGru'))).toBe(true);
    expect(quantized.tensors.filter((t) => t.state !== undefined).every((t) => t.state === 'per-run')).toBe(true);
    const ref = results.get('ref')!;
    expect(new Set(ref.map((o) => Buffer.from(o).toString('hex'))).size).toBe(3);
  });

  test.each(['host', 'qemu-m4', 'qemu-m55'])('%s: outputs byte-identical to the reference interpreter', (engine) => {
    if (!results.has(engine)) return;
    expect(results.get(engine)!.map((o) => Buffer.from(o).toString('hex'))).toEqual(results.get('ref')!.map((o) => Buffer.from(o).toString('hex')));
  });
});

describe('ONNX LSTM, float, on the host engine', () => {
  it('equals the reference interpreter within 1e-5 (libm exp/tanh)', () => {
    const float = floatModel('LSTM', false);
    const inputs = calibration(float, 3, 77).map((s) => new Uint8Array(s[0].buffer));
    const ref = runReference(float, inputs);
    const host = runHostEngine(float, inputs);
    const worst = Math.max(...ref.flatMap((o, k) => Array.from(new Float32Array(o.slice().buffer), (v, i) => Math.abs(v - new Float32Array(host[k].slice().buffer)[i]))));
    expect(worst).toBeLessThan(1e-5);
  });
});
