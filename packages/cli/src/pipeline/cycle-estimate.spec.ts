import { loadTarget } from '@tinyforge/boards';
import { TraceEstimate } from '@tinyforge/cycle-model';
import { cycleEstimateFigures, cycleModelFor, estimateFirmwareCycles, traceInference } from './cycle-estimate';

describe('cycle estimates for virtual boards', () => {
  test('a timing model for the virtual M4 and M7 boards only: hardware measures cycles, M55/M33/M3 have none', () => {
    expect(cycleModelFor(loadTarget('qemu-m4'))?.core).toBe('cortex-m4');
    expect(cycleModelFor(loadTarget('qemu-m7'))?.core).toBe('cortex-m7');
    for (const name of ['qemu-m55', 'qemu-m33', 'qemu-m3', 'nucleo-l4r5zi']) expect(cycleModelFor(loadTarget(name))).toBeUndefined();
  });

  test('a hardware board or a core without a model is a typed error before anything runs', async () => {
    const fw = { elf: '/nonexistent.elf', prefix: 'model' };
    await expect(traceInference(loadTarget('nucleo-l4r5zi'), fw, new Uint8Array(4), 4)).rejects.toMatchObject({ code: 'RUN_BOARD_OPTION', message: expect.stringContaining('measured, not estimated') });
    await expect(estimateFirmwareCycles(loadTarget('qemu-m55'), fw, new Uint8Array(4), new Uint8Array(4))).rejects.toMatchObject({ code: 'RUN_BOARD_OPTION', message: expect.stringContaining('no cycle model for cortex-m55') });
  });

  test('the report figures: the inference window and each layer by index, with the basis naming the core and the memory assumption', () => {
    const cost = (instructions: number, cycles: number) => ({ instructions, cycles, stalls: { memory: cycles - instructions, 'address-dependency': 0, branch: 0, divide: 0, float: 0, interlock: 0, 'dual-issue': 0 } });
    const estimate: TraceEstimate = {
      core: 'cortex-m4',
      all: cost(1000, 1500),
      inference: cost(700, 1000),
      layers: [cost(300, 400), cost(350, 550)],
      betweenLayers: cost(50, 50),
      unclassified: {},
    };
    const f = cycleEstimateFigures(estimate);
    expect(f).toMatchObject({ core: 'cortex-m4', instructions: 700, cycles: 1000, layers: [{ index: 0, instructions: 300, cycles: 400 }, { index: 1, instructions: 350, cycles: 550 }] });
    expect(f.stalls.memory).toBe(300);
    expect(f.basis).toMatch(/cortex-m4 timing model.*zero-wait-state/);
    expect(() => cycleEstimateFigures({ ...estimate, inference: undefined })).toThrow(/no inference window/);
  });
});
