import * as fs from 'fs';
import * as os from 'os';
import { flashOptionsFor, portKind } from './flash-options';
import { loadTarget, parseBoardJson, targetOf } from './load';

describe('flashOptionsFor: board file → flasher options', () => {
  it('maps AN3155, SAM-BA, MSD and UF2 methods to the flasher protocols with their flash layout', () => {
    const nucleo = flashOptionsFor(loadTarget('nucleo-f746zg'), { image: 'fw.elf', port: '/dev/ttyACM0', method: 'an3155' });
    expect(nucleo).toMatchObject({ image: 'fw.elf', port: '/dev/ttyACM0', protocol: 'stm32', baudRate: 115200, parity: 'even' });
    expect(nucleo.flash).toEqual({ base: 0x08000000, sectors: [{ count: 4, size: 0x8000 }, { count: 1, size: 0x20000 }, { count: 7, size: 0x40000 }], writeAlign: 4 });
    expect(nucleo.reset).toBeUndefined(); // BOOT0 and NRST are set by hand on this board
    // Without a method: the board's first one (the ST-LINK drive); by protocol: the first method it serves.
    expect(flashOptionsFor(loadTarget('nucleo-f746zg'), { image: 'fw.elf', port: '/media/NODE' })).toMatchObject({ protocol: 'msd', msd: { format: 'bin', flashBase: 0x08000000 } });
    expect(flashOptionsFor(loadTarget('nucleo-f746zg'), { image: 'fw.elf', port: '/dev/ttyUSB0', protocol: 'stm32' }).protocol).toBe('stm32');
    const nano = flashOptionsFor(loadTarget('nano33-ble-sense'), { image: 'fw.elf', port: '/dev/ttyACM0', go: false });
    expect(nano).toMatchObject({ protocol: 'samba', touch: true, go: false, samba: { appStart: 0x10000, flashSize: 0x100000 } });
    expect(flashOptionsFor(loadTarget('rpi-pico'), { image: 'fw.elf', port: '/media/RPI-RP2' })).toMatchObject({ protocol: 'msd', msd: { format: 'uf2', familyId: 0xe48bff56 } });
  });

  it('a virtual board flashes through its bootloader at 8N1 (pseudo-terminals drop parity)', () => {
    const q = flashOptionsFor(loadTarget('qemu-m4'), { image: 'app.elf', port: '/dev/pts/9', go: true });
    expect(q).toMatchObject({ protocol: 'stm32', parity: 'none', baudRate: 115200, go: true, flash: { base: 0x10000, sectors: [{ count: 2016, size: 0x800 }] } });
  });

  it('what the caller sets wins; what it leaves undefined keeps the board value', () => {
    const o = flashOptionsFor(loadTarget('qemu-m4'), { image: 'app.elf', port: 'p', baudRate: 57600, parity: undefined, verify: false });
    expect(o).toMatchObject({ baudRate: 57600, parity: 'none', verify: false });
  });

  it('resets into the bootloader itself when BOOT0 and NRST sit on two modem lines', () => {
    const text = fs.readFileSync(loadTarget('nucleo-l4r5zi').file, 'utf8');
    const json = JSON.parse(text);
    const an3155 = json.flashing.find((m: { method: string }) => m.method === 'an3155');
    Object.assign(an3155, { boot0: 'dtr', reset: '-rts' });
    const target = targetOf(parseBoardJson(JSON.stringify(json)), loadTarget('nucleo-l4r5zi').file);
    expect(flashOptionsFor(target, { image: 'fw.elf', port: 'p', method: 'an3155' }).reset).toBe('rts');
    Object.assign(an3155, { boot0: 'rts', reset: 'rts' });
    expect(flashOptionsFor(targetOf(parseBoardJson(JSON.stringify(json)), 'f'), { image: 'fw.elf', port: 'p', method: 'an3155' }).reset).toBeUndefined();
  });

  it('refuses a method the board does not have, and a flash without a port or a mounted drive', () => {
    expect(() => flashOptionsFor(loadTarget('rpi-pico'), { image: 'fw.elf', port: 'p', method: 'an3155' })).toThrow(expect.objectContaining({ code: 'BOARD_FLASH' }));
    expect(() => flashOptionsFor(loadTarget('rpi-pico'), { image: 'fw.elf', port: 'p', protocol: 'samba' })).toThrow(/rpi-pico has no samba protocol flashing method \(it is flashed by USB drive RPI-RP2 \(copy the \.uf2\)\)/);
    expect(() => flashOptionsFor(loadTarget('qemu-m4'), { image: 'fw.elf' })).toThrow(/no port to flash qemu-m4 through/);
  });

  it('without a method or protocol, the port picks one: a serial device the bootloader, a folder the drive', () => {
    expect(portKind('/dev/null')).toBe('serial'); // a character device
    expect(portKind('/dev/ttyUSB7')).toBe('serial'); // not plugged in: judged by its name
    expect(portKind('COM4')).toBe('serial');
    expect(portKind(os.tmpdir())).toBe('drive');
    expect(portKind('relative/name')).toBeUndefined();
    const l4 = loadTarget('nucleo-l4r5zi');
    expect(flashOptionsFor(l4, { image: 'fw.elf', port: '/dev/ttyACM0' })).toMatchObject({ protocol: 'stm32', parity: 'even', flash: { base: 0x08000000 } });
    expect(flashOptionsFor(l4, { image: 'fw.elf', port: os.tmpdir() })).toMatchObject({ protocol: 'msd', msd: { format: 'bin', volumeLabel: 'NOD_L4R5ZI' } });
    // What is asked for explicitly still wins over the port's kind.
    expect(flashOptionsFor(l4, { image: 'fw.elf', port: '/dev/ttyACM0', method: 'msd' }).protocol).toBe('msd');
    expect(() => flashOptionsFor(loadTarget('nano33-ble-sense'), { image: 'fw.elf', port: os.tmpdir() })).toThrow(/is a folder \(a mounted drive\), but nano33-ble-sense is not flashed that way: serial: SAM-BA/);
  });
});
