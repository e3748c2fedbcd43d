/*
 * Convolutions streamed in place (src/conv/in-place.spec.ts): seeded convolutions (1x1, 3x3) and 3x3 depthwise
 * layers, each run twice — into a separate output buffer, and in place the way a generated model plans it (one
 * arena; the output starts `displacement` bytes below the input, the least the row-stream rule allows, plus a random
 * slack). Both runs must give the same bytes: one line per case with the hash and "=" when the in-place run matched
 * ("!" when not). The host (plain C) and Cortex-M (DSP path) runs must print the same lines. Quantization mixes the
 * one-SMLAL shifts with general ones (-1..1) and multiplier-0 channels; shapes give odd pixel and channel counts and
 * depths that are not a multiple of 4.
 */
#include <stdint.h>
#include <string.h>

#include "tfg_nn.h"
#include "tfg_selftest_harness.h"

#define MAX_ACT 6144
#define MAX_CH 48

static int8_t input[MAX_ACT], separate[MAX_ACT], weights[MAX_CH * MAX_CH * 9];
static int8_t arena[3 * MAX_ACT];
static int32_t bias[MAX_CH], multipliers[MAX_CH], shifts[MAX_CH], folded[MAX_CH];
static int32_t scratch[4096];

/* Unlike the harness's: one channel in 12 has multiplier 0 (its outputs are the output offset), one a general
   shift. */
static void fill_quant(int32_t channels) {
  for (int32_t c = 0; c < channels; c++) {
    const int32_t kind = tfg_test_rand(0, 11);
    bias[c] = tfg_test_rand(-30000, 30000);
    multipliers[c] = kind == 0 ? 0 : tfg_test_rand(1 << 30, 0x7FFFFFFF);
    shifts[c] = kind == 0 ? 0 : kind == 1 ? tfg_test_rand(-1, 1) : tfg_test_rand(-12, -5);
  }
}

/* The code generator's row-stream rule (codegen-c streamDisplacement): the least offset(input) - offset(output). */
static int32_t stream_displacement(int32_t in_rows, int32_t in_row_bytes, int32_t out_rows, int32_t out_row_bytes,
                                   int32_t stride, int32_t pad_top) {
  int32_t d = 0;
  for (int32_t y = 0; y < out_rows; y++) {
    int32_t first = (y - 1) * stride - pad_top;
    first = first < 0 ? 0 : first > in_rows ? in_rows : first;
    const int32_t need = (y + 1) * out_row_bytes - first * in_row_bytes;
    d = need > d ? need : d;
  }
  return d;
}

/* One layer: a convolution (conv) or, when depthwise is set, a depthwise convolution (dw). */
typedef struct {
  int depthwise;
  tfg_conv_params conv;
  tfg_dw_conv_params dw;
  tfg_dims in, f, out;
} layer_case;

static int32_t run_layer(const layer_case *c, const int8_t *in, int8_t *out) {
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  const int32_t *b = (c->depthwise ? c->dw.folded_bias : c->conv.folded_bias) ? folded : bias;
  const int32_t size = c->depthwise ? tfg_depthwise_conv_s8_get_buffer_size(&c->in, &c->f)
                                    : tfg_convolve_wrapper_s8_get_buffer_size(&c->conv, &c->in, &c->f);
  const tfg_context ctx = {scratch, size};
  if (size > (int32_t)sizeof(scratch)) return -9;
  return c->depthwise ? tfg_depthwise_conv_s8(&ctx, &c->dw, &q, &c->in, in, &c->f, weights, b, &c->out, out)
                      : tfg_convolve_wrapper_s8(&ctx, &c->conv, &q, &c->in, in, &c->f, weights, b, &c->out, out);
}

/* Run the layer apart and streamed in place; print the hash of the separate run and whether both agree. */
static void run_both(const char *kind, int32_t index, const layer_case *c) {
  const int32_t in_row = c->in.w * c->in.c, out_row = c->out.w * c->out.c;
  const int32_t stride = c->depthwise ? c->dw.stride.h : c->conv.stride.h;
  const int32_t pad = c->depthwise ? c->dw.padding.h : c->conv.padding.h;
  const int32_t displacement = stream_displacement(c->in.h, in_row, c->out.h, out_row, stride, pad);
  memset(separate, 0x55, sizeof(separate));
  const int32_t s1 = run_layer(c, input, separate);
  const int32_t slack = tfg_test_rand(0, 3) * 4;
  int8_t *out = arena + 4;
  int8_t *in = out + ((displacement + 3) & ~3) + slack;
  memcpy(in, input, (size_t)(c->in.h * in_row));
  const int32_t s2 = run_layer(c, in, out);
  const int32_t out_bytes = c->out.h * out_row;
  const int same = s1 == s2 && memcmp(separate, out, (size_t)out_bytes) == 0;
  tfg_test_print_case(kind, index, s1, tfg_test_hash(separate, out_bytes), same ? "=" : "!");
}

