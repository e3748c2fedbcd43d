/** profilePort through a real serial port (a socat pseudo-terminal pair) with the serialport binding. */
import * as fs from 'fs';
import { profilePort, renderOutputs } from '../profile';
import { encodeFrame } from '../protocol/frame';
import { ProfileRecord } from '../protocol/records';
import { hasSocat } from '@tinyforge/boards/testing';
import { openPtyPair, PtyPair } from '../testing';

const available = hasSocat();
if (!available) console.warn('serial-profiler pty test skipped: needs socat');
const d = available ? describe : describe.skip;

const BOARD = { name: 'qemu-m4', clockHz: 25_000_000, kind: 'virtual' as const, icountShift: 3 };

d('profilePort over a pseudo-terminal', () => {
  let pty: PtyPair;
  beforeEach(async () => {
    pty = await openPtyPair();
  });
  afterEach(() => pty.close());

  test('reads N runs with text in between, reports instructions, writes JSON/trace/HTML strings', async () => {
    const records: ProfileRecord[] = [{ type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: 2 }, { type: 'overhead', count: 2, samples: 16 }];
    for (let run = 0; run < 4; run++) {
      records.push({ type: 'layer', run, index: 0, opId: 1, count: 100 }, { type: 'layer', run, index: 1, opId: 2, count: 300 + run });
      records.push({ type: 'inference', run, total: 410 + run, layerCount: 2 });
    }
    const lines: string[] = [];
    // The "board" starts once the port is open: bytes sent before that are lost, as on real hardware.
    const result = await profilePort(pty.hostPath, {
      board: BOARD,
      runs: 3,
      timeoutMs: 10_000,
      onText: (l) => lines.push(l),
      onOpen: () => {
        const fd = fs.openSync(pty.boardPath, 'w');
        fs.writeSync(fd, Buffer.from('model loaded\n'));
        fs.writeSync(fd, Buffer.concat(records.map((r, i) => encodeFrame(r, i))));
        fs.closeSync(fd);
      },
    });
    expect(lines).toEqual(['model loaded']);
    expect(result.report.runs).toBe(3);
    expect(result.report.layers.map((l) => l.counts)).toEqual([
      { min: 500, median: 500, max: 500 },
      { min: 1500, median: 1505, max: 1510 },
    ]);
    const out = renderOutputs(result, BOARD);
    expect(JSON.parse(out.json).totalInstructions.median).toBe(2055);
    expect(JSON.parse(out.trace).traceEvents.filter((e: { ph: string }) => e.ph === 'X')).toHaveLength(9);
    expect(out.html.match(/class="layer-bar"/g)).toHaveLength(2);
  }, 20_000);

  test('a silent port times out with a clear message and the port is closed again', async () => {
    await expect(profilePort(pty.hostPath, { board: BOARD, runs: 1, timeoutMs: 5000, idleTimeoutMs: 200 })).rejects.toMatchObject({
      code: 'PROFILE_TIMEOUT',
      message: expect.stringContaining(`no data from ${pty.hostPath} for 200 ms`),
    });
    // Closed: opening it again works.
    await expect(profilePort(pty.hostPath, { board: BOARD, runs: 1, timeoutMs: 300 })).rejects.toMatchObject({ code: 'PROFILE_TIMEOUT' });
  }, 20_000);
});
