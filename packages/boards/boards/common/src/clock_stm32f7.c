/*
 * STM32F74x/F75x: HSI 16 MHz -> PLL 216 MHz with over-drive, flash 7 wait states + ART, APB1 54 MHz, APB2 108 MHz.
 * Register addresses and fields from RM0385.
 */
#include "tfg_mmio.h"

#define RCC 0x40023800u
#define RCC_CR (RCC + 0x00u)
#define RCC_PLLCFGR (RCC + 0x04u)
#define RCC_CFGR (RCC + 0x08u)
#define RCC_APB1ENR (RCC + 0x40u)
#define PWR_CR1 0x40007000u
#define PWR_CSR1 0x40007004u
#define FLASH_ACR 0x40023C00u

void tfg_stm32f7_clock_216mhz(void);

void tfg_stm32f7_clock_216mhz(void) {
  tfg_reg_set(RCC_APB1ENR, 1u << 28);              /* PWREN */
  tfg_reg_field(PWR_CR1, 3u << 14, 3u << 14);      /* VOS = scale 1 */
  tfg_reg_set(RCC_CR, 1u << 0);                    /* HSION (on after reset) */
  tfg_wait_set(RCC_CR, 1u << 1);                   /* HSIRDY */
  /* PLLSRC = HSI, M = 8 (2 MHz), N = 216 (432 MHz VCO), P = 2 (216 MHz), Q = 9 (48 MHz). */
  TFG_REG(RCC_PLLCFGR) = 8u | (216u << 6) | (0u << 16) | (0u << 22) | (9u << 24);
  tfg_reg_set(RCC_CR, 1u << 24);                   /* PLLON */
  tfg_wait_set(RCC_CR, 1u << 25);                  /* PLLRDY */
  tfg_reg_set(PWR_CR1, 1u << 16);                  /* ODEN: over-drive, needed above 180 MHz */
  tfg_wait_set(PWR_CSR1, 1u << 16);                /* ODRDY */
  tfg_reg_set(PWR_CR1, 1u << 17);                  /* ODSWEN */
  tfg_wait_set(PWR_CSR1, 1u << 17);                /* ODSWRDY */
  TFG_REG(FLASH_ACR) = 7u | (1u << 8) | (1u << 9); /* LATENCY 7, PRFTEN, ARTEN */
  tfg_wait_set(FLASH_ACR, 7u);
  /* AHB /1, APB1 /4 (PPRE1 = 101), APB2 /2 (PPRE2 = 100), then SW = PLL. */
  tfg_reg_field(RCC_CFGR, (0xFu << 4) | (7u << 10) | (7u << 13), (5u << 10) | (4u << 13));
  tfg_reg_field(RCC_CFGR, 3u, 2u);
  while ((TFG_REG(RCC_CFGR) & (3u << 2)) != (2u << 2)) {
  }
}
