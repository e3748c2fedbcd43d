/**
 * `flash IMAGE --board B --port P`: the port's kind picks the board's method (a serial device its bootloader, a
 * folder its USB drive), the note says which and what it needs, and every hint names this board's drive label.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatIntelHex } from '@tinyforge/flasher';
import { cliCapture } from '../test-support/cli-capture';

const cli = cliCapture;

describe('flash --board: the port picks the method', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-flash-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // 1 KiB at the start of an STM32's flash, as Intel HEX.
  const hex = path.join(dir, 'fw.hex');
  fs.writeFileSync(hex, formatIntelHex([{ address: 0x08000000, data: Uint8Array.from({ length: 1024 }, (_, i) => i & 0xff) }]));

  it('a serial device selects the Nucleo\'s serial bootloader (not its USB drive) and says what that needs', async () => {
    const r = await cli('flash', hex, '--port', '/dev/ttyTFGNONE0', '--board', 'nucleo-l4r5zi');
    expect(r.err).toMatch(/^note: flashing nucleo-l4r5zi by serial: STM32 ROM bootloader \(AN3155\) at 115200 baud 8E1: .*USB-UART adapter/m);
    // It tried the serial port: the error is about opening it, not about a drive.
    expect(r.err).toMatch(/error\[FLASH_PORT_OPEN\]: cannot open \/dev\/ttyTFGNONE0/);
    expect(r.err).not.toMatch(/NODE_F446RE|mounted drive/);
    expect(r.code).toBe(1);
  });

  it('a folder selects the drive: the image is copied as BIN and the drive takes it', async () => {
    const drive = path.join(dir, 'NOD_L4R5ZI');
    fs.mkdirSync(drive);
    // An ST-LINK drive takes the file and lets it vanish once programmed.
    const taker = setInterval(() => fs.rmSync(path.join(drive, 'firmware.bin'), { force: true }), 100);
    try {
      const r = await cli('flash', hex, '--port', drive, '--board', 'nucleo-l4r5zi');
      expect(r.err).toMatch(/^note: flashing nucleo-l4r5zi by USB drive NOD_L4R5ZI \(copy the \.bin\)/m);
      expect(r.out).toMatch(/copied 1\.0 KiB as BIN to .*NOD_L4R5ZI\/firmware\.bin .*file-consumed/);
      expect(r.code).toBe(0);
    } finally {
      clearInterval(taker);
    }
  });

  it('hints name this board\'s drive label, never another board\'s', async () => {
    let r = await cli('flash', hex, '--board', 'nucleo-l4r5zi');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[BOARD_FLASH\]: .*no port to flash nucleo-l4r5zi through: name the mounted NOD_L4R5ZI drive .*\/media\/\$USER\/NOD_L4R5ZI/);
    r = await cli('flash', hex, '--board', 'nucleo-l4r5zi', '--port', path.join(dir, 'not-mounted'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[FLASH_PORT_OPEN\]: .*not-mounted is not a mounted drive \(hint: .*its NOD_L4R5ZI drive is mounted \(e\.g\. \/media\/\$USER\/NOD_L4R5ZI\)\)/);
    expect(r.err).not.toMatch(/F446/);
  });

  it('a serial port for a board flashed only through its drive is refused, naming the drive', async () => {
    const r = await cli('flash', hex, '--board', 'rpi-pico', '--port', '/dev/ttyACM0');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[BOARD_FLASH\]: .*\/dev\/ttyACM0 is a serial port, but rpi-pico is not flashed that way: USB drive RPI-RP2 \(copy the \.uf2\)/);
  });
});
