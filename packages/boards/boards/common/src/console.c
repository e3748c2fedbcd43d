#include "tfg_board.h"

void tfg_console_write(const void *data, uint32_t len) {
  const uint8_t *p = (const uint8_t *)data;
  for (uint32_t i = 0; i < len; i++) tfg_console_putc(p[i]);
}

void tfg_console_puts(const char *s) {
  while (*s != '\0') tfg_console_putc((uint8_t)*s++);
}
