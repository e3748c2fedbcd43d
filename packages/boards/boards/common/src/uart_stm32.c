/*
 * STM32 USART/LPUART with the ISR/RDR/TDR register layout (F7, L4, L4+, H7, U5). The board's clock code calls
 * tfg_stm32_uart_init with the UART's kernel clock after it has set up clocks and pins.
 */
#include "tfg_board.h"
#include "tfg_mmio.h"

#ifndef TFG_CONSOLE_BASE
#error "TFG_CONSOLE_BASE must be defined (from board.json console.base)"
#endif

#define UART_CR1 (TFG_CONSOLE_BASE + 0x00u)
#define UART_BRR (TFG_CONSOLE_BASE + 0x0Cu)
#define UART_ISR (TFG_CONSOLE_BASE + 0x1Cu)
#define UART_ICR (TFG_CONSOLE_BASE + 0x20u)
#define UART_RDR (TFG_CONSOLE_BASE + 0x24u)
#define UART_TDR (TFG_CONSOLE_BASE + 0x28u)
#define CR1_UE (1u << 0)
#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define ISR_RXNE (1u << 5)
#define ISR_TXE (1u << 7)
#define ICR_ORECF (1u << 3)

void tfg_stm32_uart_init(uint32_t kernel_clock_hz, int is_lpuart);

void tfg_stm32_uart_init(uint32_t kernel_clock_hz, int is_lpuart) {
  TFG_REG(UART_CR1) = 0;
  /* Oversampling by 16: BRR = f/baud. LPUART: BRR = 256 f/baud. Rounded to nearest. */
  uint64_t scale = is_lpuart ? 256u : 1u;
  TFG_REG(UART_BRR) = (uint32_t)((scale * kernel_clock_hz + TFG_CONSOLE_BAUD / 2u) / TFG_CONSOLE_BAUD);
  TFG_REG(UART_CR1) = CR1_TE | CR1_RE | CR1_UE; /* 8N1 */
}

void tfg_console_putc(uint8_t c) {
  while (!(TFG_REG(UART_ISR) & ISR_TXE)) {
  }
  TFG_REG(UART_TDR) = c;
}

uint8_t tfg_console_getc(void) {
  TFG_REG(UART_ICR) = ICR_ORECF; /* an overrun while nobody was reading must not wedge the receiver */
  while (!(TFG_REG(UART_ISR) & ISR_RXNE)) {
  }
  return (uint8_t)TFG_REG(UART_RDR);
}

int tfg_console_try_getc(void) { return (TFG_REG(UART_ISR) & ISR_RXNE) ? (int)(TFG_REG(UART_RDR) & 0xFFu) : -1; }
