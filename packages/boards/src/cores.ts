/**
 * What each Cortex-M core can be built with, in one table: the board schema checks `core` / `fpu` / `dsp` / `mve`
 * against it and the compiler flags are derived from it, so a board states its core once.
 */
export const CORE_NAMES = ['cortex-m0plus', 'cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'] as const;
export type CoreName = (typeof CORE_NAMES)[number];

/** `auto`: the FPU the core's -mcpu implies (the Cortex-M55's, which MVE floating point uses). */
export const FPU_NAMES = ['none', 'fpv4-sp-d16', 'fpv5-sp-d16', 'fpv5-d16', 'auto'] as const;
export type FpuName = (typeof FPU_NAMES)[number];

export type MveKind = 'none' | 'int' | 'float';

interface CoreFacts {
  /** FPUs the core is made with (`none`: built for the soft-float ABI). */
  fpus: readonly FpuName[];
  /** The DSP extension: part of every such core, absent, or an option of the chip (the M33's). */
  dsp: 'always' | 'never' | 'optional';
  /** Helium (M-profile vector extension). */
  mve: boolean;
}

const CORES: Record<CoreName, CoreFacts> = {
  'cortex-m0plus': { fpus: ['none'], dsp: 'never', mve: false },
  'cortex-m3': { fpus: ['none'], dsp: 'never', mve: false },
  'cortex-m4': { fpus: ['none', 'fpv4-sp-d16'], dsp: 'always', mve: false },
  'cortex-m7': { fpus: ['none', 'fpv5-sp-d16', 'fpv5-d16'], dsp: 'always', mve: false },
  'cortex-m33': { fpus: ['none', 'fpv5-sp-d16'], dsp: 'optional', mve: false },
  'cortex-m55': { fpus: ['none', 'auto'], dsp: 'always', mve: true },
};

export interface CoreDescription {
  core: CoreName;
  fpu: FpuName;
  dsp: boolean;
  mve: MveKind;
}

/** Where a core description contradicts the core (field name and message); empty when it is consistent. */
export function coreProblems(c: CoreDescription): { field: 'fpu' | 'dsp' | 'mve'; message: string }[] {
  const facts = CORES[c.core];
  const problems: { field: 'fpu' | 'dsp' | 'mve'; message: string }[] = [];
  if (!facts.fpus.includes(c.fpu)) problems.push({ field: 'fpu', message: `${c.core} has no FPU '${c.fpu}' (it takes ${facts.fpus.join(', ')})` });
  if (c.dsp && facts.dsp === 'never') problems.push({ field: 'dsp', message: `${c.core} has no DSP extension` });
  if (!c.dsp && facts.dsp === 'always') problems.push({ field: 'dsp', message: `every ${c.core} has the DSP extension: set dsp to true` });
  if (c.mve !== 'none' && !facts.mve) problems.push({ field: 'mve', message: `MVE needs cortex-m55, not ${c.core}` });
  // GCC's +nofp on the M55 removes MVE too: Helium is built with the core's FPU.
  if (c.mve !== 'none' && c.fpu === 'none') problems.push({ field: 'mve', message: `MVE is built with the ${c.core}'s FPU: set fpu to 'auto'` });
  return problems;
}

/**
 * arm-none-eabi-gcc target flags for a (consistent) core description: -mcpu with the extensions the chip lacks
 * switched off, Thumb, and the FPU with the hard-float ABI (soft-float without one).
 */
export function compilerFlags(c: CoreDescription): string[] {
  let cpu: string = c.core;
  if (CORES[c.core].dsp === 'optional' && !c.dsp) cpu += '+nodsp';
  if (CORES[c.core].mve) {
    if (c.fpu === 'none') cpu += '+nofp';
    else if (c.mve === 'none') cpu += '+nomve';
    else if (c.mve === 'int') cpu += '+nomve.fp';
  }
  const flags = [`-mcpu=${cpu}`, '-mthumb'];
  if (c.fpu === 'none') return [...flags, '-mfloat-abi=soft'];
  return [...flags, ...(c.fpu === 'auto' ? [] : [`-mfpu=${c.fpu}`]), '-mfloat-abi=hard'];
}

/** Every consistent core description (for tests that check the flags against the compiler). */
export function allCoreDescriptions(): CoreDescription[] {
  const out: CoreDescription[] = [];
  for (const core of CORE_NAMES) {
    for (const fpu of CORES[core].fpus) {
      for (const dsp of [false, true]) {
        for (const mve of ['none', 'int', 'float'] as const) {
          const c = { core, fpu, dsp, mve };
          if (coreProblems(c).length === 0) out.push(c);
        }
      }
    }
  }
  return out;
}
