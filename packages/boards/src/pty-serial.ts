import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as tty from 'tty';
import { BoardError } from './errors';

/**
 * The host end of a virtual board's console: the pseudo-terminal put in raw mode (no echo, no newline
 * translation — otherwise the line discipline would echo the board's output back into its UART), read through a
 * non-blocking tty stream.
 */
export class PtySerial {
  private buffered = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private readonly input: tty.ReadStream;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {
    this.input = new tty.ReadStream(fd);
    this.input.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    this.input.on('error', () => this.close()); // EIO once QEMU closes the master
  }

  static open(path: string): PtySerial {
    const r = spawnSync('stty', ['-F', path, 'raw', '-echo'], { encoding: 'utf8' });
    if (r.status !== 0) throw new BoardError('BOARD_IO', `cannot set raw mode: ${r.stderr || r.error?.message}`, { file: path });
    let fd: number;
    try {
      fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
    } catch (e) {
      throw new BoardError('BOARD_IO', `cannot open serial port: ${(e as Error).message}`, { file: path });
    }
    return new PtySerial(path, fd);
  }

  write(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(this.fd, bytes, off, bytes.length - off);
  }

  /** Wait until `count` bytes arrived and take them. */
  async read(count: number, timeoutMs = 2000): Promise<Buffer> {
    await this.until(() => this.buffered.length >= count, timeoutMs, `${count} bytes`);
    const out = this.buffered.subarray(0, count);
    this.buffered = this.buffered.subarray(count);
    return Buffer.from(out);
  }

  /** Wait until the received text matches `pattern`; returns everything received so far (and keeps it). */
  async waitFor(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    await this.until(() => pattern.test(this.buffered.toString('latin1')), timeoutMs, String(pattern));
    return this.buffered.toString('latin1');
  }

  /** Bytes received and not yet taken by read(). */
  pending(): number {
    return this.buffered.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.destroy(); // closes the fd
    this.wake();
  }

  private until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done()) return finish(resolve);
        if (this.closed) return finish(() => reject(new BoardError('BOARD_IO', `port closed while waiting for ${what}`, { file: this.path })));
      };
      const timer = setTimeout(
        () => finish(() => reject(new BoardError('BOARD_IO', `timed out after ${timeoutMs} ms waiting for ${what}`, { file: this.path }))),
        timeoutMs,
      );
      const finish = (then: () => void) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        then();
      };
      this.waiters.push(check);
      check();
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
