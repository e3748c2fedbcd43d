/* Register access for the register-level board support (no vendor headers). */
#ifndef TFG_MMIO_H
#define TFG_MMIO_H

#include <stdint.h>

#define TFG_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

static inline void tfg_reg_set(uintptr_t addr, uint32_t bits) { TFG_REG(addr) |= bits; }
static inline void tfg_reg_clear(uintptr_t addr, uint32_t bits) { TFG_REG(addr) &= ~bits; }
static inline void tfg_reg_field(uintptr_t addr, uint32_t mask, uint32_t value) {
  TFG_REG(addr) = (TFG_REG(addr) & ~mask) | (value & mask);
}
static inline void tfg_wait_set(uintptr_t addr, uint32_t bits) {
  while ((TFG_REG(addr) & bits) != bits) {
  }
}
static inline void tfg_wait_clear(uintptr_t addr, uint32_t bits) {
  while ((TFG_REG(addr) & bits) != 0) {
  }
}

/* STM32 GPIO: pin to alternate function `af` (MODER = 10, AFRL/AFRH). */
static inline void tfg_stm32_gpio_af(uintptr_t gpio, unsigned pin, unsigned af) {
  tfg_reg_field(gpio + 0x00, 3u << (pin * 2), 2u << (pin * 2));
  uintptr_t afr = gpio + (pin < 8 ? 0x20 : 0x24);
  unsigned shift = (pin % 8) * 4;
  tfg_reg_field(afr, 0xFu << shift, (uint32_t)af << shift);
}

#endif /* TFG_MMIO_H */
