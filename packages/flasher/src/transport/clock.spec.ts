import { VirtualClock } from './clock';
import { createMemoryPair } from './memory-pair';

/** Burn real time on the host, as a loaded machine would between two events. */
function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* spin */
  }
}

describe('VirtualClock', () => {
  it('fires timers in deadline order (ties in scheduling order) and jumps time to each', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.schedule(300, () => fired.push(`b@${clock.now()}`));
    clock.schedule(100, () => fired.push(`a@${clock.now()}`));
    clock.schedule(300, () => fired.push(`c@${clock.now()}`));
    const cancelled = clock.schedule(200, () => fired.push('never'));
    clock.cancel(cancelled);
    await clock.sleep(1000);
    expect(fired).toEqual(['a@100', 'b@300', 'c@300']);
    expect(clock.now()).toBe(1000);
  });

  it('never times out a read whose bytes are on the cable, however slow the host is', async () => {
    const clock = new VirtualClock();
    const { host, device } = createMemoryPair({ clock });
    const reading = host.read(2, 10);
    await device.write(Uint8Array.of(0x79));
    busyWait(40); // four times the timeout in real time
    await device.write(Uint8Array.of(0x1f));
    expect(Array.from(await reading)).toEqual([0x79, 0x1f]);
    expect(clock.now()).toBe(0);
    await host.close();
  });

  it('times a silent device out after exactly the timeout, in virtual time', async () => {
    const clock = new VirtualClock();
    const { host } = createMemoryPair({ clock });
    await expect(host.read(1, 500)).rejects.toMatchObject({ code: 'FLASH_TIMEOUT' });
    expect(clock.now()).toBe(500);
    await expect(host.read(1, 250)).rejects.toMatchObject({ code: 'FLASH_TIMEOUT' });
    expect(clock.now()).toBe(750);
  });

  it('lets an infinite wait arm no timer, so a later finite one still fires', async () => {
    const clock = new VirtualClock();
    const { host, device } = createMemoryPair({ clock });
    const forever = device.read(1, Infinity);
    await expect(host.read(1, 20)).rejects.toMatchObject({ code: 'FLASH_TIMEOUT' });
    expect(clock.now()).toBe(20);
    await host.write(Uint8Array.of(7));
    expect(Array.from(await forever)).toEqual([7]);
  });
});
