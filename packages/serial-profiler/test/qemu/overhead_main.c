/*
 * QEMU test firmware: the profiler on a virtual board, with the board's own cycle counter (SysTick, which counts
 * instructions under -icount) and console UART. Calibrates, reports the full cost of a BEGIN/END pair as a text
 * line, then profiles three inferences of four layers whose work is known in proportion (1:2:3:4).
 */
#include "tfg_board.h"
#include "tfg_profile.h"

#define PAIRS 1000u

static volatile uint32_t sink;

static void work(uint32_t iterations) {
  for (uint32_t i = 0; i < iterations; i++) sink += i;
}

static void put_decimal(uint32_t v) {
  char digits[10];
  uint32_t n = 0;
  do {
    digits[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u);
  while (n > 0) tfg_console_putc((uint8_t)digits[--n]);
}

static const uint32_t shape[] = {1, 16};
static const tfg_profile_layer_t layers[4] = {
    {"work_1x", "Conv2D", 3, 1000u, shape, 2},
    {"work_2x", "DepthwiseConv2D", 4, 2000u, shape, 2},
    {"work_3x", "Conv2D", 3, 3000u, shape, 2},
    {"work_4x", "FullyConnected", 9, 4000u, shape, 2},
};

/* Ticks of PAIRS loop iterations, with or without an empty BEGIN/END pair in the body. */
static uint32_t time_pairs(int with_hooks) {
  const uint32_t start = tfg_cycles_read();
  for (uint32_t k = 0; k < PAIRS; k++) {
    if (with_hooks) {
      TFG_PROFILE_LAYER_BEGIN_(0);
      TFG_PROFILE_LAYER_END_(0);
    }
    __asm volatile("" ::: "memory");
  }
  return tfg_cycles_read() - start;
}

int main(void) {
  tfg_profile_init(layers, 4, TFG_PROFILE_COUNTER_SYSTICK, tfg_board_clock_hz);
  const uint32_t empty = time_pairs(0);
  const uint32_t hooked = time_pairs(1);
  tfg_console_puts("pair-ticks-x1000 ");
  put_decimal(hooked - empty);
  tfg_console_puts("\n");
  for (uint32_t run = 0; run < 3; run++) {
    tfg_profile_inference_begin();
    for (uint32_t i = 0; i < 4; i++) {
      TINYFORGE_LAYER_BEGIN(i);
      work(2000u * (i + 1u));
      TINYFORGE_LAYER_END(i);
    }
    tfg_profile_inference_end();
  }
  tfg_console_puts("done\n");
  return 0;
}
