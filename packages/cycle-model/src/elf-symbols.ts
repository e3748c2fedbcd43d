import { spawnSync } from 'child_process';
import { CycleModelError } from './errors';
import { LayerHooks } from './trace-parser';

export interface ElfSymbol {
  address: number;
  size: number;
}

/** Defined symbols of an ELF (name → address without the Thumb bit, size), read with arm-none-eabi-nm. */
export function readSymbols(elf: string): Map<string, ElfSymbol> {
  const r = spawnSync('arm-none-eabi-nm', ['-S', '--defined-only', elf], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) throw new CycleModelError('CYCLES_TOOL', `cannot run arm-none-eabi-nm: ${r.error.message}`);
  if (r.status !== 0) throw new CycleModelError('CYCLES_SYMBOL', `arm-none-eabi-nm failed: ${r.stderr.trim().slice(0, 500)}`, { file: elf });
  const symbols = new Map<string, ElfSymbol>();
  for (const line of r.stdout.split('\n')) {
    // "00010a4c 00000024 T tfg_cycles_read" (size absent for some symbols)
    const m = /^([0-9a-f]+) (?:([0-9a-f]+) )?\w (\S+)$/.exec(line.trim());
    if (m !== null) symbols.set(m[3], { address: parseInt(m[1], 16) & ~1, size: m[2] === undefined ? 0 : parseInt(m[2], 16) });
  }
  return symbols;
}

/** Names of the profiler hook functions in tinyforge firmware (serial-profiler c/tfg_profile.h, codegen-c). */
export interface HookNames {
  /** The generated function whose body brackets every layer with the hooks: codegen's `<prefix>_run` (default `model_run`). */
  invoke?: string;
  /** The counter function the hooks call (default `tfg_cycles_read`). */
  counter?: string;
}

/** The layer hooks' addresses from the firmware's symbols. */
export function layerHooksFromElf(elf: string, names: HookNames = {}): LayerHooks {
  const symbols = readSymbols(elf);
  const get = (name: string): ElfSymbol => {
    const s = symbols.get(name);
    if (s === undefined) throw new CycleModelError('CYCLES_SYMBOL', `no symbol '${name}' (built with the profiler hooks?)`, { file: elf });
    return s;
  };
  const invoke = get(names.invoke ?? 'model_run');
  const counter = get(names.counter ?? 'tfg_cycles_read');
  if (invoke.size === 0) throw new CycleModelError('CYCLES_SYMBOL', `symbol '${names.invoke ?? 'model_run'}' has no size`, { file: elf });
  return { windowEntry: invoke.address, counterEntry: counter.address, callerStart: invoke.address, callerEnd: invoke.address + invoke.size };
}
