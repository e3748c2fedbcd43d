/*
 * Seeded random cases for the GEMM-based kernels (conv generic and 1x1, fully connected) and depthwise, one
 * FNV-1a hash of the output bytes per case. Built for the host (plain C) and for Cortex-M (DSP and Helium paths):
 * the runs must print identical lines. Odd-numbered cases pass the bias folded with the input offset (the form the
 * code generator emits for Helium), even ones the plain bias. No malloc: buffers are static and sized for the
 * largest case.
 */
#include <stdint.h>

#include "tfg_nn.h"
#include "tfg_selftest_harness.h"

#define MAX_ACT 4096
#define MAX_WEIGHTS 8192
#define MAX_CH 64
#define MAX_SCRATCH 8192

static int8_t input[MAX_ACT], output[MAX_ACT], weights[MAX_WEIGHTS];
static int32_t bias[MAX_CH], multipliers[MAX_CH], shifts[MAX_CH], folded[MAX_CH];
static int32_t scratch[MAX_SCRATCH / 4];

/* Biases within +-20000, right shifts of 6 to 12 (with some general ones). */
static void fill_quant(int32_t channels) { tfg_test_fill_quant(bias, multipliers, shifts, channels, 20000, -12); }

static int32_t out_size(int32_t in, int32_t k, int32_t stride, int32_t dilation, int32_t pad_total) {
  return (in + pad_total - ((k - 1) * dilation + 1)) / stride + 1;
}

static void conv_case(int32_t index, int one_by_one) {
  const int32_t k = one_by_one ? 1 : tfg_test_rand(1, 3);
  const int32_t kw = one_by_one ? 1 : tfg_test_rand(1, 3);
  const int32_t stride = tfg_test_rand(1, 2), dilation = one_by_one ? 1 : tfg_test_rand(1, 2);
  const int32_t pad = one_by_one ? 0 : tfg_test_rand(0, 1);
  const tfg_dims in = {tfg_test_rand(1, 2), tfg_test_rand(3, 8), tfg_test_rand(3, 8), tfg_test_rand(1, 19)};
  const tfg_dims f = {tfg_test_rand(1, 17), k, kw, in.c};
  const tfg_dims out = {in.n, out_size(in.h, k, stride, dilation, 2 * pad),
                        out_size(in.w, kw, stride, dilation, 2 * pad), f.n};
  const tfg_conv_params p = {tfg_test_rand(-127, 128), tfg_test_rand(-128, 127), {stride, stride}, {pad, pad},
                             {dilation, dilation}, tfg_test_random_clamp(), index % 2};
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  tfg_test_fill_s8(input, in.n * in.h * in.w * in.c);
  tfg_test_fill_s8(weights, f.n * f.h * f.w * f.c);
  fill_quant(f.n);
  const int32_t depth = f.h * f.w * f.c;
  tfg_test_fold_bias(bias, weights, f.n, depth, 1, depth, p.input_offset, folded);
  const tfg_context ctx = {scratch, tfg_convolve_wrapper_s8_get_buffer_size(&p, &in, &f)};
  const int32_t status = ctx.size > MAX_SCRATCH ? -9
                                                : tfg_convolve_wrapper_s8(&ctx, &p, &q, &in, input, &f, weights,
                                                                          p.folded_bias ? folded : bias, &out, output);
  const uint32_t hash = tfg_test_hash(output, out.n * out.h * out.w * out.c);
  tfg_test_print_case(one_by_one ? "conv1x1" : "conv", index, status, hash, 0);
}

