/* QEMU mps2/mps3 boards: the clock is fixed by the machine, the console is CMSDK UART0, cycles come from SysTick. */
#include "tfg_board.h"

void tfg_cmsdk_uart_init(uint32_t clock_hz, uint32_t baud);

const uint32_t tfg_board_clock_hz = TFG_CLOCK_HZ;

void tfg_board_init(void) {
  tfg_cmsdk_uart_init(TFG_CLOCK_HZ, TFG_CONSOLE_BAUD);
  tfg_cycles_init();
}
