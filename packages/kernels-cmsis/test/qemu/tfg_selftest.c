/*
 * Seeded random cases for the GEMM-based kernels (conv generic and 1x1, fully connected) and depthwise, one
 * FNV-1a hash of the output bytes per case. Built for the host (plain C) and for Cortex-M (DSP path): the two
 * runs must print identical lines. No malloc: buffers are static and sized for the largest case.
 */
#include <stdint.h>
#include <string.h>

#include "tfg_nn.h"

void tfg_test_print(const char *text); /* provided per platform */

#define MAX_ACT 4096
#define MAX_WEIGHTS 8192
#define MAX_CH 64
#define MAX_SCRATCH 8192

static int8_t input[MAX_ACT], output[MAX_ACT], weights[MAX_WEIGHTS];
static int32_t bias[MAX_CH], multipliers[MAX_CH], shifts[MAX_CH];
static int32_t scratch[MAX_SCRATCH / 4];

static uint32_t rng_state;

/* mulberry32, the PRNG the gold vectors use. */
static uint32_t next_random(void) {
  uint32_t t = (rng_state += 0x6D2B79F5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return t ^ (t >> 14);
}

static int32_t rand_range(int32_t lo, int32_t hi) { /* inclusive */
  return lo + (int32_t)(next_random() % (uint32_t)(hi - lo + 1));
}

static void fill_s8(int8_t *p, int32_t n) {
  for (int32_t i = 0; i < n; i++) p[i] = (int8_t)rand_range(-128, 127);
}

static void fill_quant(int32_t channels) {
  for (int32_t c = 0; c < channels; c++) {
    bias[c] = rand_range(-20000, 20000);
    multipliers[c] = rand_range(1 << 30, 0x7FFFFFFF);
    /* Mostly the usual right shifts; some channels take the general requantization (shift -1, 0, 1). */
    shifts[c] = rand_range(0, 7) == 0 ? rand_range(-1, 1) : rand_range(-12, -6);
  }
}

/* Output bounds: the full int8 range half the time, else a fused-ReLU-like [min, max] inside it. */
static tfg_activation random_clamp(void) {
  if (rand_range(0, 1) == 0) {
    const tfg_activation full = {-128, 127};
    return full;
  }
  const int32_t lo = rand_range(-128, 20);
  const tfg_activation clamp = {lo, rand_range(lo, 127)};
  return clamp;
}

static uint32_t fnv1a(const int8_t *p, int32_t n) {
  uint32_t h = 2166136261u;
  for (int32_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

static void print_result(const char *kind, int32_t index, int32_t status, uint32_t hash) {
  char line[64];
  char *p = line;
  const char hex[] = "0123456789abcdef";
  while (*kind != '\0') *p++ = *kind++;
  *p++ = ' ';
  *p++ = (char)('0' + index / 100 % 10);
  *p++ = (char)('0' + index / 10 % 10);
  *p++ = (char)('0' + index % 10);
  *p++ = ' ';
  *p++ = status == 0 ? 'o' : 'E';
  *p++ = ' ';
  for (int32_t s = 28; s >= 0; s -= 4) *p++ = hex[(hash >> s) & 15u];
  *p++ = '\n';
  *p = '\0';
  tfg_test_print(line);
}

static int32_t out_size(int32_t in, int32_t k, int32_t stride, int32_t dilation, int32_t pad_total) {
  return (in + pad_total - ((k - 1) * dilation + 1)) / stride + 1;
}

static void conv_case(int32_t index, int one_by_one) {
  const int32_t k = one_by_one ? 1 : rand_range(1, 3);
  const int32_t kw = one_by_one ? 1 : rand_range(1, 3);
  const int32_t stride = rand_range(1, 2), dilation = one_by_one ? 1 : rand_range(1, 2);
  const int32_t pad = one_by_one ? 0 : rand_range(0, 1);
  const tfg_dims in = {rand_range(1, 2), rand_range(3, 8), rand_range(3, 8), rand_range(1, 19)};
  const tfg_dims f = {rand_range(1, 17), k, kw, in.c};
  const tfg_dims out = {in.n, out_size(in.h, k, stride, dilation, 2 * pad), out_size(in.w, kw, stride, dilation, 2 * pad), f.n};
  const tfg_conv_params p = {rand_range(-127, 128), rand_range(-128, 127), {stride, stride}, {pad, pad},
                             {dilation, dilation}, random_clamp()};
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  fill_s8(input, in.n * in.h * in.w * in.c);
  fill_s8(weights, f.n * f.h * f.w * f.c);
  fill_quant(f.n);
  const tfg_context ctx = {scratch, tfg_convolve_wrapper_s8_get_buffer_size(&p, &in, &f)};
  const int32_t status = ctx.size > MAX_SCRATCH ? -9 : tfg_convolve_wrapper_s8(&ctx, &p, &q, &in, input, &f, weights, bias, &out, output);
  print_result(one_by_one ? "conv1x1" : "conv", index, status, fnv1a(output, out.n * out.h * out.w * out.c));
}

static void depthwise_case(int32_t index) {
  const int32_t k = rand_range(1, 3), stride = rand_range(1, 2), pad = rand_range(0, 2), mult = rand_range(1, 2);
  const int32_t dilation = rand_range(1, 2);
  const tfg_dims in = {1, rand_range(5, 8), rand_range(5, 8), rand_range(1, 12)};
  const tfg_dims f = {1, k, k, in.c * mult};
  const tfg_dims out = {1, out_size(in.h, k, stride, dilation, 2 * pad), out_size(in.w, k, stride, dilation, 2 * pad),
                        in.c * mult};
  const tfg_dw_conv_params p = {rand_range(-127, 128), rand_range(-128, 127), mult, {stride, stride}, {pad, pad},
                                {dilation, dilation}, random_clamp()};
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  fill_s8(input, in.h * in.w * in.c);
  fill_s8(weights, k * k * in.c * mult);
  fill_quant(in.c * mult);
  const tfg_context ctx = {scratch, MAX_SCRATCH};
  const int32_t status = tfg_depthwise_conv_s8(&ctx, &p, &q, &in, input, &f, weights, bias, &out, output);
  print_result("dwconv", index, status, fnv1a(output, out.h * out.w * out.c));
}

static void fc_case(int32_t index) {
  const int32_t batches = rand_range(1, 3), depth = rand_range(1, 200), channels = rand_range(1, 40);
  const tfg_dims in = {batches, 1, 1, depth}, f = {depth, 1, 1, channels}, out = {batches, 1, 1, channels};
  const tfg_fc_params p = {rand_range(-127, 128), 0, rand_range(-128, 127), {-128, 127}};
  fill_s8(input, batches * depth);
  fill_s8(weights, depth * channels);
  fill_quant(channels);
  const tfg_context ctx = {scratch, tfg_fully_connected_s8_get_buffer_size(&f)};
  int32_t status;
  if (index % 2 == 0) {
    const tfg_per_tensor_quant_params q = {multipliers[0], shifts[0]};
    status = tfg_fully_connected_s8(&ctx, &p, &q, &in, input, &f, weights, bias, &out, output);
  } else {
    const tfg_per_channel_quant_params q = {multipliers, shifts};
    status = tfg_fully_connected_per_channel_s8(&ctx, &p, &q, &in, input, &f, weights, bias, &out, output);
  }
  print_result("fc", index, status, fnv1a(output, batches * channels));
}

int tfg_selftest_main(void) {
  rng_state = 20261124u;
  for (int32_t i = 0; i < 40; i++) conv_case(i, 0);
  for (int32_t i = 0; i < 20; i++) conv_case(i, 1);
  for (int32_t i = 0; i < 40; i++) depthwise_case(i);
  for (int32_t i = 0; i < 30; i++) fc_case(i);
  tfg_test_print("done\n");
  return 0;
}
