/* NUCLEO-F746ZG (STM32F746ZG): 216 MHz, console USART3 on PD8 (TX) / PD9 (RX), AF7, to the ST-LINK virtual COM port. */
#include "tfg_board.h"
#include "tfg_mmio.h"

#define RCC_AHB1ENR 0x40023830u
#define RCC_APB1ENR 0x40023840u
#define GPIOD 0x40020C00u
#define APB1_HZ 54000000u

void tfg_stm32f7_clock_216mhz(void);
void tfg_stm32_uart_init(uint32_t kernel_clock_hz, int is_lpuart);

const uint32_t tfg_board_clock_hz = TFG_CLOCK_HZ;

void tfg_board_init(void) {
  tfg_stm32f7_clock_216mhz();
  tfg_reg_set(RCC_AHB1ENR, 1u << 3);  /* GPIODEN */
  tfg_reg_set(RCC_APB1ENR, 1u << 18); /* USART3EN */
  tfg_stm32_gpio_af(GPIOD, 8, 7);
  tfg_stm32_gpio_af(GPIOD, 9, 7);
  tfg_stm32_uart_init(APB1_HZ, 0);
  tfg_cycles_init();
}
