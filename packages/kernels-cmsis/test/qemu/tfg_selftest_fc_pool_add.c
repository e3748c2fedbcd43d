/*
 * Seeded edge cases for fully connected, max/average pooling and element-wise add: one FNV-1a hash of the output
 * bytes (and the status) per case. Built for the host (plain C) and for Cortex-M (DSP path, Helium on M55): the
 * runs must print identical lines. Sizes are chosen to hit the DSP paths' edges: depths around multiples of 8,
 * odd channel counts, weight rows that are not word aligned, no bias, offsets at both ends of their ranges,
 * shifts outside the one-SMLAL form, tails after 4-lane blocks.
 */
#include <stdint.h>
#include <string.h>

#include "tfg_nn.h"
#include "tfg_selftest_harness.h"

#define MAX_ACT 8192
#define MAX_WEIGHTS 24576
#define MAX_CH 160
#define MAX_SCRATCH 2048

static int8_t input[MAX_ACT], input2[MAX_ACT], output[MAX_ACT], weights[MAX_WEIGHTS + 4];
static int32_t bias[MAX_CH], multipliers[MAX_CH], shifts[MAX_CH], folded[MAX_CH];
static int32_t scratch[MAX_SCRATCH / 4];

/* An input offset (-zero point): often at the ends of [-127, 128]. */
static int32_t input_offset(void) {
  const int32_t ends[] = {-127, 128, 0};
  return tfg_test_rand(0, 1) == 0 ? tfg_test_pick(ends, 3) : tfg_test_rand(-127, 128);
}

static int32_t output_offset(void) {
  const int32_t ends[] = {-128, 127, 0};
  return tfg_test_rand(0, 1) == 0 ? tfg_test_pick(ends, 3) : tfg_test_rand(-128, 127);
}

/* Biases within +-40000, right shifts of 6 to 13 (with some general ones). */
static void fill_quant(int32_t channels) { tfg_test_fill_quant(bias, multipliers, shifts, channels, 40000, -13); }

static void fc_case(int32_t index) {
  const int32_t depths[] = {1, 3, 4, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 40, 127, 128, 136, 640};
  const int32_t depth = tfg_test_rand(0, 2) == 0 ? tfg_test_rand(1, 300) : tfg_test_pick(depths, 18);
  const int32_t channels = tfg_test_rand(0, 2) == 0 ? tfg_test_rand(1, 7) : tfg_test_rand(1, MAX_CH);
  const int32_t batches = tfg_test_rand(1, 4);
  const tfg_dims in = {batches, 1, 1, depth}, f = {depth, 1, 1, channels}, out = {batches, 1, 1, channels};
  /* A weight zero point occasionally (the direct path); weight rows off word alignment in a quarter of cases. */
  const int32_t filter_offset = tfg_test_rand(0, 9) == 0 ? tfg_test_rand(-127, 128) : 0;
  const tfg_fc_params p = {input_offset(), filter_offset, output_offset(), tfg_test_random_clamp(),
                           filter_offset == 0 && index % 3 == 1, filter_offset == 0 && depth % 4 == 0 && index % 5 == 2};
  int8_t *w = weights + (tfg_test_rand(0, 3) == 0 ? tfg_test_rand(1, 3) : 0);
  if (depth * channels > MAX_WEIGHTS || batches * depth > MAX_ACT || batches * channels > MAX_ACT) {
    tfg_test_print_case("fc-skip", index, 0, 0, 0);
    return;
  }
  tfg_test_fill_s8(input, batches * depth);
  tfg_test_fill_s8(w, depth * channels);
  fill_quant(channels);
  const int32_t *b = tfg_test_rand(0, 4) == 0 ? 0 : bias;
  if (p.folded_bias) {
    tfg_test_fold_bias(b, w, channels, depth, 1, depth, p.input_offset, folded);
    b = folded;
  }
  const tfg_context ctx = {scratch, tfg_fully_connected_s8_get_buffer_size(&f)};
  int32_t status;
  if (ctx.size > MAX_SCRATCH) {
    status = -9;
  } else if (index % 2 == 0) {
    const tfg_per_tensor_quant_params q = {multipliers[0], shifts[0]};
    status = tfg_fully_connected_s8(&ctx, &p, &q, &in, input, &f, w, b, &out, output);
  } else {
    const tfg_per_channel_quant_params q = {multipliers, shifts};
    status = tfg_fully_connected_per_channel_s8(&ctx, &p, &q, &in, input, &f, w, b, &out, output);
  }
  tfg_test_print_case("fc", index, status, tfg_test_hash(output, batches * channels), 0);
}

static int32_t out_size(int32_t in, int32_t k, int32_t stride, int32_t pad_total) {
  return (in + pad_total - k) / stride + 1;
}

