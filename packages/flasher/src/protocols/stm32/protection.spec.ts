import { FlashImage } from '../../image/image';
import { VirtualClock } from '../../transport/clock';
import { createMemoryPair } from '../../transport/memory-pair';
import { DEFAULT_STM32_TIMEOUTS, NackError, Stm32Client } from './client';
import { Cmd } from './constants';
import { STM32_DEVICES } from './devices';
import { Stm32Emulator, Stm32EmulatorOptions } from './emulator';
import { flashStm32 } from './flash-stm32';

// How protection refusals are told apart from line noise, on a virtual clock so the outcome never depends on timing.
const F4 = STM32_DEVICES.find((d) => d.id === 0x413)!;

function setup(opts: Partial<Stm32EmulatorOptions>) {
  const clock = new VirtualClock();
  const { host, device } = createMemoryPair({ clock });
  const emu = new Stm32Emulator(device, { productId: 0x413, flash: F4.flash, ram: F4.ram, ...opts });
  void emu.start();
  return { host, device, emu, clock };
}

const image: FlashImage = { format: 'bin', segments: [{ address: F4.flash.base, data: new Uint8Array(1024).fill(0x5a) }] };

describe('protection classification', () => {
  it('asks a readout-protected chip for Write Memory without pipelining its address and data into the command parser', async () => {
    const { host, device } = setup({ readoutProtected: true });
    const client = new Stm32Client(host, DEFAULT_STM32_TIMEOUTS);
    await client.connect();
    const refused = await client.writeMemory(F4.flash.base, new Uint8Array(256)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NackError);
    expect((refused as NackError).stage).toBe('command');
    // Nothing else was sent, so nothing else comes back (pipelined bytes would each draw a NACK here).
    await expect(host.read(1, 200)).rejects.toMatchObject({ code: 'FLASH_TIMEOUT' });
    await device.close();
  });

  it('reports a write-protected sector as FLASH_PROTECTED even when one refusal came at another stage', async () => {
    // The erase opcode is NACKed once (command stage), then its sector list is refused (data stage) at every attempt.
    const { host, device, emu } = setup({ writeProtectedSectors: [0], faults: { nackCommandAt: 3 } });
    const failed = await flashStm32(host, image, { go: true }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'FLASH_PROTECTED', message: expect.stringMatching(/write-protected/) });
    expect(emu.commandLog.filter((c) => c === Cmd.ExtendedErase)).toHaveLength(4);
    expect(emu.startedAt).toBeUndefined();
    await device.close();
  });

  it('reports readout protection as FLASH_PROTECTED with the mass-erase warning, and never starts the chip', async () => {
    const { host, device, emu, clock } = setup({ readoutProtected: true, faults: { dropTxAt: 27 } });
    const failed = await flashStm32(host, image, { go: true }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'FLASH_PROTECTED', message: expect.stringMatching(/readout protection.*MASS-ERASES/) });
    expect(emu.startedAt).toBeUndefined();
    // The first refusal is lost on the line (a timeout). Bounded: four erase attempts with three recoveries, each well under 5 s of (virtual) protocol time.
    expect(clock.now()).toBeLessThan(4 * (DEFAULT_STM32_TIMEOUTS.eraseBase + DEFAULT_STM32_TIMEOUTS.erasePerSector) + 3 * 5000);
    await device.close();
  });
});
