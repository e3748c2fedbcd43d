/**
 * Fully connected filters with interleaved rows (fc-interleave.ts, the DSP path's layout): the layout, the layers it
 * declines, the DSP assembly on emulated Cortex-M4 (both variants: the input widened in scratch up to
 * TFG_FC_WIDEN_MAX_DEPTH, read as int8 deeper) and the plain C of every other path on the host, against the reference
 * interpreter byte for byte.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { FusedActivation, Graph, GraphBuilder } from '@tinyforge/ir';
import { lowerNode } from '../lower-node';
import { hasInterleavedRows, interleaveDeclined, interleaveRows, withInterleavedRows } from '../fc-interleave';
import { FullyConnectedCall } from '../families/fully-connected';
import { HEADER_CONSTANTS } from '../families/header-constants';
import { CORTEX_M4, compareWithInterpreterOnCortex } from '../testing/model-program';
import { PropertyCase, Rng, mismatches, perTensor, runAgainstInterpreter } from '../testing/property-harness';
import { buildVectorDriver } from '../testing/c-harness';

const ACTIVATIONS: FusedActivation[] = ['none', 'relu', 'relu6', 'none'];

/** One fully connected layer [batches, depth] -> channels, per-tensor weights, random offsets, bias mostly present. */
function fcLayer(b: GraphBuilder, r: Rng, x: number, depth: number, channels: number, sx: number, name: string): { y: number; sy: number } {
  const sw = r.logUniform(0.002, 0.03);
  const wt = b.constant({ name: `${name}w`, shape: [channels, depth], dtype: 'int8', quant: perTensor(sw, 0) }, r.int8s(channels * depth));
  const bias = r.next() < 0.85 ? b.constant({ name: `${name}b`, shape: [channels], dtype: 'int32' }, Int32Array.from({ length: channels }, () => r.int(-30000, 30000))) : -1;
  const sy = Math.fround(sx * sw * 50 * Math.sqrt(depth) * r.logUniform(0.4, 2.5));
  const y = b.node('FullyConnected', { activation: r.pick(ACTIVATIONS), keepNumDims: false }, [x, wt, bias], { name, dtype: 'int8', quant: perTensor(sy, r.int(-128, 100)) });
  return { y, sy };
}

/** A chain of fully connected layers through depths on both sides of TFG_FC_WIDEN_MAX_DEPTH, odd step counts, row counts not a multiple of 4. */
function fcChain(r: Rng, batches: number): { graph: Graph; inputBytes: number } {
  const b = new GraphBuilder();
  let depth = r.pick([4, 12, 64, 128, 256, 260, 320, 640]);
  let sx = 0.05;
  const inputBytes = batches * depth;
  let x = b.input({ name: 'x', shape: [batches, depth], dtype: 'int8', quant: perTensor(sx, r.int(-128, 127)) });
  for (let i = 0; i < 6; i++) {
    const channels = r.pick([4, 5, 7, 8, 13, 16, 20, 64, 260, 300]);
    ({ y: x, sy: sx } = fcLayer(b, r, x, depth, channels, sx, `fc${i}`));
    depth = channels;
  }
  return { graph: b.output(x).build(), inputBytes };
}

