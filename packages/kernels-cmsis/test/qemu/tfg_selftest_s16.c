/*
 * Seeded edge cases of the 16x8 kernels whose DSP path multiplies int16 pairs (convolution, depthwise, fully
 * connected), of the 16x8 LSTM and of both transposed convolutions, which use the same dot product, and of the
 * grouped int8 convolution (each group through the int8 convolution's DSP or Helium GEMM): one FNV-1a hash of the
 * output bytes per case.
 * Built for the host (plain C) and for Cortex-M (the DSP path): the runs must print identical lines. Sizes hit
 * the paths' edges: channel counts around multiples of 4, odd group widths (input pairs off word alignment),
 * inputs at the ends of the int16 range, int64 and int32 biases, depthwise windows past the int32 accumulator's
 * 511 taps, shifts from -6 to -20.
 */
#include <stdint.h>
#include <string.h>

#include "tfg_nn.h"
#include "tfg_selftest_harness.h"

#define MAX_ACT 6144
#define MAX_WEIGHTS 16384
#define MAX_CH 64

static int16_t input[MAX_ACT], output[MAX_ACT];
static int8_t weights[MAX_WEIGHTS];
static int64_t bias64[MAX_CH];
static int32_t bias32[MAX_CH], multipliers[MAX_CH], shifts[MAX_CH];
static int16_t scratch16[4096];

/* int16 inputs: uniform, or at the ends of the range a quarter of the time. */
static void fill_s16(int16_t *p, int32_t n) {
  const int32_t ends[] = {-32768, 32767, 0, -32767};
  for (int32_t i = 0; i < n; i++) {
    p[i] = (int16_t)(tfg_test_rand(0, 3) == 0 ? tfg_test_pick(ends, 4) : tfg_test_rand(-32768, 32767));
  }
}

static void fill_quant16(int32_t channels) {
  for (int32_t c = 0; c < channels; c++) {
    bias64[c] = (int64_t)tfg_test_rand(-2000000, 2000000) * tfg_test_rand(1, 4096);
    bias32[c] = tfg_test_rand(-2000000, 2000000);
    multipliers[c] = tfg_test_rand(1 << 30, 0x7FFFFFFF);
    shifts[c] = tfg_test_rand(-20, -6);
  }
}

static tfg_activation clamp16(void) {
  if (tfg_test_rand(0, 1) == 0) {
    const tfg_activation full = {-32768, 32767};
    return full;
  }
  const int32_t lo = tfg_test_rand(-32768, 1000);
  const tfg_activation clamp = {lo, tfg_test_rand(lo, 32767)};
  return clamp;
}

static tfg_bias_s16 random_bias(int int32_allowed) {
  const int32_t kind = tfg_test_rand(0, int32_allowed ? 3 : 2);
  tfg_bias_s16 b = {0, 0};
  if (kind == 1 || kind == 2) b.b64 = bias64;
  if (kind == 3) b.b32 = bias32;
  return b;
}

static uint32_t hash16(const int16_t *p, int32_t n) { return tfg_test_hash((const int8_t *)(const void *)p, 2 * n); }

