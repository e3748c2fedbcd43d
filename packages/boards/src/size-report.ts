import { ElfSection } from '@tinyforge/flasher';
import { RamRegion } from './regions';
import { MemoryRegion } from './schema';

export interface RegionUsage {
  base: number;
  size: number;
  used: number;
  free: number;
  /** Bytes beyond the region's end (0 when it fits). */
  overflow: number;
}

export interface SizeReport {
  /** Flash: code (vectors, text, read-only data), model weights (.weights), initial values of .data. */
  flash: RegionUsage & { code: number; weights: number; dataInit: number };
  /** RAM: tensor arena (.arena), stack (.stack), the rest (.data, .bss). */
  ram: RegionUsage & { arena: number; stack: number; rest: number };
  /** Boards with extra RAM regions: each one's use (the arena parts codegen placed there). */
  extraRam?: (RegionUsage & { name: string })[];
}

export function sizeReport(sections: ElfSection[], flash: MemoryRegion, ram: MemoryRegion, extraRam: readonly RamRegion[] = []): SizeReport {
  const inRegion = (s: ElfSection, r: MemoryRegion) => s.addr >= r.base && s.addr < r.base + r.size;
  const inExtra = (s: ElfSection) => extraRam.some((r) => inRegion(s, r));
  const sumAll = (pred: (s: ElfSection) => boolean) => sections.filter((s) => s.alloc && pred(s)).reduce((n, s) => n + s.size, 0);
  const sum = (pred: (s: ElfSection) => boolean) => sumAll((s) => !inExtra(s) && pred(s));
  const isWeights = (s: ElfSection) => s.name === '.weights';
  const isRamSection = (s: ElfSection) => s.name === '.data' || s.nobits;
  const weights = sum(isWeights);
  const dataInit = sum((s) => s.name === '.data');
  const code = sum((s) => !isWeights(s) && !isRamSection(s));
  const arena = sum((s) => s.name === '.arena');
  const stack = sum((s) => s.name === '.stack');
  const rest = sum((s) => isRamSection(s) && s.name !== '.arena' && s.name !== '.stack');
  const report: SizeReport = {
    flash: { ...usage(flash, code + weights + dataInit), code, weights, dataInit },
    ram: { ...usage(ram, arena + stack + rest), arena, stack, rest },
  };
  if (extraRam.length > 0) report.extraRam = extraRam.map((r) => ({ name: r.name, ...usage(r, sumAll((s) => inRegion(s, r))) }));
  return report;
}

function usage(region: MemoryRegion, used: number): RegionUsage {
  return { base: region.base, size: region.size, used, free: Math.max(0, region.size - used), overflow: Math.max(0, used - region.size) };
}

export function formatSizeReport(r: SizeReport): string {
  const pct = (u: RegionUsage) => `${((100 * u.used) / u.size).toFixed(1)}%`;
  return [
    `flash: ${r.flash.used} / ${r.flash.size} bytes (${pct(r.flash)}): code ${r.flash.code}, weights ${r.flash.weights}, data init ${r.flash.dataInit}`,
    `RAM:   ${r.ram.used} / ${r.ram.size} bytes (${pct(r.ram)}): arena ${r.ram.arena}, stack ${r.ram.stack}, rest ${r.ram.rest}`,
    ...(r.extraRam ?? []).map((x) => `RAM region ${x.name}: ${x.used} / ${x.size} bytes (${pct(x)}): arena parts`),
  ].join('\n');
}
