'use strict';
// A TCP server that plays an STM32F4 bootloader (AN3155 emulator) paced like a UART at --baud. Each connection
// gets a fresh chip. Prints "PORT <n>" once listening. Used by flash.bench.js through socat (pty <-> tcp).
const net = require('net');
const { StreamTransport, STM32_DEVICES } = require('@tinyforge/flasher');
const { Stm32Emulator, PacedTransport } = require('@tinyforge/flasher/testing');

const baud = Number(process.argv[process.argv.indexOf('--baud') + 1]) || 115200;
const f4 = STM32_DEVICES.find((d) => d.id === 0x413);
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  const port = new PacedTransport(new StreamTransport(socket, 'bench socket'), baud);
  const emu = new Stm32Emulator(port, { productId: 0x413, flash: f4.flash, ram: f4.ram });
  emu.start().then(() => socket.destroy());
});
server.listen(0, '127.0.0.1', () => console.log(`PORT ${server.address().port}`));
