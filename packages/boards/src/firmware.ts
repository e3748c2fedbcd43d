import { compileCached, compilerVersion } from '@tinyforge/common';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { filesUnder } from '@tinyforge/common';
import { imageToUf2, parseElf, readElfSections } from '@tinyforge/flasher';
import { BoardError } from './errors';
import { Target } from './load';
import { patchRp2040Boot2 } from './rp2040';
import { RamRegion, ramRegions } from './regions';
import { MemoryRegion } from './schema';
import { SizeReport, sizeReport } from './size-report';
import { armGcc, armTool, runTool, ToolFailure } from './toolchain';

export const COMMON_DIR_NAME = 'common';

/** Flags every compile gets besides the target's and the optimisation level. */
const COMMON_FLAGS = ['-g', '-std=gnu11', '-Wall', '-ffunction-sections', '-fdata-sections'];

export interface FirmwareBuildOptions {
  target: Target;
  /** Application C sources (must define main()). Board support is added automatically. */
  sources: string[];
  includeDirs?: string[];
  /** Extra preprocessor definitions, NAME or NAME=VALUE. */
  defines?: string[];
  outDir: string;
  /** Base name of the outputs (default "firmware"): <name>.elf, .bin, .hex, .map (and .uf2 for UF2 boards). */
  name?: string;
  optimize?: 'O2' | 'Os' | 'O3';
  lto?: boolean;
  /** Link into the application flash (default) or, on virtual boards, into the bootloader's region (the image
   *  QEMU resets into: the bootloader itself, or an application loaded directly without flashing). */
  image?: 'application' | 'bootloader';
  /** Build in `from` for a folder that will be moved to `to` (a staging folder): debug info and __FILE__ name `to`. */
  pathPrefixMap?: { from: string; to: string };
  /**
   * Keep links here by content (see linkCacheDir) and reuse them: for throw-away build folders (`run --board`),
   * since a reused ELF's debug info names the folder it was first linked in. Default: TINYFORGE_FIRMWARE_CACHE.
   */
  linkCache?: string;
}

export interface FirmwareBuildResult {
  board: string;
  elf: string;
  bin: string;
  hex: string;
  /** The UF2 image, for application builds of boards flashed by copying UF2 to their drive. */
  uf2?: string;
  map: string;
  /** Where the binary's first byte goes (the flash region's base). */
  loadAddress: number;
  size: SizeReport;
}

