import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readModelFile } from '@tinyforge/model-format';
import { NxPluginError } from '../errors';
import { firmwareProject } from '../project-context';
import { buildProject } from './build/impl';
import { codegenProject } from './codegen/impl';
import { isQuantizedModel, quantizeProject } from './quantize/impl';
import { runInputs, seededBytes } from './run/impl';

const MODELS = path.resolve(__dirname, '../../../../../shared/models');
const haveModels = fs.existsSync(path.join(MODELS, 'ad_autoencoder_int8.tflite'));
if (!haveModels) console.warn(`nx-plugin executor tests skipped: ${MODELS} (../shared/models) is absent`);
const d = haveModels ? describe : describe.skip;

function workspace(config: object, files: Record<string, string> = {}): string {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-nxexec-'));
  fs.mkdirSync(path.join(ws, 'fw/model'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'fw/firmware.json'), JSON.stringify(config));
  for (const [name, from] of Object.entries(files)) fs.copyFileSync(from, path.join(ws, 'fw', name));
  return ws;
}

d('executors through the packages’ APIs', () => {
  const made: string[] = [];
  afterAll(() => made.forEach((ws) => fs.rmSync(ws, { recursive: true, force: true })));

  it('copies an int8 model as it is, then generates C that fits the board', () => {
    const src = path.join(MODELS, 'ad_autoencoder_int8.tflite');
    const ws = workspace({ model: 'model/ad.tflite', board: 'qemu-m4' }, { 'model/ad.tflite': src });
    made.push(ws);
    const project = firmwareProject(ws, 'fw', 'fw');
    const q = quantizeProject(project);
    expect(q.action).toBe('copied');
    expect(fs.readFileSync(q.model).equals(fs.readFileSync(src))).toBe(true);
    const m = codegenProject(project);
    expect(m.prefix).toBe('model');
    expect(m.sources).toEqual(['model.c', 'model_weights.c']);
    expect(m.layers).toBe(10);
    expect(m.arenaBytes).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(ws, 'dist/fw/codegen/model.h'), 'utf8')).toContain('int model_invoke(const int8_t *input0, int8_t *output0);');
  });

  it('a failed build leaves the previous build folder as it was and no staging folder', () => {
    const ws = workspace({ model: 'model/ad.tflite', board: 'qemu-m4', sources: ['bad.c'] }, { 'model/ad.tflite': path.join(MODELS, 'ad_autoencoder_int8.tflite') });
    made.push(ws);
    fs.writeFileSync(path.join(ws, 'fw/bad.c'), 'int main(void) { return undefined_symbol; }\n');
    const project = firmwareProject(ws, 'fw', 'fw');
    quantizeProject(project);
    codegenProject(project);
    const buildDir = path.join(ws, 'dist/fw/build');
    fs.mkdirSync(buildDir, { recursive: true });
    fs.writeFileSync(path.join(buildDir, 'firmware.elf'), 'previous');
    expect(() => buildProject(project)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^BOARD_/) }));
    expect(fs.readFileSync(path.join(buildDir, 'firmware.elf'), 'utf8')).toBe('previous');
    expect(fs.readdirSync(path.join(ws, 'dist/fw')).filter((f) => f.includes('staging'))).toEqual([]);
  });

  it('quantizes a float model on random calibration into an int8 TFLite model with a report', () => {
    const ws = workspace({ model: 'model/ad.tflite', board: 'qemu-m4', calib: 'random', calibSamples: 4 }, { 'model/ad.tflite': path.join(MODELS, 'ad_autoencoder_float.tflite') });
    made.push(ws);
    const project = firmwareProject(ws, 'fw', 'fw');
    expect(isQuantizedModel(readModelFile(project.resolve('model/ad.tflite')))).toBe(false);
    const q = quantizeProject(project);
    expect(q.action).toBe('quantized');
    expect(isQuantizedModel(readModelFile(q.model))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(ws, 'dist/fw/quantize/report.json'), 'utf8')).samples).toBeGreaterThan(0);
  });

  it('refuses a float model without calibration, a missing model and codegen before quantize, with codes', () => {
    const ws = workspace({ model: 'model/ad.tflite', board: 'qemu-m4' }, { 'model/ad.tflite': path.join(MODELS, 'ad_autoencoder_float.tflite') });
    made.push(ws);
    const project = firmwareProject(ws, 'fw', 'fw');
    expect(() => codegenProject(project)).toThrow(NxPluginError);
    expect(() => quantizeProject(project)).toThrow(expect.objectContaining({ code: 'QUANT_CALIB_MISSING' }));
    fs.writeFileSync(path.join(ws, 'fw/firmware.json'), JSON.stringify({ model: 'model/none.tflite', board: 'qemu-m4' }));
    expect(() => quantizeProject(firmwareProject(ws, 'fw', 'fw'))).toThrow(expect.objectContaining({ code: 'NXPLUGIN_PATH' }));
  });

  it('makes run inputs from a seed or a raw file of whole inferences', () => {
    const ws = workspace({ model: 'model/ad.tflite', board: 'qemu-m4', runInputs: 3 });
    made.push(ws);
    const project = firmwareProject(ws, 'fw', 'fw');
    const graph = readModelFile(path.join(MODELS, 'ad_autoencoder_int8.tflite'));
    const random = runInputs(project, graph, {});
    expect(random.map((r) => r.length)).toEqual([640, 640, 640]);
    expect(random[0]).toEqual(seededBytes(640, 1));
    expect(random[1]).not.toEqual(random[0]);
    fs.writeFileSync(path.join(ws, 'in.bin'), Buffer.alloc(1280, 7));
    expect(runInputs(project, graph, { input: 'in.bin' }).length).toBe(2);
    fs.writeFileSync(path.join(ws, 'bad.bin'), Buffer.alloc(641));
    expect(() => runInputs(project, graph, { input: 'bad.bin' })).toThrow(expect.objectContaining({ code: 'NXPLUGIN_OPTIONS' }));
  });
});