describe('interleaved fully connected rows', () => {
  test('layout: groups of 4 rows per 4 depth values, the rows past the last group as they are', () => {
    const channels = 6;
    const depth = 8;
    const w = Int8Array.from({ length: channels * depth }, (_, i) => i);
    const got = Array.from(interleaveRows(w, channels, depth));
    // Group 0, step 0: rows 0-3's first 4 values; step 1: their next 4; then rows 4 and 5 whole.
    expect(got.slice(0, 16)).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
    expect(got.slice(16, 32)).toEqual([4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31]);
    expect(got.slice(32)).toEqual(Array.from({ length: 16 }, (_, i) => 32 + i));
    expect(HEADER_CONSTANTS.fcGroupRows).toBe(4);
  });

  test('taken where the assembly runs the layer, with the bias folded; declined otherwise, unchanged', () => {
    const r = new Rng(5);
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 16], dtype: 'int8', quant: perTensor(0.05, -3) });
    const { y } = fcLayer(b, r, x, 16, 8, 0.05, 'fc');
    const graph = b.output(y).build();
    const call = lowerNode(graph, graph.nodes[0]) as FullyConnectedCall;
    const taken = withInterleavedRows(call);
    expect(hasInterleavedRows(taken)).toBe(true);
    expect(taken.biasFolded).toBe(true);
    expect(Array.from(taken.weights)).toEqual(Array.from(interleaveRows(call.weights, 8, 16)));
    expect(withInterleavedRows(taken)).toBe(taken);
    expect(interleaveDeclined({ ...call, depth: 18 })).toBe('depth 18 is not a multiple of 4');
    expect(interleaveDeclined({ ...call, channels: 3 })).toBe('fewer than 4 rows');
    expect(interleaveDeclined({ ...call, filterOffset: 2 })).toBe('a weight zero point');
    expect(interleaveDeclined({ ...call, shifts: Int32Array.of(-1) })).toBe('shift -1 (the assembly needs -31..-2)');
    expect(interleaveDeclined({ ...call, kernel: 'tfg_fully_connected_per_channel_s8' })).toBe('per-channel requantization');
    expect(interleaveDeclined({ ...call, bias: undefined })).toBe('no bias to fold the input offset into');
    const declined = { ...call, shifts: Int32Array.of(0) };
    expect(withInterleavedRows(declined)).toBe(declined);
  });

  const tools = ['gcc', 'arm-none-eabi-gcc', 'qemu-system-arm'].every((t) => spawnSync(t, ['--version']).status === 0);
  if (!tools) console.warn('interleaved fully connected kernels skipped: needs gcc, arm-none-eabi-gcc and qemu-system-arm');
  const d = tools ? describe : describe.skip;

  d('kernels', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-fc4-'));
    afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

    test('the DSP assembly on Cortex-M4 equals the reference interpreter byte for byte (widened and int8 inputs)', async () => {
      const r = new Rng(20261208);
      // Three programs (each build compiles the kernels; the machine may be loaded): 18 layers.
      const chains = Array.from({ length: 3 }, (_, i) => fcChain(r, i === 2 ? 2 : 1));
      let interleaved = 0;
      let deep = 0;
      for (const { graph } of chains) {
        for (const n of graph.nodes) {
          const call = withInterleavedRows(lowerNode(graph, n)) as FullyConnectedCall;
          if (!hasInterleavedRows(call)) continue;
          interleaved++;
          if (call.depth > HEADER_CONSTANTS.fcWidenMaxDepth) deep++;
        }
      }
      const runs = chains.map(({ graph, inputBytes }, i) => {
        const input = Uint8Array.from(r.int8s(inputBytes), (v) => v & 0xff);
        return compareWithInterpreterOnCortex(graph, input, path.join(work, `m4-${i}`), CORTEX_M4, i % 2 === 0 ? 'fc_groups_widened' : 'fc_groups_int8', 'packed').then((result) => `chain ${i}: ${result}`);
      });
      expect(await Promise.all(runs)).toEqual(chains.map((_, i) => `chain ${i}: equal`));
      expect(interleaved).toBeGreaterThanOrEqual(12);
      expect(deep).toBeGreaterThanOrEqual(3);
    }, 900_000);

    test('plain C (host) reads the interleaved rows: random layers equal the interpreter', () => {
      const driver = path.join(work, 'driver');
      buildVectorDriver(driver);
      const r = new Rng(0x1f4);
      const cases: PropertyCase[] = Array.from({ length: 60 }, (_, i) => {
        const b = new GraphBuilder();
        const batches = r.int(1, 3);
        const depth = 4 * r.int(1, 90);
        const x = b.input({ name: 'x', shape: [batches, depth], dtype: 'int8', quant: perTensor(0.04, r.int(-128, 127)) });
        const { y } = fcLayer(b, r, x, depth, r.int(4, 23), 0.04, 'fc');
        const input = r.int8s(batches * depth);
        return { label: `fc4#${i} ${batches}x${depth}`, graph: b.output(y).build(), inputs: [new Uint8Array(input.buffer, input.byteOffset, input.byteLength)] };
      });
      expect(cases.filter((c) => hasInterleavedRows(withInterleavedRows(lowerNode(c.graph, c.graph.nodes[0])))).length).toBeGreaterThan(50);
      const results = runAgainstInterpreter(driver, work, 'fc4', cases, { interleave: true });
      expect(mismatches(results)).toEqual([]);
      expect(results).toHaveLength(60);
    }, 120_000);
  });
});