static void conv_case(int32_t index) {
  const int32_t widths[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 31, 32};
  const int32_t filter_c = tfg_test_pick(widths, 13);
  const int32_t groups = tfg_test_rand(0, 4) == 0 ? tfg_test_rand(2, 3) : 1;
  const int32_t out_c = groups * tfg_test_rand(1, 8);
  const int32_t kh = tfg_test_rand(1, 3), kw = tfg_test_rand(1, 3);
  const tfg_dims in = {1, tfg_test_rand(kh, 7), tfg_test_rand(kw, 7), filter_c * groups};
  const tfg_dims f = {out_c, kh, kw, filter_c};
  const tfg_conv_params p = {0, 0, {tfg_test_rand(1, 2), tfg_test_rand(1, 2)}, {0, 0}, {1, 1}, clamp16(), 0};
  const tfg_dims o = {1, (in.h - kh) / p.stride.h + 1, (in.w - kw) / p.stride.w + 1, out_c};
  if (in.h * in.w * in.c > MAX_ACT || o.h * o.w * o.c > MAX_ACT || out_c * kh * kw * filter_c > MAX_WEIGHTS) {
    tfg_test_print_case("conv16-skip", index, 0, 0, 0);
    return;
  }
  fill_s16(input, in.h * in.w * in.c);
  tfg_test_fill_s8(weights, out_c * kh * kw * filter_c);
  fill_quant16(out_c);
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  const tfg_bias_s16 b = random_bias(1);
  /* With a receptive field in scratch (the generated code's way), or tap by tap without: the same bytes. */
  const tfg_context with = {scratch16, (int32_t)sizeof scratch16}, without = {0, 0};
  const tfg_status s = tfg_convolve_s16(index % 3 == 0 ? &without : &with, &p, &q, &in, input, &f, weights, &b, &o, output);
  tfg_test_print_case("conv16", index, s, hash16(output, o.h * o.w * o.c), 0);
}

static void depthwise_case(int32_t index) {
  const int32_t channels[] = {1, 3, 4, 5, 7, 8, 9, 12, 16, 17};
  const int32_t c = tfg_test_pick(channels, 10);
  const int32_t m = tfg_test_rand(0, 3) == 0 ? 2 : 1;
  /* One case in 8 a window of more than 511 taps: the DSP path's int32 lanes give way to the int64 loop. */
  const int big = tfg_test_rand(0, 7) == 0;
  const int32_t kh = big ? 24 : tfg_test_rand(1, 5), kw = big ? 24 : tfg_test_rand(1, 5);
  const tfg_dims in = {1, tfg_test_rand(kh, kh + 4), tfg_test_rand(kw, kw + 4), c};
  const tfg_dims f = {1, kh, kw, c * m};
  const tfg_dw_conv_params p = {0, 0, m, {1, 1}, {tfg_test_rand(0, 1), tfg_test_rand(0, 1)}, {1, 1}, clamp16(), 0};
  const tfg_dims o = {1, in.h - kh + 1 + 2 * p.padding.h, in.w - kw + 1 + 2 * p.padding.w, c * m};
  if (in.h * in.w * in.c > MAX_ACT || o.h * o.w * o.c > MAX_ACT || kh * kw * c * m > MAX_WEIGHTS) {
    tfg_test_print_case("dw16-skip", index, 0, 0, 0);
    return;
  }
  fill_s16(input, in.h * in.w * in.c);
  tfg_test_fill_s8(weights, kh * kw * c * m);
  fill_quant16(c * m);
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  const tfg_status s = tfg_depthwise_conv_s16(&p, &q, &in, input, &f, weights, tfg_test_rand(0, 3) == 0 ? 0 : bias64,
                                              &o, output);
  tfg_test_print_case(big ? "dw16-big" : "dw16", index, s, hash16(output, o.h * o.w * o.c), 0);
}

static void fc_case(int32_t index) {
  const int32_t depths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 250, 640};
  const int32_t depth = tfg_test_pick(depths, 16);
  const int32_t out = tfg_test_rand(1, 20), batches = tfg_test_rand(1, 3);
  if (depth * out > MAX_WEIGHTS || depth * batches > MAX_ACT) {
    tfg_test_print_case("fc16-skip", index, 0, 0, 0);
    return;
  }
  /* Input rows off word alignment a quarter of the time. */
  int16_t *x = input + (tfg_test_rand(0, 3) == 0 ? 1 : 0);
  fill_s16(x, depth * batches);
  tfg_test_fill_s8(weights, depth * out);
  fill_quant16(out);
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  const tfg_activation act = clamp16();
  const tfg_bias_s16 b = random_bias(1);
  const tfg_status s = tfg_fully_connected_s16(&q, &act, batches, depth, out, x, weights, &b, output);
  tfg_test_print_case("fc16", index, s, hash16(output, batches * out), 0);
}

