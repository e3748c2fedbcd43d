/**
 * Every HTML report on real models, in headless Chromium (Debian's chromium driven by playwright-core) at 1400 px:
 * quantize --html, codegen's plan report and the profile report, for kws (its float model is the hybrid one), vww
 * and the demo's Fashion-MNIST CNN. Each page: no horizontal overflow, the main table inside the window with every
 * column header visible, layer names shortened with the full name on hover and in the list under the table, every
 * chart with axis labels and a legend, the per-layer bars named, the profile's min–max whiskers drawn, its firmware
 * flash/RAM and accuracy shown. TINYFORGE_SCREENSHOTS=DIR keeps a full-page PNG of each.
 *
 * Quantization (random calibration: a few samples, the figures do not matter here), code generation and the
 * firmware build are real; the profile's counts are not run on a board (that is figures.spec.ts and the demo):
 * they are drawn from each layer's MACs with a seeded spread over 5 runs, to give the page real models' layers, and
 * the estimated cycles (the table's widest form) are 1.6 times those counts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasArmToolchain } from '@tinyforge/boards/testing';
import { loadTarget } from '@tinyforge/boards';
import { generateC } from '@tinyforge/codegen-c';
import { Graph, SeededRandom } from '@tinyforge/ir';
import { readModelFile } from '@tinyforge/model-format';
import { loadCalibration, measureQuantization, quantizeModel, reportToHtml } from '@tinyforge/quantizer';
import { buildReport, decodeStream, encodeFrame, parseLayerTable, ProfileRecord, reportHtml, SessionCollector, withEstimatedCycles } from '@tinyforge/serial-profiler';
import { buildModelFirmware } from './pipeline';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const headless = require('../../../tools/testing/chromium') as { available: boolean; executablePath: string; launchChromium: () => ReturnType<typeof import('playwright-core').chromium.launch> };
const CHROMIUM = headless.executablePath;
const ROOT = path.resolve(__dirname, '../../..');
const MODELS = path.resolve(ROOT, '../shared/models');
const available = headless.available && fs.existsSync(MODELS) && hasArmToolchain();
if (!available) console.warn(`HTML report screenshots skipped: need playwright-core, ${CHROMIUM}, ${MODELS} and arm-none-eabi-gcc`);
const d = available ? describe : describe.skip;

const WIDTH = 1400;
const RUNS = 5;

interface Box {
  left: number;
  right: number;
  width: number;
  height: number;
}

interface Measured {
  pageWidth: number;
  table: Box;
  headers: (Box & { text: string })[];
  rows: number;
  charts: (Box & { id: string; legend: number; texts: string[]; stepNames: number; whiskers: Box[] })[];
  titled: { shown: string; full: string }[];
  fullNames: string[];
}

/** Evaluated in the page: the layout of the main table, its headers, the charts and the names. */
const MEASURE = `(() => {
  const table = document.querySelector('#layer-table');
  const rect = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, width: r.width, height: r.height }; };
  return {
    pageWidth: document.documentElement.scrollWidth,
    table: rect(table),
    headers: Array.from(table.querySelectorAll('thead th')).map((th) => ({ text: th.textContent || '', ...rect(th) })),
    rows: table.querySelectorAll('tbody tr').length,
    charts: Array.from(document.querySelectorAll('svg')).map((svg) => ({
      id: svg.id,
      ...rect(svg),
      legend: svg.querySelectorAll('.legend-swatch').length,
      texts: Array.from(svg.querySelectorAll('text')).map((t) => t.textContent || ''),
      stepNames: svg.querySelectorAll('text.step-name').length,
      whiskers: Array.from(svg.querySelectorAll('g.whisker path')).map(rect),
    })),
    titled: Array.from(table.querySelectorAll('td.name[title]')).map((td) => ({ shown: td.textContent || '', full: td.getAttribute('title') || '' })),
    fullNames: Array.from(document.querySelectorAll('details.full-names li')).map((li) => li.textContent || ''),
  };
})()`;

interface Page {
  name: string;
  kind: 'quantize' | 'codegen' | 'profile';
  file: string;
  layers: number;
}

