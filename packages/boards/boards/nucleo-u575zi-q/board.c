/*
 * NUCLEO-U575ZI-Q (STM32U575ZI, non-secure aliases): HSI16 -> PLL1 160 MHz in range 1 with the EPOD booster, flash 4
 * wait states; console USART1 on PA9 (TX) / PA10 (RX), AF7, to the ST-LINK virtual COM port. Fields from RM0456.
 */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define RCC 0x46020C00u
#define RCC_CR (RCC + 0x00u)
#define RCC_CFGR1 (RCC + 0x1Cu)
#define RCC_CFGR2 (RCC + 0x20u)
#define RCC_PLL1CFGR (RCC + 0x28u)
#define RCC_PLL1DIVR (RCC + 0x34u)
#define RCC_AHB2ENR1 (RCC + 0x8Cu)
#define RCC_AHB3ENR (RCC + 0x94u)
#define RCC_APB2ENR (RCC + 0xA4u)
#define PWR_VOSR (0x46020800u + 0x0Cu)
#define FLASH_ACR 0x40022000u
#define GPIOA 0x42020000u

void tfg_stm32_uart_init(uint32_t kernel_clock_hz, int is_lpuart);

const uint32_t tfg_board_clock_hz = TFG_CLOCK_HZ;

static void delay_cycles(uint32_t n) {
  for (volatile uint32_t i = 0; i < n; i++) {
  }
}

static void clock_160mhz(void) {
  tfg_reg_set(RCC_AHB3ENR, 1u << 2);            /* PWREN */
  tfg_reg_set(RCC_CR, 1u << 8);                 /* HSION */
  tfg_wait_set(RCC_CR, 1u << 10);               /* HSIRDY */
  /* PLL1 source HSI16, M = 1 (16 MHz, range 8-16 MHz); the booster takes the source /1 (MBOOST = 0, 16 MHz). */
  TFG_REG(RCC_PLL1CFGR) = 2u | (3u << 2) | (0u << 8) | (0u << 12);
  tfg_reg_field(PWR_VOSR, (3u << 16) | (1u << 18), (3u << 16) | (1u << 18)); /* VOS range 1, BOOSTEN */
  tfg_wait_set(PWR_VOSR, (1u << 15) | (1u << 14));                          /* VOSRDY, BOOSTRDY */
  tfg_reg_field(FLASH_ACR, 0xFu, 4u);           /* 4 wait states at 160 MHz, range 1 */
  tfg_wait_set(FLASH_ACR, 4u);
  /* N = 20 (320 MHz VCO), R = 2 -> 160 MHz; PLL1REN. */
  TFG_REG(RCC_PLL1DIVR) = (20u - 1u) | ((2u - 1u) << 9) | ((2u - 1u) << 16) | ((2u - 1u) << 24);
  tfg_reg_set(RCC_PLL1CFGR, 1u << 18);          /* PLL1REN */
  tfg_reg_set(RCC_CR, 1u << 24);                /* PLL1ON */
  tfg_wait_set(RCC_CR, 1u << 25);               /* PLL1RDY */
  /* Step through AHB /2 for at least 1 us when going above 80 MHz, as for the L4+. */
  tfg_reg_field(RCC_CFGR2, 0xFu, 0x8u);
  tfg_reg_field(RCC_CFGR1, 3u, 3u);             /* SW = PLL1 R */
  while ((TFG_REG(RCC_CFGR1) & (3u << 2)) != (3u << 2)) {
  }
  delay_cycles(300);
  tfg_reg_field(RCC_CFGR2, 0xFu, 0u);
}

void tfg_board_init(void) {
  clock_160mhz();
  tfg_reg_set(RCC_AHB2ENR1, 1u << 0);           /* GPIOAEN */
  tfg_reg_set(RCC_APB2ENR, 1u << 14);           /* USART1EN; kernel clock PCLK2 (CCIPR1 reset value) */
  tfg_stm32_gpio_af(GPIOA, 9, 7);
  tfg_stm32_gpio_af(GPIOA, 10, 7);
  tfg_stm32_uart_init(TFG_CLOCK_HZ, 0);
  tfg_cycles_init();
}