/** Compile and link sources + board support for a board; returns the images and the size report. */
export function buildFirmware(options: FirmwareBuildOptions): FirmwareBuildResult {
  const board = options.target;
  const image = options.image ?? 'application';
  const flash = linkRegion(board, image);
  const outDir = path.resolve(options.outDir);
  const name = options.name ?? 'firmware';
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw new BoardError('BOARD_IO', `cannot create the output directory: ${(e as Error).message}`, { file: outDir });
  }
  for (const src of options.sources) {
    if (!fs.existsSync(src)) throw new BoardError('BOARD_IO', 'source file not found', { file: src });
  }
  const commonDir = path.join(path.dirname(board.dir), COMMON_DIR_NAME);
  fs.writeFileSync(path.join(outDir, 'memory.ld'), memoryScript(flash, board.ram, board.stackBytes, ramRegions(board).slice(1)));

  const elf = path.join(outDir, `${name}.elf`);
  const args = [
    ...board.cflags,
    `-${options.optimize ?? 'O2'}`,
    ...COMMON_FLAGS,
    ...(options.lto ? ['-flto'] : []),
    ...(options.pathPrefixMap !== undefined ? [`-ffile-prefix-map=${options.pathPrefixMap.from}=${options.pathPrefixMap.to}`] : []),
    `-I${path.join(commonDir, 'include')}`,
    ...(options.includeDirs ?? []).map((d) => `-I${d}`),
    ...boardDefines(board).map((d) => `-D${d}`),
    ...(options.defines ?? []).map((d) => `-D${d}`),
    ...boardSources(board),
    ...options.sources,
    // libm for the float kernels' exp/tanh (float models); the linker takes only what is referenced.
    '-lm',
    '-nostartfiles',
    '--specs=nano.specs',
    '--specs=nosys.specs',
    `-L${outDir}`,
    `-L${commonDir}`,
    '-Tmemory.ld',
    '-Wl,--gc-sections',
    `-Wl,-Map=${path.join(outDir, `${name}.map`)}`,
    '-o',
    elf,
  ];
  const bin = path.join(outDir, `${name}.bin`);
  const hex = path.join(outDir, `${name}.hex`);
  const outputs = [elf, bin, hex, path.join(outDir, `${name}.map`)];
  const cached = linkCacheDir(args, [name, image, board.postLink ?? ''], options.linkCache);
  if (cached === undefined || !restoreLink(cached, outputs)) {
    try {
      runTool(armGcc(), args, `building ${name} for ${board.name}`);
    } catch (e) {
      if (e instanceof ToolFailure) throw overflowError(e, board) ?? e;
      throw e;
    }
    if (board.postLink === 'rp2040-boot2-crc') patchRp2040Boot2(elf);
    runTool(armTool('objcopy'), ['-O', 'binary', elf, bin], 'objcopy to binary');
    runTool(armTool('objcopy'), ['-O', 'ihex', elf, hex], 'objcopy to Intel HEX');
    if (cached !== undefined) storeLink(cached, outputs);
  }
  const elfBytes = new Uint8Array(fs.readFileSync(elf));
  const size = sizeReport(readElfSections(elfBytes, elf), flash, board.ram, ramRegions(board).slice(1));
  const regionsOver = Object.fromEntries((size.extraRam ?? []).filter((r) => r.overflow > 0).map((r) => [r.name, r.overflow]));
  if (size.flash.overflow > 0 || size.ram.overflow > 0 || Object.keys(regionsOver).length > 0) {
    throw new BoardError('BOARD_OVERFLOW', overflowMessage(board.name, size.flash.overflow, size.ram.overflow, regionsOver), { file: elf });
  }
  const uf2Method = board.flashing.find((m) => m.method === 'uf2');
  let uf2: string | undefined;
  if (uf2Method?.method === 'uf2' && image === 'application') {
    uf2 = path.join(outDir, `${name}.uf2`);
    writeOutput(uf2, imageToUf2(parseElf(elfBytes, elf), uf2Method.familyId));
  }
  return { board: board.name, elf, bin, hex, uf2, map: path.join(outDir, `${name}.map`), loadAddress: flash.base, size };
}

function writeOutput(file: string, bytes: Uint8Array): void {
  try {
    fs.writeFileSync(file, bytes);
  } catch (e) {
    throw new BoardError('BOARD_IO', `cannot write ${path.basename(file)}: ${(e as Error).message}`, { file });
  }
}

export interface LibraryOptions {
  /** C sources of the library. */
  sources: string[];
  /** Include directories; every header under them (and beside the sources) is part of the cache key. */
  includeDirs: string[];
  optimize?: 'O2' | 'Os' | 'O3';
  lto?: boolean;
  /** Default: firmware-libraries in the content cache (common cacheRoot). */
  cacheDir?: string;
}

/**
 * A library (the kernels) compiled for a target with the flags buildFirmware gives every source, once per
 * distinct (flags, sources, headers): the object files, to pass to buildFirmware as sources.
 */
export function compileLibrary(target: Target, options: LibraryOptions): string[] {
  return compileCached({
    kind: 'firmware-libraries',
    compiler: armGcc(),
    flags: [...target.cflags, `-${options.optimize ?? 'O2'}`, ...COMMON_FLAGS, ...(options.lto ? ['-flto'] : []), ...options.includeDirs.map((d) => `-I${d}`)],
    sources: options.sources,
    headerDirs: [...new Set([...options.includeDirs, ...options.sources.map((s) => path.dirname(s))])],
    cacheDir: options.cacheDir,
    compile: (args, src) => runTool(armGcc(), args, `compiling ${path.basename(src)} for ${target.name}`),
  });
}

/** What an #include can name (not the plan.json or report.html that share the generated sources' folder). */
const INCLUDABLE = ['.h', '.c', '.inc'];

/**
 * The link cache of one build, when TINYFORGE_FIRMWARE_CACHE names a folder (npm test gives each run one, so
 * that the specs building the same model for the same board link it once): keyed by what the output depends on —
 * the compiler and its version, every flag and define, each source's and object's bytes, every file under the
 * include folders and the linker scripts — never by a path, so builds into different folders share it.
 */