static void depthwise_case(int32_t index) {
  const int32_t k = tfg_test_rand(1, 3), stride = tfg_test_rand(1, 2), pad = tfg_test_rand(0, 2);
  const int32_t mult = tfg_test_rand(1, 2), dilation = tfg_test_rand(1, 2);
  const tfg_dims in = {1, tfg_test_rand(5, 8), tfg_test_rand(5, 8), tfg_test_rand(1, 12)};
  const tfg_dims f = {1, k, k, in.c * mult};
  const tfg_dims out = {1, out_size(in.h, k, stride, dilation, 2 * pad), out_size(in.w, k, stride, dilation, 2 * pad),
                        in.c * mult};
  const tfg_dw_conv_params p = {tfg_test_rand(-127, 128), tfg_test_rand(-128, 127), mult, {stride, stride}, {pad, pad},
                                {dilation, dilation}, tfg_test_random_clamp(), index % 2};
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  tfg_test_fill_s8(input, in.h * in.w * in.c);
  tfg_test_fill_s8(weights, k * k * in.c * mult);
  fill_quant(in.c * mult);
  tfg_test_fold_bias(bias, weights, f.c, 1, f.c, k * k, p.input_offset, folded);
  const tfg_context ctx = {scratch, MAX_SCRATCH};
  const int32_t status =
      tfg_depthwise_conv_s8(&ctx, &p, &q, &in, input, &f, weights, p.folded_bias ? folded : bias, &out, output);
  tfg_test_print_case("dwconv", index, status, tfg_test_hash(output, out.h * out.w * out.c), 0);
}

/*
 * 3x3 depthwise layers the Helium 3x3 routine takes (channels a multiple of 8, folded bias, right shifts only; one
 * channel in 8 with multiplier 0), with padding so that border pixels go through the staged window; every fourth
 * case unfolded (the general path).
 */
static void dw3x3_case(int32_t index) {
  const int32_t channel_counts[] = {8, 16, 24, 32, 64};
  const int32_t stride = tfg_test_rand(1, 2), pad = tfg_test_rand(0, 1);
  const tfg_dims in = {1, tfg_test_rand(3, 9), tfg_test_rand(3, 9), tfg_test_pick(channel_counts, 5)};
  const tfg_dims f = {1, 3, 3, in.c};
  const tfg_dims out = {1, out_size(in.h, 3, stride, 1, 2 * pad), out_size(in.w, 3, stride, 1, 2 * pad), in.c};
  const tfg_dw_conv_params p = {tfg_test_rand(-127, 128), tfg_test_rand(-128, 127), 1,       {stride, stride},
                                {pad, pad},               {1, 1},                    tfg_test_random_clamp(), index % 4 != 0};
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  tfg_test_fill_s8(input, in.h * in.w * in.c);
  tfg_test_fill_s8(weights, 9 * in.c);
  for (int32_t c = 0; c < in.c; c++) {
    bias[c] = tfg_test_rand(-20000, 20000);
    multipliers[c] = tfg_test_rand(0, 7) == 0 ? 0 : tfg_test_rand(1 << 30, 0x7FFFFFFF);
    shifts[c] = tfg_test_rand(-12, -1);
  }
  tfg_test_fold_bias(bias, weights, in.c, 1, in.c, 9, p.input_offset, folded);
  const tfg_context ctx = {scratch, tfg_depthwise_conv_s8_get_buffer_size(&in, &f)};
  const int32_t status =
      tfg_depthwise_conv_s8(&ctx, &p, &q, &in, input, &f, weights, p.folded_bias ? folded : bias, &out, output);
  tfg_test_print_case("dw3x3", index, status, tfg_test_hash(output, out.h * out.w * out.c), 0);
}

/*
 * Layers the DSP plane path takes: runs of 8 or more outputs along W (wide), along H (tall) or a K x 1 filter over
 * a one-pixel-wide image, filters up to 5 x 5 (15 x 1), strides 1 and 2, plain biases, right shifts (one case in
 * four keeps a few shifts of -1..1, and one channel in 8 has multiplier 0); scratch exactly as asked for.
 */
