/* STM32F746G-DISCO (STM32F746NG): 216 MHz, console USART1 on PA9 (TX) / PB7 (RX), AF7, to the ST-LINK virtual COM port. */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define RCC_AHB1ENR 0x40023830u
#define RCC_APB2ENR 0x40023844u
#define GPIOA 0x40020000u
#define GPIOB 0x40020400u
#define APB2_HZ 108000000u

void tfg_stm32f7_clock_216mhz(void);
void tfg_stm32_uart_init(uint32_t kernel_clock_hz, int is_lpuart);

const uint32_t tfg_board_clock_hz = TFG_CLOCK_HZ;

void tfg_board_init(void) {
  tfg_stm32f7_clock_216mhz();
  tfg_reg_set(RCC_AHB1ENR, (1u << 0) | (1u << 1)); /* GPIOAEN, GPIOBEN */
  tfg_reg_set(RCC_APB2ENR, 1u << 4);               /* USART1EN */
  tfg_stm32_gpio_af(GPIOA, 9, 7);
  tfg_stm32_gpio_af(GPIOB, 7, 7);
  tfg_stm32_uart_init(APB2_HZ, 0);
  tfg_cycles_init();
}
