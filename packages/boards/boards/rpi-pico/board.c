/*
 * Raspberry Pi Pico (RP2040): 12 MHz crystal -> PLL_SYS 125 MHz (VCO 1500 MHz / 6 / 2) for clk_sys and clk_peri;
 * console UART0 on GP0 (TX) / GP1 (RX). The Pico has no USB-serial bridge on these pins: use a USB-UART adapter
 * (or a debug probe's UART). Cycle counter: SysTick (the Cortex-M0+ has no DWT CYCCNT). Register addresses and
 * fields from the RP2040 datasheet.
 */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define RESETS 0x4000C000u
#define RESETS_RESET RESETS
#define RESETS_DONE (RESETS + 0x8u)
#define ATOMIC_CLR 0x3000u
#define RESET_IO_BANK0 (1u << 5)
#define RESET_PADS_BANK0 (1u << 8)
#define RESET_PLL_SYS (1u << 12)
#define RESET_UART0 (1u << 22)

#define XOSC 0x40024000u
#define XOSC_CTRL (XOSC + 0x00u)
#define XOSC_STATUS (XOSC + 0x04u)
#define XOSC_STARTUP (XOSC + 0x0Cu)

#define PLL_SYS 0x40028000u
#define PLL_CS (PLL_SYS + 0x0u)
#define PLL_PWR (PLL_SYS + 0x4u)
#define PLL_FBDIV (PLL_SYS + 0x8u)
#define PLL_PRIM (PLL_SYS + 0xCu)

#define CLOCKS 0x40008000u
#define CLK_REF_CTRL (CLOCKS + 0x30u)
#define CLK_REF_SELECTED (CLOCKS + 0x38u)
#define CLK_SYS_CTRL (CLOCKS + 0x3Cu)
#define CLK_SYS_SELECTED (CLOCKS + 0x44u)
#define CLK_PERI_CTRL (CLOCKS + 0x48u)

#define IO_BANK0_GPIO_CTRL(n) (0x40014000u + 0x04u + 8u * (n))
#define FUNC_UART 2u

#define UART0 0x40034000u
#define UART_DR (UART0 + 0x00u)
#define UART_FR (UART0 + 0x18u)
#define UART_IBRD (UART0 + 0x24u)
#define UART_FBRD (UART0 + 0x28u)
#define UART_LCR_H (UART0 + 0x2Cu)
#define UART_CR (UART0 + 0x30u)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)

const uint32_t tfg_board_clock_hz = TFG_CLOCK_HZ;

static void unreset(uint32_t bits) {
  TFG_REG(RESETS_RESET + ATOMIC_CLR) = bits;
  tfg_wait_set(RESETS_DONE, bits);
}

static void clock_125mhz(void) {
  TFG_REG(XOSC_CTRL) = 0xAA0u;           /* FREQ_RANGE 1-15 MHz */
  TFG_REG(XOSC_STARTUP) = 47u;           /* ~1 ms at 12 MHz (x256 cycles) */
  tfg_reg_set(XOSC_CTRL, 0xFABu << 12);  /* ENABLE */
  tfg_wait_set(XOSC_STATUS, 1u << 31);   /* STABLE */
  TFG_REG(CLK_REF_CTRL) = 2u;            /* clk_ref = XOSC */
  tfg_wait_set(CLK_REF_SELECTED, 1u << 2);
  TFG_REG(CLK_SYS_CTRL) = 0u;            /* clk_sys = clk_ref while the PLL starts */
  tfg_wait_set(CLK_SYS_SELECTED, 1u << 0);

  unreset(RESET_PLL_SYS);
  TFG_REG(PLL_CS) = 1u;                  /* REFDIV 1 */
  TFG_REG(PLL_FBDIV) = 125u;             /* VCO 12 MHz * 125 = 1500 MHz */
  tfg_reg_clear(PLL_PWR, (1u << 0) | (1u << 5)); /* PD, VCOPD */
  tfg_wait_set(PLL_CS, 1u << 31);        /* LOCK */
  TFG_REG(PLL_PRIM) = (6u << 16) | (2u << 12); /* POSTDIV1 6, POSTDIV2 2: 125 MHz */
  tfg_reg_clear(PLL_PWR, 1u << 3);       /* POSTDIVPD */

  TFG_REG(CLK_SYS_CTRL) = (0u << 5) | 1u; /* AUXSRC = pll_sys, SRC = aux */
  tfg_wait_set(CLK_SYS_SELECTED, 1u << 1);
  TFG_REG(CLK_PERI_CTRL) = (1u << 11) | (0u << 5); /* ENABLE, AUXSRC = clk_sys */
}

void tfg_board_init(void) {
  clock_125mhz();
  unreset(RESET_IO_BANK0 | RESET_PADS_BANK0 | RESET_UART0);
  /* Baud divisor = clk_peri / (16 * baud) as 16.6 fixed point, rounded. */
  uint32_t div64 = (8u * TFG_CLOCK_HZ / TFG_CONSOLE_BAUD + 1u) / 2u;
  TFG_REG(UART_IBRD) = div64 >> 6;
  TFG_REG(UART_FBRD) = div64 & 0x3Fu;
  TFG_REG(UART_LCR_H) = (3u << 5) | (1u << 4); /* 8 bits, FIFOs on (this write latches the divisors) */
  TFG_REG(UART_CR) = (1u << 0) | (1u << 8) | (1u << 9); /* UARTEN, TXE, RXE */
  TFG_REG(IO_BANK0_GPIO_CTRL(0)) = FUNC_UART;
  TFG_REG(IO_BANK0_GPIO_CTRL(1)) = FUNC_UART;
  tfg_cycles_init();
}

void tfg_console_putc(uint8_t c) {
  while (TFG_REG(UART_FR) & FR_TXFF) {
  }
  TFG_REG(UART_DR) = c;
}

int tfg_console_try_getc(void) { return (TFG_REG(UART_FR) & FR_RXFE) ? -1 : (int)(TFG_REG(UART_DR) & 0xFFu); }

uint8_t tfg_console_getc(void) {
  int c;
  while ((c = tfg_console_try_getc()) < 0) {
  }
  return (uint8_t)c;
}
