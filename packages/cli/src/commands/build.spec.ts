/**
 * `tinyforge build` chooses the convolution filters the board's flash allows: packed ones (the DSP kernel's,
 * about twice the int8 filters' size) where they fit, else the int8 ones, which ic_resnet_large needs on the
 * nano33-ble-sense (packed constants alone are 972,808 of its 983,040 bytes).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateC } from '@tinyforge/codegen-c';
import { readModelFile } from '@tinyforge/model-format';
import { runBuild } from './build';

const SHARED = path.resolve(__dirname, '../../../../../shared');
const ready = fs.existsSync(path.join(SHARED, 'models')) && spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;
if (!ready) console.warn(`cli build tests skipped: needs ${SHARED}/models and arm-none-eabi-gcc`);
const d = ready ? describe : describe.skip;

d('tinyforge build', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-build-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const io = { out: (): void => undefined, err: (): void => undefined };
  const model = (name: string): string => path.join(SHARED, 'models', `${name}.tflite`);
  const constants = (name: string): { packedFilters: number; int8Filters: number } =>
    generateC(readModelFile(model(name)), { prefix: name }).flashBytesByBuild;

  it('links the packed filters on a DSP board where they fit', () => {
    const s = runBuild({ board: 'nucleo-f746zg', model: model('kws_dscnn_int8'), output: path.join(work, 'kws'), optimize: 'O2' }, io);
    expect(s.packedFilters).toBe(true);
    const { packedFilters } = constants('kws_dscnn_int8');
    // The weights figure is the linked .weights section exactly (alignment included).
    expect(s.size.flash.weights).toBe(packedFilters);
    expect(s.weightsBytes).toBe(packedFilters);
  }, 120_000);

  it('falls back to the int8 filters when the packed ones overflow the flash', () => {
    const s = runBuild({ board: 'nano33-ble-sense', model: model('ic_resnet_large_int8'), output: path.join(work, 'large'), optimize: 'O2' }, io);
    expect(s.packedFilters).toBe(false);
    const { packedFilters, int8Filters } = constants('ic_resnet_large_int8');
    expect(packedFilters + 16384).toBeGreaterThan(s.size.flash.size);
    expect(s.size.flash.weights).toBe(int8Filters);
    expect(s.weightsBytes).toBe(int8Filters);
    expect(s.size.flash.overflow).toBe(0);
  }, 240_000);
});
