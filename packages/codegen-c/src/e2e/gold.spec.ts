import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isWeighted } from '@tinyforge/ir';
import { readTflite } from '@tinyforge/model-format';
import { generateC } from '../generate';
import { buildHostProgram, runHostProgram } from '../host/host-build';

// End to end on the host: generated C + kernels-cmsis compiled with gcc, run on the TFLite Micro gold inputs,
// compared byte for byte with the gold outputs and every layer output; then again under ASan + UBSan with the
// code generated for a DSP core (packed convolution filters, here through the packed kernel's plain C) and with the
// code generated for Helium (biases folded with the input offset, here through plain C).
const shared = path.resolve(__dirname, '../../../../../shared');
const modelsDir = path.join(shared, 'models');
const haveGcc = spawnSync('gcc', ['--version']).status === 0;
const haveShared = fs.existsSync(path.join(shared, 'gold'));
if (!haveShared) console.warn(`codegen-c e2e: ${shared}/gold not found — skipping the gold tests`);
if (!haveGcc) console.warn('codegen-c e2e: gcc not found — skipping the host build tests');
const d = haveShared && haveGcc ? describe : describe.skip;

const models = haveShared
  ? fs.readdirSync(modelsDir).filter((f) => f.endsWith('_int8.tflite') && fs.existsSync(path.join(shared, 'gold', f.replace('.tflite', ''), 'meta.json'))).map((f) => f.replace('.tflite', ''))
  : [];

d('generated C against TFLite Micro gold vectors', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-codegen-e2e-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each(models)('%s: outputs and every layer of input_0 equal the gold bytes; packed filters and folded biases too, clean under ASan+UBSan', (model) => {
    const gold = path.join(shared, 'gold', model);
    const graph = readTflite(fs.readFileSync(path.join(modelsDir, `${model}.tflite`)));
    const generated = generateC(graph, { prefix: model });
    const dir = path.join(work, model);

    const program = buildHostProgram(graph, generated, dir, { debugDump: true });
    const inputs = fs.readdirSync(gold).filter((f) => /^input_\d+\.bin$/.test(f)).sort();
    expect(inputs.length).toBeGreaterThan(0);
    const dump = path.join(dir, 'dump');
    fs.mkdirSync(dump);
    for (const input of inputs) {
      const k = input.match(/\d+/)![0];
      const run = runHostProgram(program, fs.readFileSync(path.join(gold, input)), k === '0' ? dump : undefined);
      expect(Buffer.from(run.output).equals(fs.readFileSync(path.join(gold, `output_${k}.bin`)))).toBe(true);
    }
    const layerFiles = fs.readdirSync(path.join(gold, 'layers_0')).filter((f) => f.endsWith('.bin'));
    expect(layerFiles.length).toBe(graph.nodes.length);
    const differing = layerFiles.filter((f) => !fs.readFileSync(path.join(dump, f)).equals(fs.readFileSync(path.join(gold, 'layers_0', f))));
    expect(differing).toEqual([]);

    // Every filter the packed kernel takes (no flash budget limits it; the default build packs only some).
    const forDsp = generateC(graph, { prefix: model, core: { dsp: true, mve: false }, flashBudget: Infinity });
    expect(forDsp.packedFilters).toBe(graph.nodes.some((n) => n.op === 'Conv2D'));
    const sanitized = buildHostProgram(graph, forDsp, path.join(dir, 'asan'), {
      flags: ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer', '-DTFG_NN_PACKED_FILTERS_ANY_CORE'],
      debugDump: true,
    });
    const packedDump = path.join(dir, 'dump-packed');
    fs.mkdirSync(packedDump);
    const run = runHostProgram(sanitized, fs.readFileSync(path.join(gold, 'input_0.bin')), packedDump);
    expect(run.stderr).toBe('');
    expect(Buffer.from(run.output).equals(fs.readFileSync(path.join(gold, 'output_0.bin')))).toBe(true);
    expect(layerFiles.filter((f) => !fs.readFileSync(path.join(packedDump, f)).equals(fs.readFileSync(path.join(gold, 'layers_0', f))))).toEqual([]);

    const forHelium = generateC(graph, { prefix: model, core: { dsp: true, mve: true } });
    const weighted = graph.nodes.filter(isWeighted).length;
    expect((forHelium.files[`${model}.c`].match(/\.folded_bias = 1/g) ?? []).length).toBe(weighted);
    const helium = buildHostProgram(graph, forHelium, path.join(dir, 'helium'), {
      flags: ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'],
      debugDump: true,
    });
    const foldedDump = path.join(dir, 'dump-folded');
    fs.mkdirSync(foldedDump);
    const heliumRun = runHostProgram(helium, fs.readFileSync(path.join(gold, 'input_0.bin')), foldedDump);
    expect(heliumRun.stderr).toBe('');
    expect(Buffer.from(heliumRun.output).equals(fs.readFileSync(path.join(gold, 'output_0.bin')))).toBe(true);
    expect(layerFiles.filter((f) => !fs.readFileSync(path.join(foldedDump, f)).equals(fs.readFileSync(path.join(gold, 'layers_0', f))))).toEqual([]);
  }, 180000);
});
