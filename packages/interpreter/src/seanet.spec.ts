import * as fs from 'fs';
import * as path from 'path';
import { readTflite } from '@tinyforge/model-format';
import { Interpreter } from './interpreter';
import { SHARED_DIR } from './test-support/shared';

/**
 * TFLite Micro's seanet integration tests: int16x8 single-op models with an input CSV per input and the golden
 * output CSV. TFLite Micro's tolerance is 1; tinyforge's reference kernels are expected to be bit-exact.
 */
const SEANET_DIR = path.join(SHARED_DIR, 'tflm', 'seanet');

interface Case {
  op: string;
  name: string;
  dir: string;
}

function cases(): Case[] {
  if (!fs.existsSync(SEANET_DIR)) return [];
  return fs
    .readdirSync(SEANET_DIR)
    .flatMap((op) =>
      fs
        .readdirSync(path.join(SEANET_DIR, op))
        .filter((f) => f.endsWith('.tflite'))
        .map((f) => ({ op, name: f.slice(0, -'.tflite'.length), dir: path.join(SEANET_DIR, op) })),
    )
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

const csv = (file: string): number[] => fs.readFileSync(file, 'utf8').trim().split(/[\s,]+/).map(Number);

/** The input CSVs of a case (`<name>_input<i>_<dtype>.csv`) as raw bytes of their element type. */
function inputBytes(c: Case, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const file = fs.readdirSync(c.dir).find((f) => f.startsWith(`${c.name}_input${i}_`));
    if (file === undefined) throw new Error(`${c.name}: no CSV for input ${i}`);
    const values = csv(path.join(c.dir, file));
    const array = file.endsWith('_int32.csv') ? Int32Array.from(values) : Int16Array.from(values);
    return new Uint8Array(array.buffer);
  });
}

const all = cases();
const d = all.length > 0 ? describe : describe.skip;
if (all.length === 0) console.warn(`seanet tests skipped: ${SEANET_DIR} not found`);

d('seanet int16x8 cases (TFLite Micro integration tests) on the reference interpreter', () => {
  const totals = new Map<string, { cases: number; elements: number; exact: number; within1: number }>();

  it.each(all.map((c) => [c.name, c] as const))('%s: every output element equals the golden CSV', (_name, c) => {
    const graph = readTflite(new Uint8Array(fs.readFileSync(path.join(c.dir, `${c.name}.tflite`))), { file: c.name });
    const out = new Interpreter(graph).run(inputBytes(c, graph.inputs.length)).outputs[0];
    const actual = new Int16Array(out.buffer, out.byteOffset, out.byteLength / 2);
    const golden = csv(path.join(c.dir, `${c.name}_golden_int16.csv`));
    expect(actual.length).toBe(golden.length);
    let exact = 0;
    let within1 = 0;
    golden.forEach((g, i) => {
      const diff = Math.abs(actual[i] - g);
      if (diff === 0) exact++;
      if (diff <= 1) within1++;
    });
    const t = totals.get(c.op) ?? { cases: 0, elements: 0, exact: 0, within1: 0 };
    totals.set(c.op, { cases: t.cases + 1, elements: t.elements + golden.length, exact: t.exact + exact, within1: t.within1 + within1 });
    expect(within1).toBe(golden.length); // TFLite Micro's own tolerance
    expect(exact).toBe(golden.length); // what tinyforge's reference kernels achieve
  });

  afterAll(() => {
    const rows = [...totals].map(([op, t]) => `${op}: ${t.cases} cases, ${t.exact}/${t.elements} bit-exact, ${t.within1} within 1`);
    console.log(`seanet on the reference interpreter\n${rows.join('\n')}`);
  });
});
