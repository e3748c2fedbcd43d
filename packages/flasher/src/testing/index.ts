// Test doubles for the flasher and for code that drives it: device emulators (STM32 AN3155 bootloader with fault
// injection, SAM-BA monitor), in-memory cables with modem lines, a virtual clock that advances only when idle,
// a UART-paced transport for emulators behind a pty, and the project's seeded generator.
export { Stm32Emulator, DEFAULT_COMMANDS } from '../protocols/stm32/emulator';
export type { Stm32EmulatorOptions, Stm32Faults } from '../protocols/stm32/emulator';
export { SambaEmulator } from '../protocols/samba/emulator';
export type { SambaEmulatorOptions } from '../protocols/samba/emulator';
export { createMemoryPair, MemoryEndpoint } from '../transport/memory-pair';
export { VirtualClock } from '../transport/clock';
export { PacedTransport } from '../transport/paced-transport';
export { SeededRandom } from '@tinyforge/ir';
