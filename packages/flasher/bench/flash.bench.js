'use strict';
// Write throughput of the AN3155 flasher against the emulator through a pseudo-terminal (socat pty <-> tcp), the
// emulator paced like a UART, at 115200 and 921600 baud; reported as a fraction of the 8E1 line rate (baud/11).
// Side by side: `stm32flash -m 8n1 -w` on the same image against the same emulator.
// Run: npm run bench -- flash [--kib N]
const { spawn, spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { flashStm32, SerialTransport } = require('../dist');

const kib = Number(process.argv[process.argv.indexOf('--kib') + 1]) || 64;
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
if (!has('socat')) {
  console.log('flash bench: socat is not installed (apt-get install socat); skipped');
  process.exit(0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-flash-bench-'));
const image = Buffer.alloc(kib * 1024);
for (let i = 0; i < image.length; i++) image[i] = (i * 2654435761) >>> 24;
const binPath = path.join(dir, 'image.bin');
fs.writeFileSync(binPath, image);

function startEmulator(baud) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'emulator-server.js'), '--baud', String(baud)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      const m = /PORT (\d+)/.exec(String(d));
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('error', reject);
  });
}

async function startPty(port, name) {
  const link = path.join(dir, name);
  const socat = spawn('socat', [`pty,raw,echo=0,link=${link}`, `tcp:127.0.0.1:${port},nodelay`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !fs.existsSync(link); i++) await new Promise((r) => setTimeout(r, 20));
  return { socat, link };
}

async function ours(port, baud, verify) {
  const { socat, link } = await startPty(port, `ours-${baud}-${verify}`);
  const t = await SerialTransport.open({ path: link, baudRate: baud, parity: 'none' });
  try {
    const r = await flashStm32(t, { format: 'bin', segments: [{ address: 0x08000000, data: new Uint8Array(image) }] }, { verify, baudRate: baud });
    return r;
  } finally {
    await t.close();
    socat.kill();
  }
}

async function stm32flash(port, baud) {
  if (!has('stm32flash')) return undefined;
  const { socat, link } = await startPty(port, `stm32flash-${baud}`);
  const t0 = Date.now();
  const r = spawnSync('stm32flash', ['-m', '8n1', '-b', String(baud), '-w', binPath, '-v', '-S', '0x08000000', link], { encoding: 'utf8' });
  const ms = Date.now() - t0;
  socat.kill();
  if (r.status !== 0) return { error: (r.stdout + r.stderr).trim().split('\n').slice(-2).join(' | ') };
  return { ms };
}

(async () => {
  console.log(`flash bench: ${kib} KiB image, emulated STM32F4 behind a pty, 8E1 line rate = baud/11 bytes/s`);
  for (const baud of [115200, 921600]) {
    const { child, port } = await startEmulator(baud);
    try {
      const line = baud / 11;
      const w = await ours(port, baud, 'none');
      const rate = image.length / (w.writeMs / 1000);
      const v = await ours(port, baud, 'auto');
      const s = await stm32flash(port, baud);
      const target = ' (target >= 85%)';
      // Where the rest goes: each 256-byte block is one round trip (AN3155: the next command only after the ACK).
      const blockLineMs = (266 * 11 * 1000) / baud; // opcode, address, N-1, 256 bytes, checksum, and the 3 ACKs
      const turnaroundMs = w.writeMs / w.blocks - blockLineMs;
      console.log(`  ${String(baud).padStart(6)} baud: write ${(rate / 1024).toFixed(1)} KiB/s = ${((100 * rate) / line).toFixed(1)}% of line rate${target}; ` +
        `per block ${blockLineMs.toFixed(2)} ms on the line + ${turnaroundMs.toFixed(2)} ms turnaround (host, pty, socat, emulator); load ${os.loadavg()[0].toFixed(1)}; ` +
        `tinyforge erase+write+verify(${v.verified}) ${(v.totalMs / 1000).toFixed(2)} s; ` +
        (s === undefined ? 'stm32flash not installed' : s.error ? `stm32flash failed: ${s.error}` : `stm32flash -w -v ${(s.ms / 1000).toFixed(2)} s`));
    } finally {
      child.kill();
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((e) => {
  console.error(`flash bench failed: ${e.message}`);
  process.exit(1);
});
