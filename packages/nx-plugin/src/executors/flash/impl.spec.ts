import { loadBoard } from '@tinyforge/boards';
import { flashOptionsForBoard } from './impl';

describe('flash options from the board file', () => {
  it('maps AN3155, SAM-BA and UF2 boards to the flasher protocols with their flash layout', () => {
    const nucleo = flashOptionsForBoard(loadBoard('nucleo-f746zg'), 'fw.elf', '/dev/ttyACM0', { method: 'an3155' });
    expect(nucleo.protocol).toBe('stm32');
    expect(nucleo.flash?.base).toBe(0x08000000);
    expect(nucleo.flash?.sectors.length).toBeGreaterThan(0);
    expect(nucleo.go).toBe(true);
    expect(flashOptionsForBoard(loadBoard('nucleo-f746zg'), 'fw.elf', '/media/NODE').protocol).toBe('msd');
    const nano = flashOptionsForBoard(loadBoard('nano33-ble-sense'), 'fw.elf', '/dev/ttyACM0', { go: false });
    expect([nano.protocol, nano.touch, nano.go]).toEqual(['samba', true, false]);
    const pico = flashOptionsForBoard(loadBoard('rpi-pico'), 'fw.elf', '/media/RPI-RP2');
    expect(pico.protocol).toBe('msd');
    expect(pico.msd?.format).toBe('uf2');
  });

  it('refuses a method the board does not have', () => {
    expect(() => flashOptionsForBoard(loadBoard('rpi-pico'), 'fw.elf', 'p', { method: 'an3155' })).toThrow(expect.objectContaining({ code: 'NXPLUGIN_BOARD' }));
  });
});
