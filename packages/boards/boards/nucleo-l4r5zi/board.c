/*
 * NUCLEO-L4R5ZI (STM32L4R5ZI): HSI16 -> PLL 120 MHz in range 1 boost mode, console LPUART1 on PG7 (TX) / PG8 (RX),
 * AF8, wired to the ST-LINK virtual COM port. Register addresses and fields from RM0432.
 */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define RCC 0x40021000u
#define RCC_CR (RCC + 0x00u)
#define RCC_CFGR (RCC + 0x08u)
#define RCC_PLLCFGR (RCC + 0x0Cu)
#define RCC_AHB2ENR (RCC + 0x4Cu)
#define RCC_APB1ENR1 (RCC + 0x58u)
#define RCC_APB1ENR2 (RCC + 0x5Cu)
#define PWR_CR2 (0x40007000u + 0x04u)
#define PWR_CR5 (0x40007000u + 0x80u)
#define FLASH_ACR 0x40022000u
#define GPIOG 0x48001800u

void tfg_stm32_uart_init(uint32_t kernel_clock_hz, int is_lpuart);

const uint32_t tfg_board_clock_hz = TFG_CLOCK_HZ;

static void delay_cycles(uint32_t n) {
  for (volatile uint32_t i = 0; i < n; i++) {
  }
}

static void clock_120mhz(void) {
  tfg_reg_set(RCC_APB1ENR1, 1u << 28);  /* PWREN */
  tfg_reg_clear(PWR_CR5, 1u << 8);      /* R1MODE = 0: range 1 boost, needed above 80 MHz */
  tfg_reg_set(RCC_CR, 1u << 8);         /* HSION */
  tfg_wait_set(RCC_CR, 1u << 10);       /* HSIRDY */
  tfg_reg_field(FLASH_ACR, 0xFu, 5u);   /* 5 wait states at 120 MHz */
  tfg_wait_set(FLASH_ACR, 5u);
  /* PLLSRC = HSI16 (2), M = 1, N = 15, R = 2: 16 * 15 / 2 = 120 MHz; PLLREN. */
  TFG_REG(RCC_PLLCFGR) = 2u | (0u << 4) | (15u << 8) | (0u << 25) | (1u << 24);
  tfg_reg_set(RCC_CR, 1u << 24);        /* PLLON */
  tfg_wait_set(RCC_CR, 1u << 25);       /* PLLRDY */
  /* Above 80 MHz the switch goes through AHB/2 for at least 1 us (RM0432, boost mode). */
  tfg_reg_field(RCC_CFGR, 0xFu << 4, 0x8u << 4);
  tfg_reg_field(RCC_CFGR, 3u, 3u);      /* SW = PLL */
  while ((TFG_REG(RCC_CFGR) & (3u << 2)) != (3u << 2)) {
  }
  delay_cycles(200);
  tfg_reg_field(RCC_CFGR, 0xFu << 4, 0u);
}

void tfg_board_init(void) {
  clock_120mhz();
  tfg_reg_set(RCC_AHB2ENR, 1u << 6);    /* GPIOGEN */
  tfg_reg_set(PWR_CR2, 1u << 9);        /* IOSV: PG2..PG15 are powered from VDDIO2 */
  tfg_reg_set(RCC_APB1ENR2, 1u << 0);   /* LPUART1EN; kernel clock PCLK1 (CCIPR reset value) */
  tfg_stm32_gpio_af(GPIOG, 7, 8);
  tfg_stm32_gpio_af(GPIOG, 8, 8);
  tfg_stm32_uart_init(TFG_CLOCK_HZ, 1);
  tfg_cycles_init();
}
