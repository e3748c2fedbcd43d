import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { compilerFlags } from './cores';
import { BoardError } from './errors';
import { Board, boardSchema } from './schema';

/** The board definitions shipped inside this package (`boards/` beside src/ and dist/, so the same from both). */
export const DEFAULT_BOARDS_DIR = path.resolve(__dirname, '..', 'boards');

/** The environment variable naming another boards folder (what the CLI's `--boards-dir` sets). */
export const BOARDS_DIR_ENV = 'TINYFORGE_BOARDS_DIR';

/**
 * The boards folder a lookup uses: the caller's `boardsDir`, else $TINYFORGE_BOARDS_DIR, else the shipped one.
 * A relative folder resolves against the working directory.
 */
export function boardsDirOf(options: BoardLookup = {}): string {
  const given = options.boardsDir ?? process.env[BOARDS_DIR_ENV];
  return given !== undefined && given !== '' ? path.resolve(given) : DEFAULT_BOARDS_DIR;
}

/** board.json files larger than this are not board definitions; refuse before reading them into memory. */
const MAX_BOARD_FILE_BYTES = 256 * 1024;

export interface BoardLookup {
  /** Directory holding `<name>/board.json`; default: $TINYFORGE_BOARDS_DIR, else the boards shipped here. */
  boardsDir?: string;
}

/**
 * What a build, a flash and a run need to know about one board, loaded once from its board.json: the validated
 * definition (core, FPU, DSP, MVE, memory regions, console, flashing methods), where it came from (board support
 * paths are relative to `dir`) and the compiler flags derived from the core. Every consumer takes this object.
 */
export interface Target extends Omit<Board, 'cflags'> {
  dir: string;
  file: string;
  /** Target flags for every compile and link (core, FPU, float ABI), derived from core / fpu / dsp / mve. */
  cflags: readonly string[];
}

/** The core's instruction-set extensions, as code generation and the kernels ask for them. */
export function coreFeatures(board: Pick<Board, 'dsp' | 'mve'>): { dsp: boolean; mve: boolean } {
  return { dsp: board.dsp, mve: board.mve !== 'none' };
}

/** Names of every directory under boardsDir that has a board.json, sorted. */
export function listBoards(options: BoardLookup = {}): string[] {
  const dir = boardsDirOf(options);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new BoardError('BOARD_IO', `cannot list boards: ${(e as Error).message}`, { file: dir });
  }
  return entries
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'board.json')))
    .map((e) => e.name)
    .sort();
}

/** Load boards/<name>/board.json as a Target (the one place a board is read by name). */
export function loadTarget(name: string, options: BoardLookup = {}): Target {
  const boardsDir = boardsDirOf(options);
  // A name is a directory under boardsDir, never a path: no separators, no "..".
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !fs.existsSync(path.join(boardsDir, name, 'board.json'))) {
    const known = listBoards(options);
    throw new BoardError('BOARD_UNKNOWN', `unknown board '${name.slice(0, 80)}' in ${boardsDir}; known boards: ${known.join(', ')}`);
  }
  const file = path.join(boardsDir, name, 'board.json');
  const board = parseBoardFile(file);
  if (board.name !== name) {
    throw new BoardError('BOARD_INVALID', `at name: '${board.name}' does not match its directory '${name}'`, { file });
  }
  return targetOf(board, file);
}

/** The Target of an already validated definition read from `file`. */
export function targetOf(board: Board, file: string): Target {
  const { cflags: _refused, ...definition } = board;
  return { ...definition, dir: path.dirname(file), file, cflags: compilerFlags(board) };
}

/** Read and validate one board.json; every schema problem is reported, each with its JSON path. */
export function parseBoardFile(file: string): Board {
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_BOARD_FILE_BYTES) throw new BoardError('BOARD_INVALID', `file is ${size} bytes, more than the ${MAX_BOARD_FILE_BYTES} a board file may have`, { file });
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof BoardError) throw e;
    throw new BoardError('BOARD_IO', `cannot read board file: ${(e as Error).message}`, { file });
  }
  return parseBoardJson(text, file);
}

export function parseBoardJson(text: string, file = '<board.json>'): Board {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BoardError('BOARD_INVALID', `not JSON: ${(e as Error).message}`, { file });
  }
  const result = boardSchema.safeParse(json);
  if (!result.success) throw new BoardError('BOARD_INVALID', formatIssues(result.error), { file });
  return result.data;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `at ${jsonPath(i.path)}: ${i.message}`).join('; ');
}

/** ["flashing", 0, "baud"] → "flashing[0].baud"; the root is "$". */
export function jsonPath(p: readonly PropertyKey[]): string {
  if (p.length === 0) return '$';
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}
