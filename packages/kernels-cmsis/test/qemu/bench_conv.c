/*
 * Instruction count of one convolution on emulated Cortex-M (run QEMU with -icount shift=0,align=off,sleep=off).
 * SysTick counts at SYSCLK (25 MHz on mps2) while QEMU advances 2^shift ns per instruction, so
 * instructions = ticks * (1e9 / 25e6) / 2^0 = 40 * ticks. Shape: KWS DS-CNN pointwise layer, 25x5x64 -> 64.
 */
#include <stdint.h>

#include "tfg_nn.h"

void tfg_test_print(const char *text);

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static int8_t input[25 * 5 * 64], output[25 * 5 * 64], weights[64 * 64];
static int32_t bias[64], multipliers[64], shifts[64], scratch[64 + 64 * 9 * 2 / 4 + 16];

static void print_u32(const char *label, uint32_t v) {
  char line[48];
  char digits[12];
  int32_t n = 0, p = 0;
  while (label[p] != '\0') {
    line[p] = label[p];
    p++;
  }
  do {
    digits[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u);
  while (n > 0) line[p++] = digits[--n];
  line[p++] = '\n';
  line[p] = '\0';
  tfg_test_print(line);
}

static uint32_t measure(const tfg_dims *f, int32_t pad) {
  const tfg_dims in = {1, 25, 5, 64}, out = {1, 25, 5, 64};
  const tfg_conv_params p = {128, -128, {1, 1}, {pad, pad}, {1, 1}, {-128, 127}};
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  const tfg_context ctx = {scratch, (int32_t)sizeof(scratch)};
  SYST_RVR = 0x00FFFFFFu;
  SYST_CVR = 0u;
  SYST_CSR = 5u; /* enable, processor clock */
  const uint32_t start = SYST_CVR;
  (void)tfg_convolve_wrapper_s8(&ctx, &p, &q, &in, input, f, weights, bias, &out, output);
  const uint32_t end = SYST_CVR;
  SYST_CSR = 0u;
  return ((start - end) & 0x00FFFFFFu) * 40u;
}

int tfg_selftest_main(void) {
  for (int32_t i = 0; i < 64 * 64; i++) weights[i] = (int8_t)((i * 37) % 255 - 127);
  for (int32_t i = 0; i < 25 * 5 * 64; i++) input[i] = (int8_t)((i * 11) % 255 - 127);
  for (int32_t c = 0; c < 64; c++) {
    multipliers[c] = 1500000000;
    shifts[c] = -9;
  }
  const tfg_dims f1 = {64, 1, 1, 64};
  print_u32("conv1x1 25x5x64->64 MACs ", 25u * 5u * 64u * 64u);
  print_u32("conv1x1 25x5x64->64 instructions ", measure(&f1, 0));
  return 0;
}