/* Either end at its int8 limit half the time each, so that both the clamp-free and the clamped paths run. */
static tfg_activation random_clamp(void) {
  const int32_t lo = tfg_test_rand(0, 1) == 0 ? -128 : tfg_test_rand(-128, 0);
  const tfg_activation a = {lo, tfg_test_rand(0, 1) == 0 ? 127 : tfg_test_rand(lo, 127)};
  return a;
}

static void pointwise(int32_t index, int32_t k) {
  layer_case c = {.depthwise = 0};
  const int32_t h = tfg_test_rand(1, 9), w = tfg_test_rand(1, 9);
  const int32_t cin = tfg_test_rand(1, 40), cout = tfg_test_rand(1, 40);
  const int32_t stride = tfg_test_rand(1, 2), pad = k == 1 ? 0 : k / 2;
  c.in = (tfg_dims){1, h, w, cin};
  c.f = (tfg_dims){cout, k, k, cin};
  c.out = (tfg_dims){1, (h + 2 * pad - k) / stride + 1, (w + 2 * pad - k) / stride + 1, cout};
  c.conv = (tfg_conv_params){tfg_test_rand(-127, 128), tfg_test_rand(-128, 127), {stride, stride}, {pad, pad}, {1, 1},
                             random_clamp(), index % 2};
  tfg_test_fill_s8(input, h * w * cin);
  tfg_test_fill_s8(weights, cout * k * k * cin);
  fill_quant(cout);
  tfg_test_fold_bias(bias, weights, cout, k * k * cin, 1, k * k * cin, c.conv.input_offset, folded);
  run_both(k == 1 ? "conv1x1" : "conv3x3", index, &c);
}

static void depthwise(int32_t index) {
  layer_case c = {.depthwise = 1};
  const int32_t h = tfg_test_rand(1, 12), w = tfg_test_rand(1, 12), ch = tfg_test_rand(1, 44);
  const int32_t stride = tfg_test_rand(1, 2), pad = tfg_test_rand(0, 1);
  if (h + 2 * pad < 3 || w + 2 * pad < 3) {
    tfg_test_print_case("dwconv", index, 0, 0, "=");
    return;
  }
  c.in = (tfg_dims){1, h, w, ch};
  c.f = (tfg_dims){1, 3, 3, ch};
  c.out = (tfg_dims){1, (h + 2 * pad - 3) / stride + 1, (w + 2 * pad - 3) / stride + 1, ch};
  c.dw = (tfg_dw_conv_params){tfg_test_rand(-127, 128), tfg_test_rand(-128, 127), 1, {stride, stride}, {pad, pad},
                              {1, 1}, random_clamp(), index % 2};
  tfg_test_fill_s8(input, h * w * ch);
  tfg_test_fill_s8(weights, 9 * ch);
  fill_quant(ch);
  tfg_test_fold_bias(bias, weights, ch, 1, ch, 9, c.dw.input_offset, folded);
  run_both("dwconv", index, &c);
}

/* K x 1 depthwise over a one-pixel-wide image (sww's layers), which the DSP path walks along its long axis. */
static void depthwise_long(int32_t index) {
  layer_case c = {.depthwise = 1};
  const int32_t taps[] = {3, 5, 10, 15};
  const int32_t k = tfg_test_pick(taps, 4), h = k + tfg_test_rand(0, 20), ch = tfg_test_rand(1, 44);
  c.in = (tfg_dims){1, h, 1, ch};
  c.f = (tfg_dims){1, k, 1, ch};
  c.out = (tfg_dims){1, h - k + 1, 1, ch};
  c.dw = (tfg_dw_conv_params){tfg_test_rand(-127, 128), tfg_test_rand(-128, 127), 1, {1, 1}, {0, 0},
                              {1, 1}, random_clamp(), 0};
  tfg_test_fill_s8(input, h * ch);
  tfg_test_fill_s8(weights, k * ch);
  fill_quant(ch);
  run_both("dwlong", index, &c);
}

int tfg_selftest_main(void) {
  tfg_test_seed(20261125u);
  for (int32_t i = 0; i < 40; i++) pointwise(i, 1);
  for (int32_t i = 0; i < 20; i++) pointwise(i, 3);
  for (int32_t i = 0; i < 40; i++) depthwise(i);
  for (int32_t i = 0; i < 20; i++) depthwise_long(i);
  tfg_test_print("done\n");
  return 0;
}
