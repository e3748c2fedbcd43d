import { decodeStream } from '../protocol/decoder';
import { encodeFrame } from '../protocol/frame';
import { ProfileRecord } from '../protocol/records';
import { BoardInfo, buildReport, spread, unitsPerTick, withCycleEstimate } from './aggregate';
import { compareReports } from './compare';
import { escapeHtml } from '@tinyforge/common';
import { reportHtml } from './html';
import { formatReportJson, parseReportJson, reportToJson } from './json';
import { mergeLayerTables, parseLayerTable } from './layer-table';
import { ProfileSession, SessionCollector } from './session';
import { formatComparison, formatReportTable } from './text-table';
import { traceEvents } from './trace';

const QEMU_M4: BoardInfo = { name: 'qemu-m4', clockHz: 25_000_000, kind: 'virtual', icountShift: 3 };
const HW: BoardInfo = { name: 'nucleo', clockHz: 80_000_000, kind: 'hardware' };

/** Three layers, runs with known counts (ticks). */
const RUN_COUNTS = [
  [100, 1000, 50],
  [110, 900, 50],
  [90, 1100, 60],
];

function sessionFrom(records: ProfileRecord[]): ProfileSession {
  const wire = Buffer.concat(records.map((r, i) => encodeFrame(r, i)));
  const { frames, stats } = decodeStream(wire);
  const c = new SessionCollector();
  frames.forEach((f) => c.add(f));
  return c.finish(stats);
}

function records(runCounts = RUN_COUNTS): ProfileRecord[] {
  const out: ProfileRecord[] = [
    { type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: 3 },
    { type: 'layerInfo', index: 0, opId: 3, macs: 2000, outputShape: [1, 8, 8, 4], name: 'conv<1>', op: 'Conv2D' },
    { type: 'layerInfo', index: 1, opId: 4, macs: 40000, outputShape: [1, 8, 8, 8], name: 'dw "2"', op: 'DepthwiseConv2D' },
    { type: 'layerInfo', index: 2, opId: 9, macs: 80, outputShape: [1, 10], name: 'fc&3', op: 'FullyConnected' },
    { type: 'overhead', count: 4, samples: 16 },
  ];
  runCounts.forEach((counts, run) => {
    counts.forEach((count, index) => out.push({ type: 'layer', run, index, opId: [3, 4, 9][index], count }));
    out.push({ type: 'inference', run, total: counts.reduce((a, b) => a + b, 0) + 20, layerCount: counts.length });
  });
  return out;
}

