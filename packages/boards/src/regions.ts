import { Board } from './schema';

/** One RAM region of a board as the memory planner and the linker script see it. */
export interface RamRegion {
  name: string;
  base: number;
  size: number;
  /** The planner puts the hottest tensors here first (a DTCM, zero-wait-state RAM). */
  fast: boolean;
  /** The board's `ram`: the stack, .data and .bss live here too. */
  main: boolean;
  /**
   * The input section a C object must be in to be linked into this region: undefined for the main region (an arena
   * lands in its .arena output section by name, sections.ld), `.bss.tfg_ram_<name>` for the others.
   */
  section?: string;
  /** The linker script's MEMORY name: RAM for the main region, the name in capitals for the others. */
  memoryName: string;
}

/** The input section of arena parts placed in extra RAM region `name` (a .bss name: zero-initialised, no file bytes). */
export function ramRegionSection(name: string): string {
  return `.bss.tfg_ram_${name}`;
}

/** Every RAM region of a board, the main one first: one on most boards, more where board.json lists extraRam. */
export function ramRegions(board: Pick<Board, 'ram' | 'extraRam'>): RamRegion[] {
  const main: RamRegion = { name: board.ram.name ?? 'ram', base: board.ram.base, size: board.ram.size, fast: board.ram.fast === true, main: true, memoryName: 'RAM' };
  const extra = (board.extraRam ?? []).map(
    (r): RamRegion => ({ name: r.name, base: r.base, size: r.size, fast: r.fast === true, main: false, section: ramRegionSection(r.name), memoryName: r.name.toUpperCase() }),
  );
  return [main, ...extra];
}
