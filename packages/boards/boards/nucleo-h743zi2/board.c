/*
 * NUCLEO-H743ZI2 (STM32H743ZI rev V): LDO supply, VOS1, HSI 64 MHz -> PLL1 400 MHz core, 200 MHz AXI/AHB, 100 MHz
 * APB; console USART3 on PD8 (TX) / PD9 (RX), AF7, to the ST-LINK virtual COM port. Addresses and fields from RM0433.
 */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define PWR 0x58024800u
#define PWR_CSR1 (PWR + 0x04u)
#define PWR_CR3 (PWR + 0x0Cu)
#define PWR_D3CR (PWR + 0x18u)
#define RCC 0x58024400u
#define RCC_CR (RCC + 0x00u)
#define RCC_CFGR (RCC + 0x10u)
#define RCC_D1CFGR (RCC + 0x18u)
#define RCC_D2CFGR (RCC + 0x1Cu)
#define RCC_D3CFGR (RCC + 0x20u)
#define RCC_PLLCKSELR (RCC + 0x28u)
#define RCC_PLLCFGR (RCC + 0x2Cu)
#define RCC_PLL1DIVR (RCC + 0x30u)
#define RCC_AHB4ENR (RCC + 0xE0u)
#define RCC_APB1LENR (RCC + 0xE8u)
#define FLASH_ACR 0x52002000u
#define GPIOD 0x58020C00u
#define APB1_HZ 100000000u

void tfg_stm32_uart_init(uint32_t kernel_clock_hz, int is_lpuart);

const uint32_t tfg_board_clock_hz = TFG_CLOCK_HZ;

static void clock_400mhz(void) {
  /* Supply: LDO (the board's default), locked by this first write; wait until the voltage is ready. */
  tfg_reg_field(PWR_CR3, 7u, 1u << 1);                 /* LDOEN, BYPASS = 0, SCUEN = 0 */
  tfg_wait_set(PWR_CSR1, 1u << 13);                    /* ACTVOSRDY */
  tfg_reg_field(PWR_D3CR, 3u << 14, 3u << 14);         /* VOS1 */
  tfg_wait_set(PWR_D3CR, 1u << 13);                    /* VOSRDY */
  TFG_REG(FLASH_ACR) = 2u | (2u << 4);                 /* 2 wait states, WRHIGHFREQ = 2 (AXI 200 MHz, VOS1) */
  tfg_wait_set(FLASH_ACR, 2u);
  /* PLL1 from HSI 64 MHz: M = 4 (16 MHz, range 8-16 MHz), N = 50 (800 MHz wide VCO), P = 2 -> 400 MHz. */
  TFG_REG(RCC_PLLCKSELR) = 0u | (4u << 4);             /* PLLSRC = HSI, DIVM1 = 4 */
  TFG_REG(RCC_PLLCFGR) = (3u << 2) | (1u << 16);       /* PLL1RGE = 8-16 MHz, wide VCO, DIVP1EN */
  TFG_REG(RCC_PLL1DIVR) = (50u - 1u) | ((2u - 1u) << 9) | ((4u - 1u) << 16) | ((2u - 1u) << 24);
  tfg_reg_set(RCC_CR, 1u << 24);                       /* PLL1ON */
  tfg_wait_set(RCC_CR, 1u << 25);                      /* PLL1RDY */
  /* Core /1 (400), HPRE /2 (200), every APB /2 (100). */
  TFG_REG(RCC_D1CFGR) = (0u << 8) | (4u << 4) | 8u;
  TFG_REG(RCC_D2CFGR) = (4u << 8) | (4u << 4);
  TFG_REG(RCC_D3CFGR) = 4u << 4;
  tfg_reg_field(RCC_CFGR, 7u, 3u);                     /* SW = PLL1 */
  while ((TFG_REG(RCC_CFGR) & (7u << 3)) != (3u << 3)) {
  }
}

void tfg_board_init(void) {
  clock_400mhz();
  tfg_reg_set(RCC_AHB4ENR, 1u << 3);   /* GPIODEN */
  tfg_reg_set(RCC_APB1LENR, 1u << 18); /* USART3EN; kernel clock PCLK1 (D2CCIP2R reset value) */
  tfg_stm32_gpio_af(GPIOD, 8, 7);
  tfg_stm32_gpio_af(GPIOD, 9, 7);
  tfg_stm32_uart_init(APB1_HZ, 0);
  tfg_cycles_init();
}
