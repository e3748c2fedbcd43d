/*
 * Cycle counter from SysTick (24 bits, counting down from the core clock) widened to 32 bits by counting wraps
 * in the SysTick interrupt. Used where there is no DWT (Cortex-M0+) and on QEMU, whose DWT reads 0.
 */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define SYST_CSR 0xE000E010u
#define SYST_RVR 0xE000E014u
#define SYST_CVR 0xE000E018u
#define SYST_RELOAD 0x00FFFFFFu

static volatile uint32_t wraps;

void SysTick_Handler(void) { wraps++; }

void tfg_cycles_init(void) {
  wraps = 0;
  TFG_REG(SYST_RVR) = SYST_RELOAD;
  TFG_REG(SYST_CVR) = 0;
  TFG_REG(SYST_CSR) = 7u; /* core clock, interrupt, enable */
}

uint32_t tfg_cycles_read(void) {
  uint32_t before, value, after;
  do { /* Re-read when a wrap happened between reading the count and the wraps. */
    before = wraps;
    value = TFG_REG(SYST_CVR);
    after = wraps;
  } while (before != after);
  return (before << 24) + (SYST_RELOAD - value);
}
