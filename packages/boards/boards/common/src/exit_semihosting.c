/* Virtual boards: SYS_EXIT_EXTENDED through semihosting makes QEMU exit with `code`. */
#include "tfg_board.h"

void tfg_exit(int code) {
  uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
  register uint32_t r0 __asm("r0") = 0x20u; /* SYS_EXIT_EXTENDED */
  register uint32_t *r1 __asm("r1") = block;
  __asm volatile("bkpt 0xAB" : : "r"(r0), "r"(r1) : "memory");
  for (;;) {
  }
}
