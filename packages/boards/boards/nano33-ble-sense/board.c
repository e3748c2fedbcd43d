/*
 * Arduino Nano 33 BLE Sense (nRF52840): the core runs at 64 MHz from reset; start the 32 MHz crystal (HFXO) so
 * the UART baud rate and the clock are crystal-accurate. Console: UART0 on the header pins D1/TX = P1.03 and
 * D0/RX = P1.10 (the board's USB port is the nRF52840's own USB, used by the bootloader, not a serial bridge).
 * Register addresses from the nRF52840 Product Specification.
 */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define CLOCK 0x40000000u
#define CLOCK_TASKS_HFCLKSTART (CLOCK + 0x000u)
#define CLOCK_EVENTS_HFCLKSTARTED (CLOCK + 0x100u)
#define UART0 0x40002000u
#define UART_TASKS_STARTRX (UART0 + 0x000u)
#define UART_TASKS_STARTTX (UART0 + 0x008u)
#define UART_EVENTS_RXDRDY (UART0 + 0x108u)
#define UART_EVENTS_TXDRDY (UART0 + 0x11Cu)
#define UART_ENABLE (UART0 + 0x500u)
#define UART_PSEL_TXD (UART0 + 0x50Cu)
#define UART_PSEL_RXD (UART0 + 0x514u)
#define UART_RXD (UART0 + 0x518u)
#define UART_TXD (UART0 + 0x51Cu)
#define UART_BAUDRATE (UART0 + 0x524u)
#define UART_CONFIG (UART0 + 0x56Cu)
#define BAUD_115200 0x01D7E000u
#define PIN(port, n) (((port) << 5) | (n)) /* PSEL: pin number, port bit 5, CONNECT (bit 31) = 0 */

const uint32_t tfg_board_clock_hz = TFG_CLOCK_HZ;

void tfg_board_init(void) {
  TFG_REG(CLOCK_EVENTS_HFCLKSTARTED) = 0;
  TFG_REG(CLOCK_TASKS_HFCLKSTART) = 1;
  while (TFG_REG(CLOCK_EVENTS_HFCLKSTARTED) == 0) {
  }
  TFG_REG(UART_PSEL_TXD) = PIN(1u, 3u);
  TFG_REG(UART_PSEL_RXD) = PIN(1u, 10u);
  TFG_REG(UART_BAUDRATE) = BAUD_115200; /* the board file's console.baud is 115200 */
  TFG_REG(UART_CONFIG) = 0;             /* 8N1, no flow control */
  TFG_REG(UART_ENABLE) = 4;
  TFG_REG(UART_EVENTS_RXDRDY) = 0;
  TFG_REG(UART_TASKS_STARTRX) = 1;
  TFG_REG(UART_TASKS_STARTTX) = 1;
  tfg_cycles_init();
}

void tfg_console_putc(uint8_t c) {
  TFG_REG(UART_EVENTS_TXDRDY) = 0;
  TFG_REG(UART_TXD) = c;
  while (TFG_REG(UART_EVENTS_TXDRDY) == 0) {
  }
}

int tfg_console_try_getc(void) {
  if (TFG_REG(UART_EVENTS_RXDRDY) == 0) return -1;
  TFG_REG(UART_EVENTS_RXDRDY) = 0; /* clear before reading RXD so the next byte's event is not lost */
  return (int)(TFG_REG(UART_RXD) & 0xFFu);
}

uint8_t tfg_console_getc(void) {
  int c;
  while ((c = tfg_console_try_getc()) < 0) {
  }
  return (uint8_t)c;
}