/* A 16x8 LSTM step sequence with random parameters: the gates' int16 dot products take the DSP path. */
static void lstm_case(int32_t index) {
  const int32_t units = tfg_test_rand(1, 12), features = tfg_test_rand(1, 20), time = tfg_test_rand(1, 4);
  const int32_t batch = tfg_test_rand(1, 2);
  tfg_lstm_params p;
  const tfg_sequence_dims d = {tfg_test_rand(0, 1), time, batch, features, units};
  p.dims = d;
  p.activation_bytes = 2;
  int8_t *w = weights;
  for (int32_t g = 0; g < 4; g++) {
    const tfg_gate_fc in_fc = {w, 0, bias64 + 4 * g, 0, tfg_test_rand(1 << 30, 0x7FFFFFFF), tfg_test_rand(-12, -4)};
    w += units * features;
    const tfg_gate_fc rec_fc = {w, 0, 0, 0, tfg_test_rand(1 << 30, 0x7FFFFFFF), tfg_test_rand(-12, -4)};
    w += units * units;
    p.input_fc[g] = in_fc;
    p.recurrent_fc[g] = rec_fc;
  }
  const tfg_gate_mul fc = {tfg_test_rand(1 << 30, 0x7FFFFFFF), -15, 0, -32768, 32767};
  const tfg_gate_mul ic = {tfg_test_rand(1 << 30, 0x7FFFFFFF), -19, 0, -32768, 32767};
  const tfg_gate_mul hid = {tfg_test_rand(1 << 30, 0x7FFFFFFF), -15, 0, -32768, 32767};
  p.forget_times_cell = fc;
  p.input_times_cell_gate = ic;
  p.hidden = hid;
  p.cell_clip = tfg_test_rand(0, 1) == 0 ? 0 : tfg_test_rand(1000, 30000);
  p.cell_tanh_multiplier = 0;
  p.cell_tanh_shift = 1;
  for (int32_t k = 0; k < 16; k++) bias64[k] = tfg_test_rand(-100000, 100000);
  const int32_t n_in = time * batch * features, n_out = time * batch * units;
  tfg_test_fill_s8(weights, (int32_t)(w - weights));
  fill_s16(input, n_in);
  static int16_t hidden[64], cell[64];
  fill_s16(hidden, batch * units);
  fill_s16(cell, batch * units);
  const tfg_context ctx = {scratch16, (int32_t)sizeof scratch16};
  const tfg_status s = tfg_lstm_s8(&ctx, &p, input, hidden, cell, output);
  const uint32_t h = hash16(output, n_out) ^ (hash16(cell, batch * units) * 3u);
  tfg_test_print_case("lstm16", index, s, h, 0);
}

/*
 * TRANSPOSE_CONV, int8 (taps widened into scratch) and 16x8 (taps straight from the input): strides 1-3, pads before
 * 0-2, channel counts around multiples of 4, so the dot products take the DSP path's 4-wide steps and their tails.
 */
