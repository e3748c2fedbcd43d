/* Hardware boards: nothing to exit to; sleep with interrupts masked (a debugger can still attach). */
#include "tfg_board.h"

void tfg_exit(int code) {
  (void)code;
  __asm volatile("cpsid i" ::: "memory");
  for (;;) __asm volatile("wfi");
}
