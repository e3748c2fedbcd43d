/*
 * Vector table and reset handler shared by every board: set up C memory (.data copy, .bss zero), paint the stack,
 * enable the FPU when the code is built for one, initialise the board, run main(), and end with tfg_exit(main's
 * result). The painted stack gives its high-water mark (tfg_stack_high_water).
 */
#include <stdint.h>
#include "tfg_board.h"
#include "tfg_mmio.h"

extern uint32_t __tfg_data_load, __tfg_data_start, __tfg_data_end, __tfg_bss_start, __tfg_bss_end, __tfg_stack_bottom,
    __tfg_stack_top;
extern int main(void);
#if defined(TFG_EXTRA_RAM_REGIONS)
/* Boards with extra RAM regions (board.json extraRam): memory.ld gives each region's zero-initialised section. */
extern uint32_t __tfg_ram1_start, __tfg_ram1_end;
#if TFG_EXTRA_RAM_REGIONS > 1
extern uint32_t __tfg_ram2_start, __tfg_ram2_end;
#endif
#if TFG_EXTRA_RAM_REGIONS > 2
extern uint32_t __tfg_ram3_start, __tfg_ram3_end;
#endif
#if TFG_EXTRA_RAM_REGIONS > 3
#error "at most 3 extra RAM regions (boards schema MAX_EXTRA_RAM)"
#endif
#endif

void tfg_reset_handler(void) __attribute__((noreturn));
void tfg_default_handler(void);

#define WEAK_HANDLER(name) void name(void) __attribute__((weak, alias("tfg_default_handler")))
WEAK_HANDLER(NMI_Handler);
WEAK_HANDLER(HardFault_Handler);
WEAK_HANDLER(MemManage_Handler);
WEAK_HANDLER(BusFault_Handler);
WEAK_HANDLER(UsageFault_Handler);
WEAK_HANDLER(SecureFault_Handler);
WEAK_HANDLER(SVC_Handler);
WEAK_HANDLER(DebugMon_Handler);
WEAK_HANDLER(PendSV_Handler);
WEAK_HANDLER(SysTick_Handler);

/* System exceptions only: board support enables no peripheral interrupts. */
__attribute__((section(".isr_vector"), used)) static void (*const vector_table[16])(void) = {
    (void (*)(void))&__tfg_stack_top,
    tfg_reset_handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    SecureFault_Handler,
    0,
    0,
    0,
    SVC_Handler,
    DebugMon_Handler,
    0,
    PendSV_Handler,
    SysTick_Handler,
};

void tfg_reset_handler(void) {
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  /* CPACR: full access to CP10/CP11 before the first floating-point (or MVE) instruction. */
  TFG_REG(0xE000ED88) |= 0xFu << 20;
  __asm volatile("dsb\n isb" ::: "memory");
#endif
  /* VTOR: this image's table, also when a bootloader started it. */
  TFG_REG(0xE000ED08) = (uint32_t)(uintptr_t)vector_table;
  for (uint32_t *src = &__tfg_data_load, *dst = &__tfg_data_start; dst < &__tfg_data_end;) *dst++ = *src++;
  for (uint32_t *dst = &__tfg_bss_start; dst < &__tfg_bss_end;) *dst++ = 0;
#if defined(TFG_EXTRA_RAM_REGIONS)
  for (uint32_t *dst = &__tfg_ram1_start; dst < &__tfg_ram1_end;) *dst++ = 0;
#if TFG_EXTRA_RAM_REGIONS > 1
  for (uint32_t *dst = &__tfg_ram2_start; dst < &__tfg_ram2_end;) *dst++ = 0;
#endif
#if TFG_EXTRA_RAM_REGIONS > 2
  for (uint32_t *dst = &__tfg_ram3_start; dst < &__tfg_ram3_end;) *dst++ = 0;
#endif
#endif
  {
    /* Paint the stack below the words in use (this frame), and never past its top if started on another stack. */
    uint32_t *sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    uint32_t *const end = sp < &__tfg_stack_top ? sp : &__tfg_stack_top;
    for (uint32_t *p = &__tfg_stack_bottom; p < end;) *p++ = TFG_STACK_PAINT;
  }
  tfg_board_init();
  tfg_exit(main());
}

uint32_t tfg_stack_size(void) { return (uint32_t)((uintptr_t)&__tfg_stack_top - (uintptr_t)&__tfg_stack_bottom); }

uint32_t tfg_stack_high_water(void) {
  const uint32_t *p = &__tfg_stack_bottom;
  while (p < &__tfg_stack_top && *p == TFG_STACK_PAINT) p++;
  return (uint32_t)((uintptr_t)&__tfg_stack_top - (uintptr_t)p);
}

void tfg_default_handler(void) {
  /* An unexpected exception: report it on virtual boards (exit code 0x7F), park on hardware. */
  tfg_exit(0x7F);
}
