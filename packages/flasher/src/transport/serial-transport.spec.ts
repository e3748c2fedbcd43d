import { MockBinding } from '@serialport/binding-mock';
import { SerialTransport } from './serial-transport';

// node-serialport's own mock binding, under our SerialTransport: the same code path as a real port above the OS.
describe('SerialTransport over @serialport/binding-mock', () => {
  beforeEach(() => MockBinding.createPort('/dev/TF-MOCK', { echo: false, record: true }));
  afterEach(() => MockBinding.reset());

  it('writes, reads with timeouts, sets lines and reopens for parity', async () => {
    const t = await SerialTransport.open({ path: '/dev/TF-MOCK', baudRate: 115200, parity: 'even', mock: true });
    await t.write(Uint8Array.of(0x7f));
    const binding = (t as unknown as { port: { port: { recording: Buffer; emitData: (d: Buffer) => void } } }).port.port;
    expect(Array.from(binding.recording)).toEqual([0x7f]);
    const pending = t.read(3, 1000);
    binding.emitData(Buffer.from([0x79, 1, 2]));
    expect(Array.from(await pending)).toEqual([0x79, 1, 2]);
    await expect(t.read(1, 30)).rejects.toMatchObject({ code: 'FLASH_TIMEOUT' });
    await t.setSignals({ dtr: true, rts: false });
    await t.setLine(921600, 'even');
    await t.setLine(1200, 'none');
    expect(t.isOpen).toBe(true);
    await t.close();
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'FLASH_PORT_CLOSED' });
  });

  it('fails a waiting read when the port closes, and names a port that cannot open', async () => {
    const t = await SerialTransport.open({ path: '/dev/TF-MOCK', baudRate: 115200, mock: true });
    const pending = t.read(1, 10_000);
    await t.close();
    await expect(pending).rejects.toMatchObject({ code: 'FLASH_PORT_CLOSED' });
    await expect(SerialTransport.open({ path: '/dev/TF-NONE', baudRate: 115200, mock: true })).rejects.toMatchObject({ code: 'FLASH_PORT_OPEN', message: expect.stringMatching(/TF-NONE/) });
  });
});
