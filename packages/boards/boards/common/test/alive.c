/*
 * Flashing test application: announce itself on the console until the host sends a byte (a host that opens the
 * port late still sees it), then echo one line and exit with its length.
 */
#include "tfg_board.h"

static void put_hex32(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  for (int shift = 28; shift >= 0; shift -= 4) tfg_console_putc((uint8_t)digits[(v >> shift) & 0xF]);
}

int main(void) {
  int c = -1;
  for (uint32_t round = 0; c < 0; round++) {
    tfg_console_puts("tinyforge app alive, vectors at 0x");
    put_hex32(*(volatile uint32_t *)0xE000ED08u);
    tfg_console_puts(", round ");
    put_hex32(round);
    tfg_console_puts("\n");
    for (uint32_t spin = 0; spin < 200000 && c < 0; spin++) c = tfg_console_try_getc();
  }
  int length = 0;
  while (c != '\n') {
    tfg_console_putc((uint8_t)c);
    length++;
    c = tfg_console_getc();
  }
  tfg_console_puts("\nbye\n");
  return length;
}