/** A profile session as the board would send it, with counts drawn from each layer's MACs (see above). */
function profileHtml(name: string, layers: { name?: string; op?: string; macs?: number; outputShape?: number[] }[], planJson: string, size: { flash: { used: number; size: number }; ram: { used: number; size: number } }, weightsBytes: number, arenaBytes: number): string {
  const rng = new SeededRandom(layers.length);
  const recs: ProfileRecord[] = [{ type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: layers.length }];
  layers.forEach((l, i) => recs.push({ type: 'layerInfo', index: i, opId: i, macs: l.macs ?? 0, outputShape: l.outputShape ?? [], name: l.name ?? '', op: l.op ?? '' }));
  const base = layers.map((l) => Math.round(1.3 * (l.macs ?? 0) + 2000));
  for (let run = 0; run < RUNS; run++) {
    let total = 0;
    base.forEach((b, i) => {
      // Some layers vary from run to run, some do not (min = max), as on a board.
      const count = i % 3 === 0 ? b : Math.round(b * (1 + 0.02 * rng.next()));
      total += count;
      recs.push({ type: 'layer', run, index: i, opId: i, count });
    });
    recs.push({ type: 'inference', run, total: total + 50 * layers.length, layerCount: layers.length });
  }
  const c = new SessionCollector();
  decodeStream(Buffer.concat(recs.map((r, i) => encodeFrame(r, i)))).frames.forEach((f) => c.add(f));
  const table = parseLayerTable(planJson, 'plan.json');
  const report = buildReport(c.finish(), {
    board: { name: 'qemu-m4', clockHz: 25_000_000, kind: 'virtual' },
    table: { layers: table.layers.map((l, i) => ({ ...layers[i], ...l })), arena: table.arena },
    firmware: { flash: size.flash, ram: size.ram, weightsBytes, arenaBytes },
    accuracy: [{ label: 'int8, on the board', correct: 18, total: 20 }],
  });
  // With estimated cycles (run --estimate-cycles, the demo): the widest table, one column more.
  const estimated = withEstimatedCycles(report, { core: 'cortex-m4', inference: Math.round(1.6 * report.total.median), layers: report.layers.map((l) => Math.round(1.6 * l.counts.median)) });
  return reportHtml(estimated, `tinyforge profile: ${name} on qemu-m4`);
}

