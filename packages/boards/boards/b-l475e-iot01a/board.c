/*
 * B-L475E-IOT01A (STM32L475VG): HSI16 -> PLL 80 MHz (range 1, 4 wait states), console USART1 on PB6 (TX) / PB7 (RX),
 * AF7, to the ST-LINK virtual COM port. Register addresses and fields from RM0351.
 */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define RCC 0x40021000u
#define RCC_CR (RCC + 0x00u)
#define RCC_CFGR (RCC + 0x08u)
#define RCC_PLLCFGR (RCC + 0x0Cu)
#define RCC_AHB2ENR (RCC + 0x4Cu)
#define RCC_APB2ENR (RCC + 0x60u)
#define FLASH_ACR 0x40022000u
#define GPIOB 0x48000400u

void tfg_stm32_uart_init(uint32_t kernel_clock_hz, int is_lpuart);

const uint32_t tfg_board_clock_hz = TFG_CLOCK_HZ;

static void clock_80mhz(void) {
  tfg_reg_set(RCC_CR, 1u << 8);        /* HSION */
  tfg_wait_set(RCC_CR, 1u << 10);      /* HSIRDY */
  tfg_reg_field(FLASH_ACR, 7u, 4u);    /* 4 wait states at 80 MHz, range 1 */
  tfg_wait_set(FLASH_ACR, 4u);
  /* PLLSRC = HSI16 (2), M = 1, N = 10, R = 2: 16 * 10 / 2 = 80 MHz; PLLREN. */
  TFG_REG(RCC_PLLCFGR) = 2u | (0u << 4) | (10u << 8) | (0u << 25) | (1u << 24);
  tfg_reg_set(RCC_CR, 1u << 24);       /* PLLON */
  tfg_wait_set(RCC_CR, 1u << 25);      /* PLLRDY */
  tfg_reg_field(RCC_CFGR, 3u, 3u);     /* SW = PLL; AHB, APB1, APB2 stay /1 */
  while ((TFG_REG(RCC_CFGR) & (3u << 2)) != (3u << 2)) {
  }
}

void tfg_board_init(void) {
  clock_80mhz();
  tfg_reg_set(RCC_AHB2ENR, 1u << 1);   /* GPIOBEN */
  tfg_reg_set(RCC_APB2ENR, 1u << 14);  /* USART1EN; kernel clock PCLK2 (CCIPR reset value) */
  tfg_stm32_gpio_af(GPIOB, 6, 7);
  tfg_stm32_gpio_af(GPIOB, 7, 7);
  tfg_stm32_uart_init(TFG_CLOCK_HZ, 0);
  tfg_cycles_init();
}
