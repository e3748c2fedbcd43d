/**
 * TFLite Micro's seanet integration tests (../shared/tflm/seanet: int16x8 single-op models with input and golden
 * CSVs) on the reference interpreter, the host engine and qemu-m4: every output element within 1 of the golden
 * value (TFLite Micro's tolerance), and how many are bit-exact. One graph holds every case of every op family side
 * by side, so each engine builds once (one host build, one firmware image, one boot); the three engines must also
 * agree byte for byte.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Graph } from '@tinyforge/ir';
import { readTflite } from '@tinyforge/model-format';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { runBoardEngine, runHostEngine, runReference, sideBySide, splitBytes } from './engines';

const SEANET = path.resolve(__dirname, '../../../../../shared/tflm/seanet');
const haveShared = fs.existsSync(SEANET);
const haveBoard = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!haveShared) console.warn(`seanet acceptance skipped: ${SEANET} not found`);
else if (!haveBoard) console.warn('seanet acceptance on qemu-m4 skipped: needs arm-none-eabi-gcc, qemu-system-arm and socat');
const d = haveShared ? describe : describe.skip;
jest.setTimeout(900_000);

const csv = (file: string): number[] => fs.readFileSync(file, 'utf8').trim().split(/[\s,]+/).map(Number);

interface Family {
  op: string;
  names: string[];
  graph: Graph;
  input: Uint8Array;
  golden: number[][];
}

function family(op: string): Family {
  const dir = path.join(SEANET, op);
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.tflite'))
    .map((f) => f.slice(0, -'.tflite'.length))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const graphs = names.map((n) => readTflite(new Uint8Array(fs.readFileSync(path.join(dir, `${n}.tflite`))), { file: n }));
  const inputs = names.flatMap((n, k) =>
    graphs[k].inputs.map((_, i) => {
      const file = fs.readdirSync(dir).find((f) => f.startsWith(`${n}_input${i}_`))!;
      const values = csv(path.join(dir, file));
      return new Uint8Array((file.endsWith('_int32.csv') ? Int32Array.from(values) : Int16Array.from(values)).buffer);
    }),
  );
  const golden = names.map((n) => csv(path.join(dir, `${n}_golden_int16.csv`)));
  const total = inputs.reduce((s, b) => s + b.length, 0);
  const input = new Uint8Array(total);
  let at = 0;
  for (const b of inputs) {
    input.set(b, at);
    at += b.length;
  }
  return { op, names, graph: sideBySide(`seanet_${op}`, graphs, names), input, golden };
}

const FAMILIES = haveShared ? fs.readdirSync(SEANET).sort() : [];

d('seanet int16x8 cases on ref, host and qemu-m4', () => {
  const rows: string[] = [];
  const families = FAMILIES.map(family);
  /** Each engine's output bytes per family, from one run of all families side by side. */
  const results = new Map<string, [string, Uint8Array][]>();
  afterAll(() => console.log(`seanet, every output element against the golden CSV (within 1 = TFLite Micro's tolerance):\n  ${rows.join('\n  ')}`));

  beforeAll(async () => {
    const all = sideBySide('seanet', families.map((f) => f.graph), families.map((f) => f.op));
    const input = new Uint8Array(Buffer.concat(families.map((f) => f.input)));
    const engines: [string, Uint8Array][] = [
      ['ref', runReference(all, [input])[0]],
      ['host', runHostEngine(all, [input])[0]],
    ];
    if (haveBoard) engines.push(['qemu-m4', (await runBoardEngine(all, 'qemu-m4', [input])).outputs[0]]);
    for (const [engine, bytes] of engines) {
      // the merged graph's outputs are the families' outputs in order
      const outputs = splitBytes(all, bytes, 'outputs');
      let at = 0;
      for (const f of families) {
        const mine = outputs.slice(at, at + f.graph.outputs.length);
        at += f.graph.outputs.length;
        results.set(f.op, [...(results.get(f.op) ?? []), [engine, new Uint8Array(Buffer.concat(mine))]]);
      }
    }
  });

  test.each(FAMILIES)('%s: every element within 1 of the golden value on every engine, engines byte-identical', (op) => {
    const f = families.find((x) => x.op === op)!;
    const engines = results.get(op)!;
    expect(engines.map(([engine]) => engine)).toEqual(haveBoard ? ['ref', 'host', 'qemu-m4'] : ['ref', 'host']);
    for (const [engine, bytes] of engines) {
      let elements = 0;
      let exact = 0;
      let within1 = 0;
      splitBytes(f.graph, bytes, 'outputs').forEach((out, k) => {
        const actual = new Int16Array(out.buffer, out.byteOffset, out.byteLength / 2);
        expect(actual.length).toBe(f.golden[k].length);
        f.golden[k].forEach((g, i) => {
          const diff = Math.abs(actual[i] - g);
          elements++;
          if (diff === 0) exact++;
          if (diff <= 1) within1++;
        });
      });
      rows.push(`${op.padEnd(14)} ${engine.padEnd(8)} ${f.names.length} cases: ${within1}/${elements} within 1, ${exact}/${elements} bit-exact`);
      expect(within1).toBe(elements);
      expect(exact).toBe(elements);
    }
    for (const [engine, bytes] of engines.slice(1)) expect({ engine, same: Buffer.from(bytes).equals(Buffer.from(engines[0][1])) }).toEqual({ engine, same: true });
  });
});