function linkCacheDir(args: readonly string[], extra: readonly string[], given?: string): string | undefined {
  const root = given ?? process.env.TINYFORGE_FIRMWARE_CACHE;
  if (root === undefined || root === '') return undefined;
  const hash = createHash('sha256').update(armGcc()).update('\0').update(compilerVersion(armGcc())).update('\0');
  const file = (f: string, name: string) => hash.update(name).update('\0').update(fs.readFileSync(f)).update('\0');
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-o') i++; // the output path
    else if (a.startsWith('-Wl,-Map=')) continue;
    else if (a.startsWith('-I') || a.startsWith('-L')) {
      const dir = a.slice(2);
      hash.update(a.slice(0, 2)).update('\0');
      if (fs.existsSync(dir)) for (const f of filesUnder(dir, a.startsWith('-I') ? INCLUDABLE : ['.ld'])) file(f, path.relative(dir, f));
    }
    else if (!a.startsWith('-') && fs.existsSync(a)) file(a, path.basename(a));
    else hash.update(a).update('\0');
  }
  for (const e of extra) hash.update(e).update('\0');
  return path.join(path.resolve(root), hash.digest('hex').slice(0, 32));
}

/** Copy a cached link's outputs into place; false when there is none (or it is incomplete). */
function restoreLink(dir: string, outputs: readonly string[]): boolean {
  const cached = outputs.map((o) => path.join(dir, path.basename(o)));
  if (!cached.every((c) => fs.existsSync(c))) return false;
  cached.forEach((c, i) => fs.copyFileSync(c, outputs[i]));
  return true;
}

