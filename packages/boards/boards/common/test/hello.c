/* Board bring-up test: greet, report the clock, echo one line, and exit with the number of bytes echoed. */
#include "tfg_board.h"
#include "put_u32.h"

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