d('HTML reports of real models in Chromium at 1400 px', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-report-shots-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pages: Page[] = [];

  beforeAll(() => {
    const target = loadTarget('qemu-m4');
    const models: { name: string; float: string; int8?: string }[] = [
      { name: 'kws', float: path.join(MODELS, 'kws_dscnn_float.tflite'), int8: path.join(MODELS, 'kws_dscnn_int8.tflite') },
      { name: 'vww', float: path.join(MODELS, 'vww_mobilenet_float.tflite'), int8: path.join(MODELS, 'vww_mobilenet_int8.tflite') },
      { name: 'demo', float: path.join(ROOT, 'examples/fashion-mnist/fashion_mnist_cnn.onnx') },
    ];
    for (const m of models) {
      const floatGraph = readModelFile(m.float);
      const samples = loadCalibration('random', floatGraph, { samples: 3 }).samples;
      const quantized = quantizeModel(floatGraph, samples);
      const qReport = measureQuantization(quantized, samples);
      const write = (kind: Page['kind'], html: string, layers: number): void => {
        const file = path.join(dir, `${m.name}-${kind}.html`);
        fs.writeFileSync(file, html);
        pages.push({ name: m.name, kind, file, layers });
      };
      write('quantize', reportToHtml(qReport, `int8 quantization of ${path.basename(m.float)}`), qReport.layers.length);
      // The shipped int8 twin where there is one (what a user gives codegen), else what we quantized.
      const int8: Graph = m.int8 !== undefined ? readModelFile(m.int8) : quantized.int8Graph;
      const prefix = m.int8 !== undefined ? path.basename(m.int8, '.tflite') : 'model';
      const generated = generateC(int8, { prefix });
      write('codegen', generated.files['report.html'], generated.layers.length);
      const built = buildModelFirmware(int8, target, { outDir: path.join(dir, `${m.name}-fw`), prefix, profile: true, modelBytes: m.int8 !== undefined ? fs.readFileSync(m.int8) : undefined });
      write('profile', profileHtml(m.name, built.layers, fs.readFileSync(built.planJsonPath, 'utf8'), built.firmware.size, built.manifest.model.weightsBytes, built.manifest.model.arenaBytes), built.layers.length);
    }
  }, 300_000);

  test('no horizontal overflow, the main table and every column header inside the window, names, legends, whiskers', async () => {
    const browser = await headless.launchChromium();
    const shots = process.env.TINYFORGE_SCREENSHOTS;
    if (shots !== undefined) fs.mkdirSync(shots, { recursive: true });
    try {
      const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
      const problems: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      expect(pages.map((p) => `${p.name}-${p.kind}`)).toEqual(['kws-quantize', 'kws-codegen', 'kws-profile', 'vww-quantize', 'vww-codegen', 'vww-profile', 'demo-quantize', 'demo-codegen', 'demo-profile']);
      for (const p of pages) {
        await page.goto(`file://${p.file}`);
        // Measured in the page (a string: the specs are typechecked without the DOM library).
        const m = (await page.evaluate(MEASURE)) as Measured;
        const where = `${p.name} ${p.kind}`;
        expect({ where, pageWidth: m.pageWidth }).toEqual({ where, pageWidth: WIDTH });
        expect(m.table.right).toBeLessThanOrEqual(WIDTH);
        expect(m.rows).toBe(p.layers);
        for (const h of m.headers) {
          expect({ where, header: h.text, inside: h.left >= 0 && h.right <= WIDTH && h.width > 0 }).toEqual({ where, header: h.text, inside: true });
        }
        // Shortened names carry the full name on hover, and the list under the table has every full name.
        for (const t of m.titled) {
          expect(t.shown.length).toBeLessThan(t.full.length);
          expect(m.fullNames.some((li) => li.endsWith(t.full))).toBe(true);
        }
        if (p.name !== 'demo') expect(m.titled.length).toBeGreaterThan(0); // TFLite's long ';'-joined names
        for (const c of m.charts) {
          expect(c.right).toBeLessThanOrEqual(WIDTH);
          expect(c.legend).toBeGreaterThan(0);
        }
        const chart = (id: string) => m.charts.find((c) => c.id === id)!;
        if (p.kind === 'quantize') {
          expect(chart('sqnr-chart').stepNames).toBe(p.layers);
          expect(chart('sqnr-chart').texts).toContain('SQNR float vs int8 (dB; exact layers drawn at 60)');
        }
        if (p.kind === 'codegen' || p.kind === 'profile') {
          expect(chart('arena').texts).toEqual(expect.arrayContaining(['arena offset (bytes)', 'layer (execution step)']));
          expect(chart('arena').texts.some((t) => t.startsWith('lower bound with in-place sharing'))).toBe(true);
        }
        if (p.kind === 'profile') {
          const bars = chart('layer-chart');
          expect(bars.stepNames).toBe(p.layers);
          expect(bars.texts).toContain(`instructions per layer (median of ${RUNS} runs)`);
          expect(bars.texts).toContain(`min–max over ${RUNS} runs`);
          // A whisker per layer, each drawn (caps make even min = max visible).
          expect(bars.whiskers).toHaveLength(p.layers);
          for (const w of bars.whiskers) expect(w.height).toBeGreaterThan(5);
          const summary = await page.locator('#summary').textContent();
          expect(summary).toMatch(/firmware flash[\d,]+ of [\d,]+ bytes \([\d.]+ %\), of which weights [\d,]+/);
          expect(summary).toMatch(/firmware RAM[\d,]+ of [\d,]+ bytes/);
          expect(summary).toContain('accuracy (int8, on the board)18/20 (90.0 %)');
          expect(summary).toMatch(/estimated cycles[\d,]+ Cortex-M4 cycles per inference/);
          expect(m.headers.map((h) => h.text)).toContain('est. cycles');
        }
        if (shots !== undefined) await page.screenshot({ path: path.join(shots, `${p.name}-${p.kind}.png`), fullPage: true });
      }
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
