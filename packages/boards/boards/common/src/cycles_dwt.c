/* Cycle counter from the DWT unit (Cortex-M3/M4/M7/M33/M55 with the debug extension). */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define DEMCR 0xE000EDFCu
#define DWT_CTRL 0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define DWT_LAR 0xE0001FB0u

void tfg_cycles_init(void) {
  TFG_REG(DEMCR) |= 1u << 24; /* TRCENA */
#if defined(__ARM_ARCH_7EM__)
  TFG_REG(DWT_LAR) = 0xC5ACCE55u; /* Cortex-M7 locks the DWT until this key is written. */
#endif
  TFG_REG(DWT_CYCCNT) = 0;
  TFG_REG(DWT_CTRL) |= 1u; /* CYCCNTENA */
}

uint32_t tfg_cycles_read(void) { return TFG_REG(DWT_CYCCNT); }
