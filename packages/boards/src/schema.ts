import { z } from 'zod';
import { CORE_NAMES, coreProblems, FPU_NAMES } from './cores';

/** Addresses and sizes: a JSON integer or a hex string ("0x08000000"), always a 32-bit unsigned number. */
const u32 = z
  .union([z.number().int(), z.string().regex(/^0x[0-9a-fA-F]{1,8}$/, 'expected a hex string like "0x08000000"')])
  .transform((v) => (typeof v === 'string' ? parseInt(v.slice(2), 16) : v))
  .pipe(z.number().int().min(0).max(0xffffffff));

export const memoryRegionSchema = z
  .strictObject({
    base: u32,
    size: u32.pipe(z.number().positive()),
  })
  .refine((r) => r.base + r.size <= 0x1_0000_0000, { message: 'region runs past the 4 GiB address space' });

/** Names a C array and a linker section and memory region: lower-case, short, and neither FLASH nor RAM. */
const regionName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,15}$/, 'a lower-case letter, then up to 15 lower-case letters, digits or underscores')
  .refine((n) => n !== 'flash' && n !== 'ram', { message: "'flash' and 'ram' name the linker script's own regions" });

/**
 * The main RAM: the stack, .data and .bss live here, and the arena too unless the board lists more RAM regions.
 * `name` and `fast` matter only beside `extraRam` (default name "ram").
 */
export const ramSchema = z
  .strictObject({
    base: u32,
    size: u32.pipe(z.number().positive()),
    name: regionName.optional(),
    /** Tightly coupled or zero-wait-state memory (a DTCM): the memory planner puts the hottest tensors here first. */
    fast: z.boolean().optional(),
  })
  .refine((r) => r.base + r.size <= 0x1_0000_0000, { message: 'region runs past the 4 GiB address space' });

/** A further RAM region only arena parts go to (codegen places tensors there; each is zeroed at reset). */
export const extraRamSchema = z
  .strictObject({
    name: regionName,
    base: u32,
    size: u32.pipe(z.number().positive()),
    fast: z.boolean().optional(),
    notes: z.string().optional(),
  })
  .refine((r) => r.base + r.size <= 0x1_0000_0000, { message: 'region runs past the 4 GiB address space' });

/** Erase units of a flash, in address order: `count` sectors/pages of `size` bytes each. */
const sectorRunSchema = z.strictObject({ count: z.number().int().positive(), size: u32.pipe(z.number().positive()) });

/** Which modem line drives a chip pin, or `manual` when a person presses a button / sets a jumper. */
const controlLine = z.enum(['dtr', 'rts', '-dtr', '-rts', 'manual', 'none']);

const an3155Schema = z.strictObject({
  method: z.literal('an3155'),
  /** The USART the ROM (or our) bootloader listens on, and its pins. */
  port: z.string().min(1),
  baud: z.number().int().positive(),
  parity: z.enum(['even', 'none']),
  boot0: controlLine,
  reset: controlLine,
  /** Product id the bootloader reports to Get ID. */
  productId: u32.pipe(z.number().max(0xffff)),
  /** Base of the erasable region the sector map describes; Extended Erase page n is counted from here. */
  flashBase: u32,
  sectors: z.array(sectorRunSchema).min(1),
  notes: z.string().optional(),
});

const sambaSchema = z.strictObject({
  method: z.literal('samba'),
  /** Where the application starts; the resident bootloader occupies everything below. */
  offset: u32,
  /** Opening the CDC port at 1200 baud and closing it resets into the bootloader. */
  touchBaud: z.number().int().positive(),
  notes: z.string().optional(),
});

const msdSchema = z.strictObject({
  method: z.literal('msd'),
  /** The volume label of the USB drive an image is copied to. */
  volumeLabel: z.string().min(1),
  format: z.enum(['bin', 'hex']),
  notes: z.string().optional(),
});

const uf2Schema = z.strictObject({
  method: z.literal('uf2'),
  volumeLabel: z.string().min(1),
  familyId: u32,
  notes: z.string().optional(),
});

export const flashMethodSchema = z.discriminatedUnion('method', [an3155Schema, sambaSchema, msdSchema, uf2Schema]);

/** More RAM regions than this would be unusual; the startup code zeroes each (boards/common/src/startup.c). */
export const MAX_EXTRA_RAM = 3;

export const qemuSchema = z.strictObject({
  machine: z.enum(['mps2-an385', 'mps2-an386', 'mps2-an500', 'mps2-an505', 'mps3-an547']),
  /** Where the bootloader lives (QEMU loads it and resets into its vector table). */
  bootloader: memoryRegionSchema,
  /** -icount shift: one instruction = 2^shift ns of virtual time. */
  icountShift: z.number().int().min(0).max(10),
});

