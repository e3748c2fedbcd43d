import { FlashLayout } from './flash-map';

export interface Stm32Device {
  id: number;
  name: string;
  flash: FlashLayout;
  ram: { base: number; size: number };
  /** F0/L4/G0 need the option bytes' boot selection set after programming a blank chip; we only warn. */
  bootSelectionNote?: string;
}

const KiB = 1024;

/**
 * A few product ids (AN2606) with their flash organisation, used when the board file gives no flash map. Board files
 * override this; unknown ids need one.
 */
export const STM32_DEVICES: Stm32Device[] = [
  {
    id: 0x413,
    name: 'STM32F40xxx/41xxx',
    flash: { base: 0x0800_0000, sectors: [ { size: 16 * KiB, count: 4 }, { size: 64 * KiB, count: 1 }, { size: 128 * KiB, count: 7 } ], writeAlign: 4 },
    ram: { base: 0x2000_0000, size: 128 * KiB },
  },
  {
    id: 0x449,
    name: 'STM32F74xxx/75xxx',
    flash: { base: 0x0800_0000, sectors: [ { size: 32 * KiB, count: 4 }, { size: 128 * KiB, count: 1 }, { size: 256 * KiB, count: 3 } ], writeAlign: 4 },
    ram: { base: 0x2000_0000, size: 320 * KiB },
  },
  {
    id: 0x410,
    name: 'STM32F10xxx medium-density',
    flash: { base: 0x0800_0000, sectors: [{ size: 1 * KiB, count: 128 }], writeAlign: 4 },
    ram: { base: 0x2000_0000, size: 20 * KiB },
  },
  {
    id: 0x440,
    name: 'STM32F05x/F030x8',
    flash: { base: 0x0800_0000, sectors: [{ size: 1 * KiB, count: 64 }], writeAlign: 4 },
    ram: { base: 0x2000_0000, size: 8 * KiB },
    bootSelectionNote: 'on a blank F0 set the option bytes\' boot selection (nBOOT_SEL) or the chip re-enters the bootloader on reset',
  },
  {
    id: 0x435,
    name: 'STM32L43xxx/44xxx',
    flash: { base: 0x0800_0000, sectors: [{ size: 2 * KiB, count: 128 }], writeAlign: 8 },
    ram: { base: 0x2000_0000, size: 64 * KiB },
    bootSelectionNote: 'on a blank L4 set the option bytes\' boot selection (nBOOT0/nSWBOOT0) so the chip boots from flash',
  },
  {
    id: 0x450,
    name: 'STM32H74x/75x',
    flash: { base: 0x0800_0000, sectors: [{ size: 128 * KiB, count: 16 }], writeAlign: 32, bank1Units: 8 },
    ram: { base: 0x2400_0000, size: 512 * KiB },
  },
];

export function findStm32Device(id: number): Stm32Device | undefined {
  return STM32_DEVICES.find((d) => d.id === id);
}
