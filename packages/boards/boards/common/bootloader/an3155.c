/*
 * The virtual boards' bootloader: the STM32 USART bootloader protocol (ST application note AN3155) on the console
 * UART, so that any AN3155 host (tinyforge's flasher, Debian's stm32flash) can write, verify and start an
 * application. Commands: Get, Get Version, Get ID, Read Memory, Go, Write Memory, Extended Erase, Get Checksum
 * (the STM32 CRC32 of a range: a host verifies a write, or skips one when the board already holds the image).
 *
 * The application "flash" is RAM-backed memory on QEMU's machines: writes are plain stores, erase fills 0xFF.
 * Writable: the application flash region, and RAM above this bootloader's own data and stack.
 */
#include <stdint.h>
#include "tfg_board.h"
#include "tfg_mmio.h"

#ifndef TFG_AN3155_PID
#error "TFG_AN3155_PID, TFG_AN3155_PAGE_SIZE and TFG_AN3155_PAGES come from board.json (flashing[].method = an3155)"
#endif

#define ACK 0x79u
#define NACK 0x1Fu
#define SYNC 0x7Fu
#define PROTOCOL_VERSION 0x31u /* version 3.1 */

enum command {
  CMD_GET = 0x00,
  CMD_GET_VERSION = 0x01,
  CMD_GET_ID = 0x02,
  CMD_READ = 0x11,
  CMD_GO = 0x21,
  CMD_WRITE = 0x31,
  CMD_EXTENDED_ERASE = 0x44,
  CMD_GET_CHECKSUM = 0xA1,
};

static const uint8_t supported[] = {CMD_GET, CMD_GET_VERSION, CMD_GET_ID, CMD_READ, CMD_GO, CMD_WRITE, CMD_EXTENDED_ERASE, CMD_GET_CHECKSUM};

extern uint32_t __tfg_stack_top;

static uint8_t buffer[256];
static uint16_t pages[TFG_AN3155_PAGES < 512 ? TFG_AN3155_PAGES : 512];

static void send(uint8_t b) { tfg_console_putc(b); }
static uint8_t receive(void) { return tfg_console_getc(); }

/* [base, base + size) contains [addr, addr + len), without 32-bit overflow. */
static int within(uint32_t addr, uint32_t len, uint32_t base, uint32_t size) {
  return addr >= base && addr - base <= size && len <= size - (addr - base);
}

static int readable(uint32_t addr, uint32_t len) {
  return within(addr, len, TFG_FLASH_BASE, TFG_FLASH_SIZE) || within(addr, len, TFG_RAM_BASE, TFG_RAM_SIZE);
}

static int writable(uint32_t addr, uint32_t len) {
  uint32_t free_ram = (uint32_t)(uintptr_t)&__tfg_stack_top;
  return within(addr, len, TFG_FLASH_BASE, TFG_FLASH_SIZE) || within(addr, len, free_ram, TFG_RAM_BASE + TFG_RAM_SIZE - free_ram);
}

/* Four address bytes, most significant first, then their XOR. Returns 0 on a checksum error. */
static int receive_address(uint32_t *addr) {
  uint8_t b[4], sum = 0;
  for (int i = 0; i < 4; i++) sum ^= b[i] = receive();
  *addr = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
  return receive() == sum;
}

static void cmd_get(void) {
  send(ACK);
  send(sizeof supported); /* bytes that follow, minus one: the version byte + the command list */
  send(PROTOCOL_VERSION);
  for (unsigned i = 0; i < sizeof supported; i++) send(supported[i]);
  send(ACK);
}

static void cmd_get_version(void) {
  send(ACK);
  send(PROTOCOL_VERSION);
  send(0x00); /* option bytes (read protection) */
  send(0x00);
  send(ACK);
}

static void cmd_get_id(void) {
  send(ACK);
  send(1); /* two id bytes follow */
  send((uint8_t)(TFG_AN3155_PID >> 8));
  send((uint8_t)TFG_AN3155_PID);
  send(ACK);
}

static void cmd_read(void) {
  uint32_t addr;
  send(ACK);
  if (!receive_address(&addr)) {
    send(NACK);
    return;
  }
  send(ACK);
  uint8_t n = receive();
  if (receive() != (uint8_t)~n || !readable(addr, (uint32_t)n + 1)) {
    send(NACK);
    return;
  }
  send(ACK);
  const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)addr;
  for (uint32_t i = 0; i <= n; i++) send(p[i]);
}

static void cmd_write(void) {
  uint32_t addr;
  send(ACK);
  if (!receive_address(&addr) || (addr & 3u) != 0) {
    send(NACK);
    return;
  }
  send(ACK);
  uint8_t n = receive(), sum = n;
  for (uint32_t i = 0; i <= n; i++) sum ^= buffer[i] = receive();
  if (receive() != sum || !writable(addr, (uint32_t)n + 1)) {
    send(NACK);
    return;
  }
  volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;
  for (uint32_t i = 0; i <= n; i++) p[i] = buffer[i];
  send(ACK);
}

static void erase_page(uint32_t page) {
  volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)(TFG_FLASH_BASE + page * TFG_AN3155_PAGE_SIZE);
  for (uint32_t i = 0; i < TFG_AN3155_PAGE_SIZE / 4; i++) p[i] = 0xFFFFFFFFu;
}

