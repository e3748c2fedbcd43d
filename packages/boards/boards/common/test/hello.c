/* Board bring-up test: greet, report the clock, echo one line, and exit with the number of bytes echoed. */
#include "tfg_board.h"

static void put_u32(uint32_t v) {
  char buf[11];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) tfg_console_putc((uint8_t)buf[--n]);
}

int main(void) {
  tfg_console_puts("hello from tinyforge, clock ");
  put_u32(tfg_board_clock_hz);
  tfg_console_puts(" Hz\n");
  uint32_t start = tfg_cycles_read();
  int echoed = 0;
  for (;;) {
    uint8_t c = tfg_console_getc();
    tfg_console_putc(c);
    if (c == '\n') break;
    echoed++;
  }
  tfg_console_puts("cycles ");
  put_u32(tfg_cycles_read() - start);
  tfg_console_puts("\n");
  return echoed;
}
