import { PassThrough } from 'stream';
import { encodeFrame } from '../protocol/frame';
import { ProfileRecord } from '../protocol/records';
import { captureProfile } from './capture';
import { openSerialPort } from './serial';

function runFrames(runs: number, firstSeq = 0): Uint8Array {
  const records: ProfileRecord[] = [{ type: 'hello', counter: 'dwt', clockHz: 80_000_000, layerCount: 2 }];
  for (let run = 0; run < runs; run++) {
    records.push({ type: 'layer', run, index: 0, opId: 1, count: 10 + run }, { type: 'layer', run, index: 1, opId: 2, count: 20 });
    records.push({ type: 'inference', run, total: 35 + run, layerCount: 2 });
  }
  return Buffer.concat(records.map((r, i) => encodeFrame(r, firstSeq + i)));
}

describe('captureProfile', () => {
  test('resolves after N complete runs, passing printf text through, and stops listening', async () => {
    const port = new PassThrough();
    const lines: string[] = [];
    const done = captureProfile(port, { runs: 2, timeoutMs: 2000, onText: (l) => lines.push(l) });
    port.write('booting\n');
    // Three runs and the first layer of a fourth: the reader stops after two, nothing counts as incomplete.
    const wire = Buffer.concat([runFrames(3), runFrames(1).subarray(0, 40)]);
    for (let i = 0; i < wire.length; i += 7) port.write(wire.subarray(i, i + 7));
    const session = await done;
    expect(session.runs.map((r) => r.layers)).toEqual([[10, 20], [11, 20]]);
    expect(session.incompleteRuns).toBe(0);
    expect(lines).toEqual(['booting']);
    expect(port.listenerCount('data')).toBe(0);
  });

  test('silence is a PROFILE_TIMEOUT saying what arrived, not a hang', async () => {
    const port = new PassThrough();
    const done = captureProfile(port, { runs: 5, timeoutMs: 5000, idleTimeoutMs: 80, sourceName: '/dev/ttyFAKE' });
    port.write('Hard fault at 0x0800\n');
    await expect(done).rejects.toMatchObject({ code: 'PROFILE_TIMEOUT', message: expect.stringMatching(/no data from \/dev\/ttyFAKE for 80 ms.*last text: "Hard fault at 0x0800"/) });
    expect(port.listenerCount('data')).toBe(0);
  });

  test('a steady trickle of garbage still ends at the overall timeout', async () => {
    const port = new PassThrough();
    const timer = setInterval(() => port.write(Uint8Array.of(0xf5, 1, 2, 0)), 5);
    try {
      await expect(captureProfile(port, { runs: 1, timeoutMs: 300, idleTimeoutMs: 2000 })).rejects.toMatchObject({
        code: 'PROFILE_TIMEOUT',
        message: expect.stringMatching(/1 runs did not arrive .* within 300 ms .*corrupt/),
      });
    } finally {
      clearInterval(timer);
    }
  });

  test('a stream that ends early is PROFILE_PORT_CLOSED; a stream error is PROFILE_PORT', async () => {
    const a = new PassThrough();
    const doneA = captureProfile(a, { runs: 3, timeoutMs: 2000 });
    a.end(runFrames(1));
    await expect(doneA).rejects.toMatchObject({ code: 'PROFILE_PORT_CLOSED', message: expect.stringMatching(/1 of 3 runs/) });
    const b = new PassThrough();
    const doneB = captureProfile(b, { runs: 1, timeoutMs: 2000, sourceName: 'COM9' });
    b.destroy(new Error('device unplugged'));
    await expect(doneB).rejects.toMatchObject({ code: 'PROFILE_PORT', message: 'COM9: device unplugged' });
  });

  test('bad run count is a typed error', async () => {
    await expect(captureProfile(new PassThrough(), { runs: 0, timeoutMs: 10 })).rejects.toMatchObject({ code: 'PROFILE_BAD_OPTION' });
  });

  test('a port that does not exist is PROFILE_PORT naming it', async () => {
    await expect(openSerialPort('/dev/tinyforge-no-such-port')).rejects.toMatchObject({ code: 'PROFILE_PORT', message: expect.stringContaining('/dev/tinyforge-no-such-port') });
  });
});