static void pool_case(int32_t index, int average) {
  const int32_t kh = tfg_test_rand(1, 3), kw = tfg_test_rand(1, 3), stride = tfg_test_rand(1, 3);
  /* Padding 1 only where the filter spans 2+ taps, so that no window lies entirely in padding. */
  const int32_t padded = tfg_test_rand(0, 2) == 0;
  const int32_t pad_h = padded && kh > 1 ? 1 : 0, pad_w = padded && kw > 1 ? 1 : 0;
  const int32_t channels_list[] = {1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 32, 33};
  const tfg_dims in = {tfg_test_rand(1, 2), tfg_test_rand(kh, 9), tfg_test_rand(kw, 9),
                       tfg_test_pick(channels_list, 12)};
  const tfg_dims f = {1, kh, kw, 1};
  const tfg_dims out = {in.n, out_size(in.h, kh, stride, 2 * pad_h), out_size(in.w, kw, stride, 2 * pad_w), in.c};
  const tfg_pool_params p = {{stride, stride}, {pad_w, pad_h}, tfg_test_random_clamp()};
  tfg_test_fill_s8(input, in.n * in.h * in.w * in.c);
  const tfg_context ctx = {scratch, average ? tfg_avgpool_s8_get_buffer_size(&out) : 0};
  const int32_t status = average ? tfg_avgpool_s8(&ctx, &p, &in, input, &f, &out, output)
                                 : tfg_maxpool_s8(&ctx, &p, &in, input, &f, &out, output);
  const uint32_t hash = tfg_test_hash(output, out.n * out.h * out.w * out.c);
  tfg_test_print_case(average ? "avgpool" : "maxpool", index, status, hash, 0);
}

/* Global average pools at the int16-lane limit: 256 taps of -128 (the lane sum is exactly -32768), and 288 taps
   (past the limit: the plain loop). */
static void avgpool_edge_case(int32_t index, int32_t h, int32_t w, int32_t all_min) {
  const tfg_dims in = {1, h, w, 7}, f = {1, h, w, 1}, out = {1, 1, 1, 7};
  const tfg_pool_params p = {{w, h}, {0, 0}, {-128, 127}};
  if (all_min) {
    memset(input, 0x80, (size_t)(h * w * 7));
  } else {
    tfg_test_fill_s8(input, h * w * 7);
  }
  const tfg_context ctx = {scratch, tfg_avgpool_s8_get_buffer_size(&out)};
  const int32_t status = tfg_avgpool_s8(&ctx, &p, &in, input, &f, &out, output);
  tfg_test_print_case("avgpool-edge", index, status, tfg_test_hash(output, 7), 0);
}

static void add_case(int32_t index) {
  const int32_t channels_list[] = {1, 3, 4, 5, 8, 15, 16, 31, 64};
  const tfg_dims out = {tfg_test_rand(1, 2), tfg_test_rand(1, 6), tfg_test_rand(1, 6), tfg_test_pick(channels_list, 9)};
  /* Mostly same shapes (the common residual ADD); otherwise one side broadcast along a random set of axes. */
  tfg_dims a = out, b = out;
  if (tfg_test_rand(0, 2) == 0) {
    tfg_dims *bc = tfg_test_rand(0, 1) == 0 ? &a : &b;
    if (tfg_test_rand(0, 1) == 0) bc->n = 1;
    if (tfg_test_rand(0, 1) == 0) bc->h = 1;
    if (tfg_test_rand(0, 1) == 0) bc->w = 1;
    if (tfg_test_rand(0, 1) == 0) bc->c = 1;
  }
  const tfg_add_params p = {input_offset(),
                            tfg_test_rand(1 << 30, 0x7FFFFFFF),
                            tfg_test_rand(-3, 0),
                            input_offset(),
                            tfg_test_rand(1 << 30, 0x7FFFFFFF),
                            tfg_test_rand(-3, 0),
                            20,
                            output_offset(),
                            tfg_test_rand(1 << 30, 0x7FFFFFFF),
                            tfg_test_rand(-22, -16),
                            tfg_test_random_clamp()};
  tfg_test_fill_s8(input, a.n * a.h * a.w * a.c);
  tfg_test_fill_s8(input2, b.n * b.h * b.w * b.c);
  const int32_t status = tfg_elementwise_add_s8(&p, &a, input, &b, input2, &out, output);
  tfg_test_print_case("add", index, status, tfg_test_hash(output, out.n * out.h * out.w * out.c), 0);
}

int tfg_selftest_main(void) {
  tfg_test_seed(20261125u);
  for (int32_t i = 0; i < 80; i++) fc_case(i);
  for (int32_t i = 0; i < 40; i++) pool_case(i, 0);
  for (int32_t i = 0; i < 40; i++) pool_case(i, 1);
  avgpool_edge_case(0, 16, 16, 1);
  avgpool_edge_case(1, 18, 16, 0);
  for (int32_t i = 0; i < 40; i++) add_case(i);
  tfg_test_print("done\n");
  return 0;
}