static void transpose_conv_case(int32_t index) {
  const int32_t widths[] = {1, 3, 4, 5, 8, 9, 16, 17, 32};
  const int32_t c = tfg_test_pick(widths, 9), out_c = tfg_test_rand(1, 12);
  const int32_t kh = tfg_test_rand(1, 4), kw = tfg_test_rand(1, 4);
  const tfg_dims in = {1, tfg_test_rand(1, 6), tfg_test_rand(1, 6), c};
  const tfg_dims f = {out_c, kh, kw, c};
  const int s8 = index % 2 == 0;
  tfg_conv_params p = {0, 0, {tfg_test_rand(1, 3), tfg_test_rand(1, 3)}, {0, 0}, {1, 1}, clamp16(), 0};
  p.padding.h = tfg_test_rand(0, kh - 1);
  p.padding.w = tfg_test_rand(0, kw - 1);
  const tfg_dims o = {1, (in.h - 1) * p.stride.h + kh - p.padding.h, (in.w - 1) * p.stride.w + kw - p.padding.w, out_c};
  if (in.h * in.w * in.c > MAX_ACT || o.h * o.w * o.c > MAX_ACT || out_c * kh * kw * c > MAX_WEIGHTS) {
    tfg_test_print_case("tconv-skip", index, 0, 0, 0);
    return;
  }
  tfg_test_fill_s8(weights, out_c * kh * kw * c);
  fill_quant16(out_c);
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  tfg_status s;
  if (s8) {
    int8_t *x = (int8_t *)(void *)input;
    tfg_test_fill_s8(x, in.h * in.w * in.c);
    p.input_offset = tfg_test_rand(-127, 128);
    p.output_offset = tfg_test_rand(-128, 127);
    p.activation = tfg_test_random_clamp();
    for (int32_t k = 0; k < out_c; k++) bias32[k] = tfg_test_rand(-100000, 100000);
    const tfg_context ctx = {scratch16, (int32_t)sizeof scratch16};
    s = tfg_transpose_conv_s8(&ctx, &p, &q, &in, x, &f, weights, bias32, &o, (int8_t *)(void *)output);
    tfg_test_print_case("tconv8", index, s, tfg_test_hash((const int8_t *)(const void *)output, o.h * o.w * o.c), 0);
    return;
  }
  fill_s16(input, in.h * in.w * in.c);
  s = tfg_transpose_conv_s16(&p, &q, &in, input, &f, weights, tfg_test_rand(0, 3) == 0 ? 0 : bias64, &o, output);
  tfg_test_print_case("tconv16", index, s, hash16(output, o.h * o.w * o.c), 0);
}

/* Grouped int8 convolution: 2-5 groups of odd and even widths, padding and strides; slabs and GEMM scratch. */
static void grouped_case(int32_t index) {
  const int32_t widths[] = {1, 2, 3, 4, 5, 7, 8, 9};
  const int32_t groups = tfg_test_rand(2, 5), filter_c = tfg_test_pick(widths, 8), out_c = groups * tfg_test_rand(1, 4);
  const int32_t kh = tfg_test_rand(1, 3), kw = tfg_test_rand(1, 3);
  const tfg_dims in = {1, tfg_test_rand(kh, 7), tfg_test_rand(kw, 7), filter_c * groups};
  const tfg_dims f = {out_c, kh, kw, filter_c};
  tfg_conv_params p = {tfg_test_rand(-127, 128), tfg_test_rand(-128, 127), {tfg_test_rand(1, 2), tfg_test_rand(1, 2)},
                       {tfg_test_rand(0, 1), tfg_test_rand(0, 1)}, {1, 1}, tfg_test_random_clamp(), 0};
  const tfg_dims o = {1, (in.h + 2 * p.padding.h - kh) / p.stride.h + 1, (in.w + 2 * p.padding.w - kw) / p.stride.w + 1, out_c};
  int8_t *x = (int8_t *)(void *)input;
  tfg_test_fill_s8(x, in.h * in.w * in.c);
  tfg_test_fill_s8(weights, out_c * kh * kw * filter_c);
  fill_quant16(out_c);
  for (int32_t k = 0; k < out_c; k++) bias32[k] = tfg_test_rand(-100000, 100000);
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  const tfg_context ctx = {scratch16, (int32_t)sizeof scratch16};
  const tfg_status s = tfg_convolve_grouped_s8(&ctx, &p, &q, &in, x, &f, weights, bias32, &o, (int8_t *)(void *)output);
  tfg_test_print_case("grouped8", index, s, tfg_test_hash((const int8_t *)(void *)output, o.h * o.w * o.c), 0);
}

int tfg_selftest_main(void) {
  tfg_test_seed(0x1916u);
  for (int32_t i = 0; i < 60; i++) conv_case(i);
  for (int32_t i = 0; i < 60; i++) depthwise_case(i);
  for (int32_t i = 0; i < 60; i++) fc_case(i);
  for (int32_t i = 0; i < 30; i++) lstm_case(i);
  for (int32_t i = 0; i < 40; i++) transpose_conv_case(i);
  for (int32_t i = 0; i < 30; i++) grouped_case(i);
  tfg_test_print("done\n");
  return 0;
}
