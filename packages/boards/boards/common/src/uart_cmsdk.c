/* ARM CMSDK APB UART: the console of QEMU's mps2/mps3 machines. The board file passes the base address. */
#include "tfg_board.h"
#include "tfg_mmio.h"

#ifndef TFG_CONSOLE_BASE
#error "TFG_CONSOLE_BASE must be defined (from board.json console.base)"
#endif

#define UART_DATA (TFG_CONSOLE_BASE + 0x00u)
#define UART_STATE (TFG_CONSOLE_BASE + 0x04u)
#define UART_CTRL (TFG_CONSOLE_BASE + 0x08u)
#define UART_INTCLEAR (TFG_CONSOLE_BASE + 0x0Cu)
#define UART_BAUDDIV (TFG_CONSOLE_BASE + 0x10u)
#define STATE_TX_FULL 1u
#define STATE_RX_FULL 2u
#define CTRL_TX_RX_ENABLE 3u
#define CTRL_RX_INT_ENABLE 8u
#define INT_RX 2u

void tfg_cmsdk_uart_init(uint32_t clock_hz, uint32_t baud) {
  uint32_t div = clock_hz / baud;
  TFG_REG(UART_BAUDDIV) = div < 16 ? 16 : div; /* QEMU ignores the rate but rejects dividers below 16 */
#ifdef TFG_CONSOLE_RX_IRQ
  TFG_REG(UART_CTRL) = CTRL_TX_RX_ENABLE | CTRL_RX_INT_ENABLE; /* the interrupt only wakes WFI; see wait_rx */
#else
  TFG_REG(UART_CTRL) = CTRL_TX_RX_ENABLE;
#endif
  /* QEMU's model does not tell its serial backend when RX gets enabled, only when DATA is read: without this read,
   * host bytes sent before the enable (stm32flash's 0x7F) wait until some unrelated event wakes QEMU's I/O loop. */
  (void)TFG_REG(UART_DATA);
}

void tfg_console_putc(uint8_t c) {
  while (TFG_REG(UART_STATE) & STATE_TX_FULL) {
  }
  TFG_REG(UART_DATA) = c;
}

#ifdef TFG_CONSOLE_RX_IRQ
#define NVIC_ISER 0xE000E100u
#define NVIC_ICER 0xE000E180u
#define NVIC_ICPR 0xE000E280u

/* Write the bit of each RX line into one of the NVIC's set/clear register banks. */
static void nvic_rx_lines(uint32_t bank) {
  TFG_REG(bank + 4u * (TFG_CONSOLE_RX_IRQ / 32u)) = 1u << (TFG_CONSOLE_RX_IRQ % 32u);
#ifdef TFG_CONSOLE_RX_IRQ2
  TFG_REG(bank + 4u * (TFG_CONSOLE_RX_IRQ2 / 32u)) = 1u << (TFG_CONSOLE_RX_IRQ2 % 32u);
#endif
}

/*
 * Sleep until a byte arrives instead of polling the status register. On QEMU a guest spinning on a UART register
 * keeps its CPU thread busy and, on a loaded host, starves the threads that carry host bytes into the UART (one
 * byte per main-loop round: this UART has no FIFO), so a 256-byte AN3155 block could outlast the host's one-second
 * ACK timeout. The RX line is enabled in the NVIC only while PRIMASK is set: it wakes WFI but is never taken (the
 * vector table has no peripheral entries). Between sleeps PRIMASK is cleared so SysTick keeps counting.
 */
static void wait_rx(void) {
  while (!(TFG_REG(UART_STATE) & STATE_RX_FULL)) {
    __asm volatile("cpsid i" ::: "memory");
    TFG_REG(UART_INTCLEAR) = INT_RX; /* a byte arriving from here on re-raises the line and wakes WFI */
    nvic_rx_lines(NVIC_ICPR);
    nvic_rx_lines(NVIC_ISER);
    if (!(TFG_REG(UART_STATE) & STATE_RX_FULL)) __asm volatile("wfi" ::: "memory");
    nvic_rx_lines(NVIC_ICER);
    __asm volatile("dsb\n isb\n cpsie i\n isb" ::: "memory");
  }
}
#else
static void wait_rx(void) {
  while (!(TFG_REG(UART_STATE) & STATE_RX_FULL)) {
  }
}
#endif

uint8_t tfg_console_getc(void) {
  if (!(TFG_REG(UART_STATE) & STATE_RX_FULL)) wait_rx();
  return (uint8_t)TFG_REG(UART_DATA);
}

int tfg_console_try_getc(void) { return (TFG_REG(UART_STATE) & STATE_RX_FULL) ? (int)(TFG_REG(UART_DATA) & 0xFFu) : -1; }
