/** `tinyforge profile` over a socat pseudo-terminal pair: the command is a thin wrapper over @tinyforge/serial-profiler. */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { encodeFrame, ProfileRecord } from '@tinyforge/serial-profiler';
import { registerProfileCommand } from './profile';

const available = spawnSync('socat', ['-V']).status === 0;
if (!available) console.warn('cli profile tests skipped: needs socat');
const d = available ? describe : describe.skip;

function boardStream(runs: number, slowLayer = 300): Buffer {
  const records: ProfileRecord[] = [
    { type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: 2 },
    { type: 'layerInfo', index: 0, opId: 1, macs: 1000, outputShape: [1, 8], name: 'conv', op: 'Conv2D' },
    { type: 'layerInfo', index: 1, opId: 2, macs: 500, outputShape: [1, 4], name: 'fc', op: 'FullyConnected' },
    { type: 'overhead', count: 2, samples: 16 },
  ];
  for (let run = 0; run < runs; run++) {
    records.push({ type: 'layer', run, index: 0, opId: 1, count: 100 }, { type: 'layer', run, index: 1, opId: 2, count: slowLayer });
    records.push({ type: 'inference', run, total: 110 + slowLayer, layerCount: 2 });
  }
  return Buffer.concat(records.map((r, i) => encodeFrame(r, i)));
}

d('tinyforge profile', () => {
  let dir: string;
  let socat: ChildProcess;
  let host: string;
  let board: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-profile-'));
    host = path.join(dir, 'host');
    board = path.join(dir, 'board');
    socat = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${board}`], { stdio: 'ignore' });
    for (let i = 0; i < 250 && !(fs.existsSync(host) && fs.existsSync(board)); i++) await new Promise((r) => setTimeout(r, 20));
  });
  afterEach(() => {
    socat.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function profile(argv: string[], stream?: Buffer): Promise<{ out: string; err: string }> {
    let out = '';
    let err = '';
    const program = new Command().exitOverride();
    registerProfileCommand(program, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
    // The command gives no "port open" signal: resend the board's output until the command has what it needs
    // (a hello frame restarts the session, so a repeat is not a loss).
    const resend = stream ? setInterval(() => fs.writeFileSync(board, stream), 250) : undefined;
    try {
      await program.parseAsync(['profile', ...argv], { from: 'user' });
    } finally {
      clearInterval(resend);
    }
    return { out, err };
  }

  test('table by default; --json with instructions on a virtual board; --trace, --html, --compare', async () => {
    const text = await profile(['--port', host, '--board', 'qemu-m4', '--runs', '2'], boardStream(2));
    expect(text.out).toMatch(/#\s+layer\s+op\s+output\s+MACs\s+instructions/);
    expect(text.out).toContain('total: 2,050 instructions');

    const old = path.join(dir, 'old.json');
    const json = await profile(['--port', host, '--board', 'qemu-m4', '--runs', '2', '--json'], boardStream(2));
    fs.writeFileSync(old, json.out);
    expect(JSON.parse(json.out)).toMatchObject({ unit: 'instructions', totalInstructions: { median: 2050 }, hookOverheadInstructions: 10 });

    const trace = path.join(dir, 'trace.json');
    const html = path.join(dir, 'profile.html');
    const cmp = await profile(['--port', host, '--board', 'qemu-m4', '--runs', '3', '--trace', trace, '--html', html, '--compare', old, '--threshold', '10'], boardStream(3, 400));
    expect(cmp.out).toMatch(/fc\s+FullyConnected\s+1,500\s+2,000\s+\+500\s+\+33\.3%\s+REGRESSION/);
    expect(JSON.parse(fs.readFileSync(trace, 'utf8')).traceEvents.length).toBeGreaterThan(9);
    expect(fs.readFileSync(html, 'utf8')).toContain('class="layer-bar"');
  }, 30_000);

  test('bad options and a silent port are typed errors', async () => {
    await expect(profile(['--port', host, '--board', 'qemu-m4', '--runs', '0'])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(profile(['--port', host, '--board', 'no-such-board'])).rejects.toMatchObject({ code: 'BOARD_UNKNOWN' });
    await expect(profile(['--port', host, '--board', 'qemu-m4', '--idle-timeout', '200'])).rejects.toMatchObject({ code: 'PROFILE_TIMEOUT' });
    await expect(profile(['--port', path.join(dir, 'nope'), '--board', 'qemu-m4'])).rejects.toMatchObject({ code: 'PROFILE_PORT' });
  }, 30_000);
});
