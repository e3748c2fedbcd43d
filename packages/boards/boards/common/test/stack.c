/*
 * Stack high-water test: print the stack's size, its depth in main() and the high-water mark, then call a function
 * with a FRAME_BYTES local frame that writes every word of it, and print the high-water mark again. Exits 0.
 */
#include "tfg_board.h"
#include "put_u32.h"

#define FRAME_BYTES 4096u

static void put_field(const char *name, uint32_t v) {
  tfg_console_puts(name);
  put_u32(v);
  tfg_console_puts("\n");
}

/* Volatile: every word of the frame is written, none optimised away. */
static uint32_t __attribute__((noinline)) deep(uint32_t seed) {
  volatile uint32_t frame[FRAME_BYTES / 4u];
  for (uint32_t i = 0; i < FRAME_BYTES / 4u; i++) frame[i] = seed + i;
  return frame[seed % (FRAME_BYTES / 4u)];
}

extern uint32_t __tfg_stack_top;

int main(void) {
  uint32_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  put_field("stack size ", tfg_stack_size());
  put_field("frame ", FRAME_BYTES);
  put_field("depth in main ", (uint32_t)(uintptr_t)&__tfg_stack_top - sp);
  put_field("high water before ", tfg_stack_high_water());
  put_field("deep ", deep(tfg_cycles_read() & 0xFFu));
  put_field("high water after ", tfg_stack_high_water());
  return 0;
}