static void dwplane_case(int32_t index) {
  const int32_t kind = index % 3, stride = tfg_test_rand(1, 2), ch = tfg_test_rand(1, 12);
  int32_t kh = tfg_test_rand(1, 5), kw = tfg_test_rand(1, 5), h, w, pad_h = tfg_test_rand(0, 2), pad_w;
  if (kind == 0) {
    h = tfg_test_rand(3, 6);
    w = tfg_test_rand(16, 30);
  } else if (kind == 1) {
    h = tfg_test_rand(16, 30);
    w = tfg_test_rand(3, 6);
  } else {
    h = tfg_test_rand(16, 30);
    w = 1;
    kw = 1;
    kh = tfg_test_rand(2, 15);
  }
  pad_w = kind == 2 ? 0 : tfg_test_rand(0, 2);
  h = h > kh ? h : kh;
  w = w > kw ? w : kw;
  const tfg_dims in = {1, h, w, ch};
  const tfg_dims f = {1, kh, kw, ch};
  const tfg_dims out = {1, out_size(h, kh, stride, 1, 2 * pad_h), out_size(w, kw, kind == 2 ? 1 : stride, 1, 2 * pad_w),
                        ch};
  const tfg_dw_conv_params p = {tfg_test_rand(-127, 128), tfg_test_rand(-128, 127), 1, {kind == 2 ? 1 : stride, stride},
                                {pad_w, pad_h}, {1, 1}, tfg_test_random_clamp(), 0};
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  tfg_test_fill_s8(input, h * w * ch);
  tfg_test_fill_s8(weights, kh * kw * ch);
  fill_quant(ch);
  for (int32_t c = 0; c < ch; c++) {
    if (index % 4 != 0) shifts[c] = tfg_test_rand(-12, -1);
    if (tfg_test_rand(0, 7) == 0) multipliers[c] = 0;
  }
  const tfg_context ctx = {scratch, tfg_depthwise_conv_s8_get_buffer_size(&in, &f)};
  const int32_t status =
      ctx.size > MAX_SCRATCH ? -9 : tfg_depthwise_conv_s8(&ctx, &p, &q, &in, input, &f, weights, bias, &out, output);
  tfg_test_print_case("dwplane", index, status, tfg_test_hash(output, out.h * out.w * out.c), 0);
}

static void fc_case(int32_t index) {
  const int32_t batches = tfg_test_rand(1, 3), depth = tfg_test_rand(1, 200), channels = tfg_test_rand(1, 40);
  const tfg_dims in = {batches, 1, 1, depth}, f = {depth, 1, 1, channels}, out = {batches, 1, 1, channels};
  /* A third of the cases with depth % 4 == 0 read their weights as interleaved rows (the DSP path's 4-row routine). */
  const tfg_fc_params p = {tfg_test_rand(-127, 128), 0, tfg_test_rand(-128, 127), {-128, 127}, index % 4 >= 2,
                           depth % 4 == 0 && index % 3 == 0};
  tfg_test_fill_s8(input, batches * depth);
  tfg_test_fill_s8(weights, depth * channels);
  fill_quant(channels);
  tfg_test_fold_bias(bias, weights, channels, depth, 1, depth, p.input_offset, folded);
  const int32_t *b = p.folded_bias ? folded : bias;
  const tfg_context ctx = {scratch, tfg_fully_connected_s8_get_buffer_size(&f)};
  int32_t status;
  if (index % 2 == 0) {
    const tfg_per_tensor_quant_params q = {multipliers[0], shifts[0]};
    status = tfg_fully_connected_s8(&ctx, &p, &q, &in, input, &f, weights, b, &out, output);
  } else {
    const tfg_per_channel_quant_params q = {multipliers, shifts};
    status = tfg_fully_connected_per_channel_s8(&ctx, &p, &q, &in, input, &f, weights, b, &out, output);
  }
  tfg_test_print_case("fc", index, status, tfg_test_hash(output, batches * channels), 0);
}

int tfg_selftest_main(void) {
  tfg_test_seed(20261124u);
  for (int32_t i = 0; i < 40; i++) conv_case(i, 0);
  for (int32_t i = 0; i < 20; i++) conv_case(i, 1);
  for (int32_t i = 0; i < 40; i++) depthwise_case(i);
  for (int32_t i = 0; i < 30; i++) fc_case(i);
  for (int32_t i = 0; i < 30; i++) dw3x3_case(i);
  for (int32_t i = 0; i < 36; i++) dwplane_case(i);
  tfg_test_print("done\n");
  return 0;
}
