/* ARM CMSDK APB UART: the console of QEMU's mps2/mps3 machines. The board file passes the base address. */
#include "tfg_board.h"
#include "tfg_mmio.h"

#ifndef TFG_CONSOLE_BASE
#error "TFG_CONSOLE_BASE must be defined (from board.json console.base)"
#endif

#define UART_DATA (TFG_CONSOLE_BASE + 0x00u)
#define UART_STATE (TFG_CONSOLE_BASE + 0x04u)
#define UART_CTRL (TFG_CONSOLE_BASE + 0x08u)
#define UART_BAUDDIV (TFG_CONSOLE_BASE + 0x10u)
#define STATE_TX_FULL 1u
#define STATE_RX_FULL 2u

void tfg_cmsdk_uart_init(uint32_t clock_hz, uint32_t baud) {
  uint32_t div = clock_hz / baud;
  TFG_REG(UART_BAUDDIV) = div < 16 ? 16 : div; /* QEMU ignores the rate but rejects dividers below 16 */
  TFG_REG(UART_CTRL) = 3u;                     /* TX and RX enable */
}

void tfg_console_putc(uint8_t c) {
  while (TFG_REG(UART_STATE) & STATE_TX_FULL) {
  }
  TFG_REG(UART_DATA) = c;
}

uint8_t tfg_console_getc(void) {
  while (!(TFG_REG(UART_STATE) & STATE_RX_FULL)) {
  }
  return (uint8_t)TFG_REG(UART_DATA);
}

int tfg_console_try_getc(void) { return (TFG_REG(UART_STATE) & STATE_RX_FULL) ? (int)(TFG_REG(UART_DATA) & 0xFFu) : -1; }
