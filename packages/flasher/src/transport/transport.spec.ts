import { FlashError } from '../errors';
import { ByteQueue } from './byte-queue';
import { createMemoryPair } from './memory-pair';
import { PacedTransport } from './paced-transport';

describe('ByteQueue', () => {
  it('assembles reads across chunks and times out with FLASH_TIMEOUT', async () => {
    const q = new ByteQueue();
    const pending = q.read(5, 1000);
    q.push(Uint8Array.of(1, 2));
    q.push(Uint8Array.of(3, 4, 5, 6));
    expect(Array.from(await pending)).toEqual([1, 2, 3, 4, 5]);
    expect(q.available).toBe(1);
    await expect(q.read(2, 20)).rejects.toMatchObject({ code: 'FLASH_TIMEOUT' });
  });

  it('fails a waiting read at once when the port closes', async () => {
    const q = new ByteQueue();
    const pending = q.read(1, 10_000);
    q.close('unplugged');
    // PORT_CLOSED, not the read's own FLASH_TIMEOUT ten seconds later.
    await expect(pending).rejects.toBeInstanceOf(FlashError);
    await expect(pending).rejects.toMatchObject({ code: 'FLASH_PORT_CLOSED' });
    await expect(q.read(1, 10)).rejects.toMatchObject({ code: 'FLASH_PORT_CLOSED' });
  });
});

describe('memory pair', () => {
  it('carries bytes both ways and reports unplugging to both ends', async () => {
    const { host, device } = createMemoryPair();
    await host.write(Uint8Array.of(0x7f));
    expect(Array.from(await device.read(1, 100))).toEqual([0x7f]);
    const waiting = host.read(1, 5000);
    host.unplug();
    await expect(waiting).rejects.toMatchObject({ code: 'FLASH_PORT_CLOSED' });
    await expect(device.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'FLASH_PORT_CLOSED' });
  });

  it('has no modem lines when built without them', async () => {
    const { host } = createMemoryPair({ signals: false });
    await expect(host.setSignals({ dtr: true })).rejects.toMatchObject({ code: 'FLASH_SIGNALS_UNAVAILABLE' });
  });
});

describe('PacedTransport', () => {
  it('answers no sooner than the bytes could cross the line (8E1 at 115200: 95.5 µs a byte)', async () => {
    const { host, device } = createMemoryPair();
    const paced = new PacedTransport(device, 115200);
    const t0 = performance.now();
    await host.write(new Uint8Array(1000));
    for (let i = 0; i < 1000; i++) await paced.read(1, 1000);
    await paced.write(Uint8Array.of(0x79));
    await host.read(1, 2000);
    const ms = performance.now() - t0;
    // A lower bound only (the pacing itself): a loaded host can only make it slower.
    expect(ms).toBeGreaterThanOrEqual((1001 * 11 * 1000) / 115200 - 1);
    await device.close();
  });
});
