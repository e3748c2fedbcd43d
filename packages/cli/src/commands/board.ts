import { Command } from 'commander';
import { listBoards, listRunningBoards, loadTarget, ramRegions, RunningBoard, startDetachedBoard, stopDetachedBoard } from '@tinyforge/boards';
import { CommandIO, formatTable } from '../output';

interface BoardCommandOptions {
  json?: boolean;
  verbose?: boolean;
}

/** `board start NAME`: a virtual board with its AN3155 bootloader, left running; prints the serial port and pid. */
export async function runBoardStart(name: string, opts: BoardCommandOptions, io: CommandIO): Promise<RunningBoard> {
  const board = await startDetachedBoard(loadTarget(name));
  if (opts.json) io.out(JSON.stringify(board, null, 2));
  else io.out(`${board.name} running: serial port ${board.ptyPath}, pid ${board.qemuPid} (socat ${board.socatPid}); stop it with \`tinyforge board stop ${board.name}\``);
  return board;
}

export async function runBoardStop(name: string, opts: BoardCommandOptions, io: CommandIO): Promise<RunningBoard> {
  const board = await stopDetachedBoard(name);
  if (opts.json) io.out(JSON.stringify({ ...board, stopped: true }, null, 2));
  else io.out(`${board.name} stopped (pid ${board.qemuPid})`);
  return board;
}

/** Every board definition, with the serial port of the virtual ones that are running. */
export function runBoardList(opts: BoardCommandOptions, io: CommandIO): void {
  const running = new Map(listRunningBoards().map((b) => [b.name, b]));
  const rows = listBoards().map((name) => {
    const b = loadTarget(name);
    const live = running.get(name);
    // RAM over all its regions (board.json ram and extraRam), each listed where there are several.
    const regions = ramRegions(b);
    const ramBytes = regions.reduce((sum, r) => sum + r.size, 0);
    const split = regions.length > 1 ? { ramRegions: regions.map((r) => ({ name: r.name, base: r.base, bytes: r.size, fast: r.fast, main: r.main })) } : {};
    return { name, kind: b.kind, core: b.core, clockHz: b.clockHz, flashBytes: b.flash.size, ramBytes, ...split, running: live !== undefined, ptyPath: live?.ptyPath, pid: live?.qemuPid };
  });
  if (opts.json) {
    io.out(JSON.stringify(rows, null, 2));
    return;
  }
  const table = formatTable(
    [{ header: 'board' }, { header: 'kind' }, { header: 'core' }, { header: 'MHz', align: 'right' }, { header: 'flash KiB', align: 'right' }, { header: 'RAM KiB', align: 'right' }, { header: 'running' }],
    rows.map((r) => [
      r.name,
      r.kind,
      r.core,
      String(r.clockHz / 1e6),
      String(r.flashBytes / 1024),
      r.ramRegions !== undefined ? `${r.ramBytes / 1024} (${r.ramRegions.map((x) => `${x.name} ${x.bytes / 1024}`).join(' + ')})` : String(r.ramBytes / 1024),
      r.running ? `${r.ptyPath} (pid ${r.pid})` : '',
    ]),
  );
  io.out(table);
}

export function registerBoardCommand(program: Command, io: CommandIO): void {
  const board = program.command('board').description('board definitions, and virtual boards on QEMU that keep running between commands');
  const common = (cmd: Command) => cmd.option('--json', 'print a machine-readable result on stdout').option('--verbose', 'print stack traces on errors');
  common(
    board
      .command('start')
      .description('start a virtual board with its AN3155 bootloader; prints its serial port (a pty any flasher can use) and pid')
      .argument('<name>', 'a virtual board, e.g. qemu-m4'),
  ).action(async (name: string, opts: BoardCommandOptions) => {
    await runBoardStart(name, opts, io);
  });
  common(board.command('stop').description('stop a virtual board started with `board start`').argument('<name>', 'the board')).action(async (name: string, opts: BoardCommandOptions) => {
    await runBoardStop(name, opts, io);
  });
  common(board.command('list').description('list board definitions and the running virtual boards')).action((opts: BoardCommandOptions) => runBoardList(opts, io));
}