static void cmd_extended_erase(void) {
  send(ACK);
  uint8_t hi = receive(), lo = receive();
  uint16_t n = (uint16_t)(hi << 8 | lo);
  uint8_t sum = hi ^ lo;
  if (n >= 0xFFF0u) {
    /* Special erases: 0xFFFF mass erase; 0xFFFE/0xFFFD bank 1/2 (this flash has one bank, so bank 1 = all). */
    if (receive() != sum || n < 0xFFFDu || n == 0xFFFDu) {
    send(NACK);
    return;
  }
    for (uint32_t page = 0; page < TFG_AN3155_PAGES; page++) erase_page(page);
    {
    send(ACK);
    return;
  }
  }
  uint32_t count = (uint32_t)n + 1;
  int ok = count <= sizeof pages / sizeof pages[0];
  for (uint32_t i = 0; i < count; i++) {
    uint8_t ph = receive(), pl = receive();
    sum ^= ph ^ pl;
    uint16_t page = (uint16_t)(ph << 8 | pl);
    if (ok) pages[i] = page;
    if (page >= TFG_AN3155_PAGES) ok = 0;
  }
  if (receive() != sum || !ok) {
    send(NACK);
    return;
  }
  for (uint32_t i = 0; i < count; i++) erase_page(pages[i]);
  send(ACK);
}

/* The STM32 CRC unit's CRC32 (polynomial 0x04C11DB7, initial value 0xFFFFFFFF, no reflection) over little-endian
 * 32-bit words, one nibble at a time through a 16-entry table. */
static uint32_t crc32_words(const volatile uint32_t *p, uint32_t words) {
  static const uint32_t nibble[16] = {
    0x00000000u, 0x04C11DB7u, 0x09823B6Eu, 0x0D4326D9u, 0x130476DCu, 0x17C56B6Bu, 0x1A864DB2u, 0x1E475005u,
    0x2608EDB8u, 0x22C9F00Fu, 0x2F8AD6D6u, 0x2B4BCB61u, 0x350C9B64u, 0x31CD86D3u, 0x3C8EA00Au, 0x384FBDBDu,
  };
  uint32_t crc = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < words; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc << 4) ^ nibble[crc >> 28];
  }
  return crc;
}

/* Get Checksum: address (4-aligned, readable) and length (a non-zero multiple of 4 inside readable memory), each
 * four bytes + XOR and acknowledged; then ACK, the CRC most significant byte first, and their XOR. */
static void cmd_get_checksum(void) {
  uint32_t addr, len;
  send(ACK);
  if (!receive_address(&addr) || (addr & 3u) != 0 || !readable(addr, 4)) {
    send(NACK);
    return;
  }
  send(ACK);
  if (!receive_address(&len) || len == 0 || (len & 3u) != 0 || !readable(addr, len)) {
    send(NACK);
    return;
  }
  send(ACK);
  uint32_t crc = crc32_words((const volatile uint32_t *)(uintptr_t)addr, len / 4);
  uint8_t b[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc};
  send(ACK);
  for (int i = 0; i < 4; i++) send(b[i]);
  send((uint8_t)(b[0] ^ b[1] ^ b[2] ^ b[3]));
}

/* Start the application whose vector table is at addr: stack pointer from word 0, reset handler from word 1. */
static void cmd_go(void) {
  uint32_t addr;
  send(ACK);
  if (!receive_address(&addr) || (addr & 3u) != 0 || !readable(addr, 8)) {
    send(NACK);
    return;
  }
  const volatile uint32_t *vectors = (const volatile uint32_t *)(uintptr_t)addr;
  uint32_t sp = vectors[0], pc = vectors[1];
  /* No application here unless the entry is Thumb code in memory we know and the stack is in RAM (erased = 0xFF). */
  if ((pc & 1u) == 0 || !readable(pc & ~1u, 2) || !within(sp - 4u, 4, TFG_RAM_BASE, TFG_RAM_SIZE)) {
    send(NACK);
    return;
  }
  send(ACK);
  TFG_REG(0xE000E010u) = 0; /* SysTick off: the application starts from reset state */
  TFG_REG(0xE000ED04u) = 1u << 25; /* PENDSTCLR */
  TFG_REG(0xE000ED08u) = addr; /* VTOR */
  __asm volatile("dsb\n isb\n msr msp, %0\n bx %1" : : "r"(sp), "r"(pc) : "memory");
  for (;;) {
  }
}

int main(void) {
  /* No SysTick while waiting for the host: under -icount an idle CPU jumps to the next timer at once, so a running
   * SysTick would turn every wait for a byte into a busy loop. */
  TFG_REG(0xE000E010u) = 0;
  while (receive() != SYNC) {
  }
  send(ACK);
  for (;;) {
    uint8_t cmd = receive();
    if (receive() != (uint8_t)~cmd) {
      send(NACK);
      continue;
    }
    switch (cmd) {
      case CMD_GET: cmd_get(); break;
      case CMD_GET_VERSION: cmd_get_version(); break;
      case CMD_GET_ID: cmd_get_id(); break;
      case CMD_READ: cmd_read(); break;
      case CMD_GO: cmd_go(); break;
      case CMD_WRITE: cmd_write(); break;
      case CMD_EXTENDED_ERASE: cmd_extended_erase(); break;
      case CMD_GET_CHECKSUM: cmd_get_checksum(); break;
      default: send(NACK); break;
    }
  }
}