export const boardSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().min(1),
    mcu: z.string().min(1),
    kind: z.enum(['hardware', 'virtual']),
    /** Whether this definition has been run on the real board (false until someone has). */
    testedOnHardware: z.boolean(),
    /** The core, its FPU and its DSP / Helium extensions: the compiler flags are derived from these (cores.ts). */
    core: z.enum(CORE_NAMES),
    fpu: z.enum(FPU_NAMES),
    dsp: z.boolean(),
    mve: z.enum(['none', 'int', 'float']),
    clockHz: z.number().int().positive(),
    /** The application's flash (for virtual boards: the RAM-backed region the bootloader writes). */
    flash: memoryRegionSchema,
    ram: ramSchema,
    /**
     * More RAM regions apart from `ram` (F7/H7 DTCM and SRAMs, L4 SRAM2): the memory planner may place tensors in
     * each, a tensor never straddling two, under each region's size; the stack and static data stay in `ram`.
     */
    extraRam: z.array(extraRamSchema).min(1).max(MAX_EXTRA_RAM).optional(),
    stackBytes: z.number().int().min(256),
    console: z.strictObject({
      uart: z.string().min(1),
      base: u32,
      baud: z.number().int().positive(),
      tx: z.string().min(1),
      rx: z.string().min(1),
      /** How the host reaches it, e.g. "ST-LINK virtual COM port" or "QEMU -serial". */
      host: z.string().min(1),
      /**
       * NVIC lines that may carry the UART's receive interrupt; when given, a blocking read sleeps in WFI until a
       * byte arrives instead of spinning (matters on QEMU, see boards/common/src/uart_cmsdk.c). Two lines where
       * emulator versions disagree on which of the RX/TX pair is RX; the TX interrupt stays disabled.
       */
      rxIrqs: z.array(z.number().int().min(0).max(479)).min(1).max(2).optional(),
    }),
    flashing: z.array(flashMethodSchema).min(1),
    cycleCounter: z.enum(['dwt', 'systick']),
    /** Refused: the target flags are derived from core, fpu, dsp and mve (two statements of the core could disagree). */
    cflags: z.never({ error: 'cflags are derived from core, fpu, dsp and mve: remove the field' }).optional(),
    /** Board support C files, relative to the board directory (files under ../common are named "common/…"). */
    sources: z.array(z.string().regex(/^[A-Za-z0-9_./-]+\.[cS]$/)).min(1),
    /** A post-link step some chips need (RP2040: checksum the second-stage boot loader). */
    postLink: z.enum(['rp2040-boot2-crc']).optional(),
    qemu: qemuSchema.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.kind === 'virtual' && b.qemu === undefined) ctx.addIssue({ code: 'custom', path: ['qemu'], message: 'virtual boards need a qemu section' });
    if (b.kind === 'hardware' && b.qemu !== undefined) ctx.addIssue({ code: 'custom', path: ['qemu'], message: 'only virtual boards have a qemu section' });
    if (overlaps(b.flash, b.ram)) ctx.addIssue({ code: 'custom', path: ['ram'], message: 'flash and RAM regions overlap' });
    const names = new Set([b.ram.name ?? 'ram']);
    (b.extraRam ?? []).forEach((r, i) => {
      if (names.has(r.name)) ctx.addIssue({ code: 'custom', path: ['extraRam', i, 'name'], message: `region name '${r.name}' is used twice` });
      names.add(r.name);
      const others: [string, MemoryRegion][] = [['flash', b.flash], ['ram', b.ram], ...(b.extraRam ?? []).slice(0, i).map((o): [string, MemoryRegion] => [o.name, o])];
      if (b.qemu !== undefined) others.push(['the bootloader', b.qemu.bootloader]);
      for (const [what, o] of others) if (overlaps(r, o)) ctx.addIssue({ code: 'custom', path: ['extraRam', i], message: `region '${r.name}' overlaps ${what}` });
    });
    if (b.qemu !== undefined && overlaps(b.qemu.bootloader, b.flash))
      ctx.addIssue({ code: 'custom', path: ['qemu', 'bootloader'], message: 'bootloader region overlaps the application flash' });
    for (const p of coreProblems(b)) ctx.addIssue({ code: 'custom', path: [p.field], message: p.message });
    if (b.cycleCounter === 'dwt' && b.core === 'cortex-m0plus')
      ctx.addIssue({ code: 'custom', path: ['cycleCounter'], message: 'cortex-m0plus has no DWT cycle counter' });
    b.flashing.forEach((m, i) => {
      if (m.method !== 'an3155') return;
      const end = m.flashBase + m.sectors.reduce((s, r) => s + r.count * r.size, 0);
      if (m.flashBase > b.flash.base || end < b.flash.base + b.flash.size)
        ctx.addIssue({ code: 'custom', path: ['flashing', i, 'sectors'], message: 'the sector map does not cover the flash region' });
    });
  });

function overlaps(a: MemoryRegion, b: MemoryRegion): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

export type MemoryRegion = z.output<typeof memoryRegionSchema>;
export type ExtraRam = z.output<typeof extraRamSchema>;
export type FlashMethod = z.output<typeof flashMethodSchema>;
export type An3155Method = z.output<typeof an3155Schema>;
export type QemuConfig = z.output<typeof qemuSchema>;
export type Board = z.output<typeof boardSchema>;
