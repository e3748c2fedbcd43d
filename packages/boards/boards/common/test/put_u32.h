/* Test programs' decimal output on the console (no printf on the boards). */
#ifndef TFG_TEST_PUT_U32_H
#define TFG_TEST_PUT_U32_H
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

#endif
