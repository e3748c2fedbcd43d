/*
 * Minimal bare-metal startup for QEMU's Cortex-M machines: vector table, .data/.bss setup, FPU enable, and
 * ARM semihosting (BKPT 0xAB) for console output and the exit code.
 */
#include <stdint.h>

extern uint32_t _data_load, _data_start, _data_end, _bss_start, _bss_end, _stack_top;
int tfg_selftest_main(void);
void tfg_reset_handler(void);

static int32_t semihost(int32_t op, const void *arg) {
  register int32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void tfg_test_print(const char *text) { (void)semihost(0x04 /* SYS_WRITE0 */, text); }

static void semihost_exit(int code) {
  /* SYS_EXIT_EXTENDED: a block of {ADP_Stopped_ApplicationExit, status}, so QEMU exits with `code`. */
  const uint32_t block[2] = {0x20026u, (uint32_t)code};
  (void)semihost(0x20, block);
  for (;;) {
  }
}

static void fault_handler(void) {
  tfg_test_print("fault\n");
  semihost_exit(99);
}

void tfg_reset_handler(void) {
  for (uint32_t *src = &_data_load, *dst = &_data_start; dst < &_data_end;) *dst++ = *src++;
  for (uint32_t *dst = &_bss_start; dst < &_bss_end;) *dst++ = 0;
  /* Full access to CP10/CP11 so that any FPU instruction the compiler emits does not fault. */
  *(volatile uint32_t *)0xE000ED88u |= (0xFu << 20);
  __asm__ volatile("dsb\n isb");
  semihost_exit(tfg_selftest_main());
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&_stack_top, tfg_reset_handler, fault_handler, fault_handler, fault_handler,
    fault_handler, fault_handler, 0, 0, 0, 0, fault_handler, fault_handler, 0, fault_handler, fault_handler,
};