/** Keep a link's outputs: written beside, then renamed into place whole, so a concurrent build sees all or none. */
function storeLink(dir: string, outputs: readonly string[]): void {
  if (fs.existsSync(dir)) return;
  const tmp = `${dir}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(tmp, { recursive: true });
    for (const o of outputs) fs.copyFileSync(o, path.join(tmp, path.basename(o)));
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another process stored it first, or the cache is unwritable: no cache
  }
}

function linkRegion(board: Target, image: 'application' | 'bootloader'): MemoryRegion {
  if (image === 'application') return board.flash;
  if (board.qemu === undefined) throw new BoardError('BOARD_BUILD', `board ${board.name} has no bootloader region (only virtual boards have one)`);
  return board.qemu.bootloader;
}

/** The board's support sources, absolute; "common/…" paths resolve against boards/common. */
function boardSources(board: Target): string[] {
  const root = path.dirname(board.dir);
  const resolve = (s: string) => (s.startsWith(`${COMMON_DIR_NAME}/`) ? path.join(root, s) : path.join(board.dir, s));
  const shared = [`${COMMON_DIR_NAME}/src/startup.c`, `${COMMON_DIR_NAME}/src/console.c`];
  const files = [...shared, ...board.sources].map(resolve);
  for (const f of files) if (!fs.existsSync(f)) throw new BoardError('BOARD_INVALID', `board support source ${f} does not exist`, { file: board.file });
  return files;
}

function boardDefines(board: Target): string[] {
  const defines = [
    `TFG_CLOCK_HZ=${board.clockHz}u`,
    `TFG_CONSOLE_BASE=0x${board.console.base.toString(16)}u`,
    `TFG_CONSOLE_BAUD=${board.console.baud}u`,
    `TFG_FLASH_BASE=0x${board.flash.base.toString(16)}u`,
    `TFG_FLASH_SIZE=0x${board.flash.size.toString(16)}u`,
    `TFG_RAM_BASE=0x${board.ram.base.toString(16)}u`,
    `TFG_RAM_SIZE=0x${board.ram.size.toString(16)}u`,
    // What tfg_cycles_read() counts, for whoever reports it (the board application tells the profiler).
    board.cycleCounter === 'dwt' ? 'TFG_CYCLES_DWT' : 'TFG_CYCLES_SYSTICK',
  ];
  // The startup code zeroes each extra RAM region's section (memory.ld names them __tfg_ram<k>_start/_end).
  if (board.extraRam !== undefined) defines.push(`TFG_EXTRA_RAM_REGIONS=${board.extraRam.length}`);
  board.console.rxIrqs?.forEach((irq, i) => defines.push(`TFG_CONSOLE_RX_IRQ${i === 0 ? '' : '2'}=${irq}u`));
  const an3155 = board.flashing.find((m) => m.method === 'an3155');
  if (an3155 !== undefined && board.kind === 'virtual') {
    const pageSize = an3155.sectors[0].size;
    if (an3155.sectors.length !== 1) throw new BoardError('BOARD_INVALID', 'the virtual bootloader needs one uniform sector run', { file: board.file });
    defines.push(`TFG_AN3155_PID=0x${an3155.productId.toString(16)}u`, `TFG_AN3155_PAGE_SIZE=${pageSize}u`, `TFG_AN3155_PAGES=${an3155.sectors[0].count}u`);
  }
  return defines;
}

/**
 * memory.ld: the MEMORY regions from board.json and the stack size, then sections.ld. A board with extra RAM regions
 * gets one MEMORY line and one NOLOAD output section per region, ahead of sections.ld (the linker uses the first
 * statement an input section matches): `.bss.tfg_ram_<name>` objects (codegen's arena parts) go there, between
 * __tfg_ram<k>_start and __tfg_ram<k>_end, which the startup code zeroes.
 */
export function memoryScript(flash: MemoryRegion, ram: MemoryRegion, stackBytes: number, extraRam: readonly RamRegion[] = []): string {
  const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
  const sections = extraRam.flatMap((r, i) => [
    `  /* RAM region '${r.name}' (board.json extraRam): arena parts placed there, zeroed at reset. */`,
    `  .tfg_ram_${r.name} (NOLOAD) : ALIGN(16)`,
    '  {',
    `    __tfg_ram${i + 1}_start = .;`,
    `    *(${r.section} ${r.section}.*)`,
    '    . = ALIGN(4);',
    `    __tfg_ram${i + 1}_end = .;`,
    `  } > ${r.memoryName}`,
  ]);
  return [
    '/* Generated by @tinyforge/boards from board.json; do not edit. */',
    'MEMORY',
    '{',
    `  FLASH (rx) : ORIGIN = ${hex(flash.base)}, LENGTH = ${hex(flash.size)}`,
    `  RAM (rwx) : ORIGIN = ${hex(ram.base)}, LENGTH = ${hex(ram.size)}`,
    ...extraRam.map((r) => `  ${r.memoryName} (rw) : ORIGIN = ${hex(r.base)}, LENGTH = ${hex(r.size)}`),
    '}',
    `__tfg_stack_size = ${stackBytes};`,
    ...(sections.length > 0 ? ['SECTIONS', '{', ...sections, '}'] : []),
    'INCLUDE sections.ld',
    '',
  ].join('\n');
}

/** ld: "region `FLASH' overflowed by 1234 bytes" → BOARD_OVERFLOW with the bytes per region (extra RAM regions by name). */
function overflowError(e: ToolFailure, board: Target): BoardError | undefined {
  const over: Record<string, number> = {};
  for (const m of e.stderr.matchAll(/region [`']?([A-Z0-9_]+)'? overflowed by (\d+) bytes/g)) over[m[1]] = Math.max(over[m[1]] ?? 0, Number(m[2]));
  const regions = Object.fromEntries(ramRegions(board).slice(1).filter((r) => over[r.memoryName] !== undefined).map((r) => [r.name, over[r.memoryName]]));
  if (over.FLASH === undefined && over.RAM === undefined && Object.keys(regions).length === 0) return undefined;
  return new BoardError('BOARD_OVERFLOW', overflowMessage(board.name, over.FLASH ?? 0, over.RAM ?? 0, regions));
}

function overflowMessage(boardName: string, flashOver: number, ramOver: number, regionsOver: Record<string, number> = {}): string {
  const parts: string[] = [];
  if (flashOver > 0) parts.push(`flash overflowed by ${flashOver} bytes`);
  if (ramOver > 0) parts.push(`RAM overflowed by ${ramOver} bytes`);
  for (const [name, bytes] of Object.entries(regionsOver)) parts.push(`RAM region '${name}' overflowed by ${bytes} bytes`);
  return `firmware does not fit ${boardName}: ${parts.join(', ')}`;
}