describe('sessions and aggregation', () => {
  test('spread: min, median (mean of the middle pair when even), max', () => {
    expect(spread([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
  });

  test('instructions per SysTick tick under -icount: (1e9 / clock) / 2^shift', () => {
    expect(unitsPerTick(QEMU_M4)).toBe(5);
    expect(unitsPerTick(HW)).toBe(1);
  });

  test('runs with a missing layer record are left out and counted', () => {
    const all = records();
    const damaged = all.filter((r) => !(r.type === 'layer' && r.run === 1 && r.index === 2));
    const s = sessionFrom(damaged);
    expect(s.runs.map((r) => r.run)).toEqual([0, 2]);
    expect(s.incompleteRuns).toBe(1);
    // Lost inference record: the open run is dropped when a later run finishes.
    const noInference = all.filter((r) => !(r.type === 'inference' && r.run === 0));
    const s2 = sessionFrom(noInference);
    expect(s2.runs.map((r) => r.run)).toEqual([1, 2]);
    expect(s2.incompleteRuns).toBe(1);
  });

  test('hardware report: per-layer min/median/max in cycles, % of total, MACs per cycle, time at the clock', () => {
    const r = buildReport(sessionFrom(records()), { board: HW });
    expect(r.unit).toBe('cycles');
    expect(r.runs).toBe(3);
    expect(r.layers.map((l) => l.counts)).toEqual([
      { min: 90, median: 100, max: 110 },
      { min: 900, median: 1000, max: 1100 },
      { min: 50, median: 50, max: 60 },
    ]);
    expect(r.total).toEqual({ min: 1080, median: 1170, max: 1270 });
    expect(r.layers[1].percent).toBeCloseTo((100 * 1000) / 1170, 10);
    expect(r.layers[1].macsPerCount).toBe(40);
    expect(r.layers[1].timeUs).toBeCloseTo(1000 / 80, 10);
    expect(r.unattributed).toBe(20);
    expect(r.hookOverhead).toBe(4);
    expect(r.layers[0]).toMatchObject({ name: 'conv<1>', op: 'Conv2D', outputShape: [1, 8, 8, 4], macs: 2000 });
  });

  test('virtual report: counts scaled to instructions and named so in JSON', () => {
    const r = buildReport(sessionFrom(records()), { board: QEMU_M4 });
    expect(r.unit).toBe('instructions');
    expect(r.layers[1].counts.median).toBe(5000);
    const json = reportToJson(r);
    expect(json.totalInstructions).toEqual({ min: 5400, median: 5850, max: 6350 });
    expect(json.hookOverheadInstructions).toBe(20);
    expect(json).not.toHaveProperty('totalCycles');
    expect((json.layers as Record<string, unknown>[])[1]).toMatchObject({ instructions: { median: 5000 }, macsPerInstruction: 8 });
  });

  test('no complete run is a typed error that says what arrived', () => {
    const onlyHello = records().slice(0, 5);
    expect(() => buildReport(sessionFrom(onlyHello))).toThrow(expect.objectContaining({ code: 'PROFILE_NO_RUNS' }));
  });

  test('JSON round trip through parseReportJson; foreign JSON is PROFILE_BAD_REPORT naming the file', () => {
    const r = buildReport(sessionFrom(records()), { board: QEMU_M4 });
    const back = parseReportJson(formatReportJson(r), 'old.json');
    expect(back.layers.map((l) => l.counts)).toEqual(r.layers.map((l) => l.counts));
    expect(back.total).toEqual(r.total);
    expect(() => parseReportJson('{"layers": []}', 'old.json')).toThrow(/old\.json: not a tinyforge-profile report/);
    expect(() => parseReportJson('{', 'old.json')).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_REPORT' }));
  });

  test('text table shows every column with the unit named', () => {
    const text = formatReportTable(buildReport(sessionFrom(records()), { board: HW }));
    expect(text).toMatch(/#\s+layer\s+op\s+output\s+MACs\s+cycles\s+min–max\s+MACs\/cycle\s+% total\s+time/);
    expect(text).toContain('dw "2"');
    expect(text).toMatch(/1\s+dw "2"\s+DepthwiseConv2D\s+\[1,8,8,8\]\s+40,000\s+1,000\s+900–1,100\s+40\.000\s+85\.5%\s+12\.5 µs/);
    expect(text).toContain('total: 1,170 cycles');
  });
});

describe('compare', () => {
  test('per-layer deltas, regressions above the threshold flagged', () => {
    const before = buildReport(sessionFrom(records()), { board: HW });
    const after = buildReport(sessionFrom(records([[100, 1200, 50], [100, 1200, 50]])), { board: HW });
    const c = compareReports(after, before, 5);
    expect(c.layers.map((l) => [l.name, l.delta, l.regression])).toEqual([
      ['conv<1>', 0, false],
      ['dw "2"', 200, true],
      ['fc&3', 0, false],
    ]);
    expect(c.layers[1].deltaPercent).toBeCloseTo(20, 10);
    expect(c.total.regression).toBe(true);
    expect(c.regressions).toBe(2);
    expect(formatComparison(c)).toMatch(/dw "2".*\+200\s+\+20\.0%\s+REGRESSION/);
    expect(compareReports(after, before, 25).regressions).toBe(0);
  });

  test('different units cannot be compared', () => {
    const hw = buildReport(sessionFrom(records()), { board: HW });
    const vb = buildReport(sessionFrom(records()), { board: QEMU_M4 });
    expect(() => compareReports(hw, vb)).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_REPORT' }));
  });
});

describe('layer tables', () => {
  test('inspect-style table and codegen plan.json, merged by name', () => {
    const inspect = parseLayerTable(JSON.stringify({ layers: [{ index: 0, name: 'a', op: 'Conv2D', outputShape: [1, 4], macs: 64 }, { index: 1, name: 'b', op: 'Add', macs: 4 }] }));
    const plan = parseLayerTable(
      JSON.stringify({
        arenaBytes: 128,
        flashBytes: 900,
        order: [{ step: 0, node: 'b', op: 'Add' }, { step: 1, node: 'a', op: 'Conv2D' }],
        buffers: [{ name: 't0', kind: 'input', offset: 0, size: 64, firstStep: 0, lastStep: 1 }],
      }),
    );
    const merged = mergeLayerTables(plan, inspect);
    expect(merged.layers).toEqual([
      { index: 0, name: 'b', op: 'Add', macs: 4 },
      { index: 1, name: 'a', op: 'Conv2D', outputShape: [1, 4], macs: 64 },
    ]);
    expect(merged.arena?.buffers).toHaveLength(1);
  });

  test('a plan split over RAM regions: each buffer drawn above the regions listed before its own', () => {
    const plan = parseLayerTable(
      JSON.stringify({
        arenaBytes: 96,
        regions: [{ name: 'sram1', bytes: 64 }, { name: 'dtcm', bytes: 32 }],
        order: [{ step: 0, node: 'a', op: 'Conv2D' }],
        buffers: [
          { name: 'x', kind: 'input', region: 'sram1', offset: 0, size: 64, firstStep: 0, lastStep: 0 },
          { name: 'y', kind: 'output', region: 'dtcm', offset: 16, size: 16, firstStep: 0, lastStep: 0 },
        ],
      }),
    );
    expect(plan.arena?.regions).toEqual([{ name: 'sram1', bytes: 64 }, { name: 'dtcm', bytes: 32 }]);
    expect(plan.arena?.buffers.map((b) => [b.name, b.offset])).toEqual([['x', 0], ['y', 80]]);
    const bad = JSON.stringify({ arenaBytes: 1, regions: [{ name: 'a', bytes: 1 }], order: [], buffers: [{ name: 'x', kind: 'input', region: 'b', offset: 0, size: 1, firstStep: 0, lastStep: 0 }] });
    expect(() => parseLayerTable(bad, 'plan.json')).toThrow(/plan\.json: \$\.buffers\[0\]\.region: no region 'b' in \$\.regions/);
  });

  test('malformed tables name the file and JSON path', () => {
    expect(() => parseLayerTable('{"layers": [{"macs": -1}]}', 'table.json')).toThrow(/table\.json: \$\.layers\[0\]\.macs: expected a non-negative integer/);
    expect(() => parseLayerTable('[]', 't.json')).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_TABLE' }));
    expect(() => parseLayerTable('{"order": [{"step": 0}] , "arenaBytes": 1}', 'plan.json')).toThrow(/\$\.order\[0\]\.node/);
  });
});

describe('trace and HTML', () => {
  test('trace: one inference slice per run with its layers nested inside, durations at the clock', () => {
    const session = sessionFrom(records());
    const report = buildReport(session, { board: HW });
    const { traceEvents: ev } = traceEvents(report, session);
    const slices = ev.filter((e) => e.ph === 'X');
    const inferences = slices.filter((e) => e.cat === 'inference');
    expect(inferences).toHaveLength(3);
    expect(slices.filter((e) => e.cat === 'layer')).toHaveLength(9);
    expect(inferences[0].dur).toBeCloseTo(1170 / 80, 10);
    for (const inf of inferences) {
      const inside = slices.filter((e) => e.cat === 'layer' && e.args?.run === inf.args?.run);
      for (const l of inside) {
        expect(l.ts!).toBeGreaterThanOrEqual(inf.ts!);
        expect(l.ts! + l.dur!).toBeLessThanOrEqual(inf.ts! + inf.dur! + 1e-9);
      }
    }
  });

  test('HTML escapes every model string and has one bar per layer', () => {
    const evil = records().map((r) => (r.type === 'layerInfo' && r.index === 0 ? { ...r, name: '<script>alert(1)</script>', op: '"><img src=x>' } : r));
    const html = reportHtml(buildReport(sessionFrom(evil), { board: { ...HW, name: 'b<o>ard' } }), 'm&m');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml('<script>alert(1)</script>'));
    expect(html).toContain('b&#60;o&#62;ard');
    expect(html.match(/class="layer-bar"/g)).toHaveLength(3);
  });
});

describe('estimated cycles beside instructions (virtual boards)', () => {
  const estimate = {
    core: 'cortex-m4',
    basis: 'QEMU execution trace weighted with the Cortex-M4 TRM timings, zero-wait-state memory',
    instructions: 1700,
    cycles: 2550,
    stalls: { memory: 600, branch: 250 },
    layers: [
      { index: 0, instructions: 100, cycles: 150 },
      { index: 1, instructions: 1000, cycles: 1500 },
      { index: 2, instructions: 50, cycles: 75 },
    ],
  };
  const withEstimate = () => withCycleEstimate(buildReport(sessionFrom(records()), { board: QEMU_M4 }), estimate);

  test('the text table has the estimated cycles and their time at the board clock per layer, labelled as a model', () => {
    const text = formatReportTable(withEstimate());
    expect(text).toContain('est. cycles†');
    const dwRow = text.split('\n').find((l) => l.includes('dw "2"'))!;
    expect(dwRow).toContain('1,500');
    expect(dwRow).toContain('60.0 µs'); // 1500 cycles at 25 MHz
    expect(text).toContain('estimated cortex-m4: 2,550 cycles per inference, 102.0 µs at 25 MHz†');
    expect(text).toMatch(/† estimated cortex-m4 cycles, a model and not a measurement: QEMU execution trace/);
    expect(formatReportTable(buildReport(sessionFrom(records()), { board: QEMU_M4 }))).not.toContain('est. cycles');
  });

  test('JSON names the estimate as one; HTML has the columns and the note', () => {
    const json = reportToJson(withEstimate());
    expect(json.estimatedCycles).toEqual({ estimate: true, core: 'cortex-m4', basis: estimate.basis, instructions: 1700, cycles: 2550, timeUs: 102, stalls: estimate.stalls });
    expect((json.layers as { estimatedCycles: number }[]).map((l) => l.estimatedCycles)).toEqual([150, 1500, 75]);
    const html = reportHtml(withEstimate());
    expect(html).toContain('est. cycles†<br>cortex-m4');
    expect(html).toContain('<td class="estimate">1,500</td><td class="estimate">60.0</td>');
    expect(html).toContain('id="estimate-note"');
    expect(html).toContain('estimated cortex-m4 cycles');
  });

  test('refused on hardware reports (measured cycles) and when the layers differ', () => {
    expect(() => withCycleEstimate(buildReport(sessionFrom(records()), { board: HW }), estimate)).toThrow(/virtual boards/);
    expect(() => withCycleEstimate(buildReport(sessionFrom(records()), { board: QEMU_M4 }), { ...estimate, layers: estimate.layers.slice(1) })).toThrow(/2 layers, the profile 3/);
  });
});
