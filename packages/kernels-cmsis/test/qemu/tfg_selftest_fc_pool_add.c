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

void tfg_test_print(const char *text); /* provided per platform */

#define MAX_ACT 8192
#define MAX_WEIGHTS 24576
#define MAX_CH 160
#define MAX_SCRATCH 2048

static int8_t input[MAX_ACT], input2[MAX_ACT], output[MAX_ACT], weights[MAX_WEIGHTS + 4];
static int32_t bias[MAX_CH], multipliers[MAX_CH], shifts[MAX_CH];
static int32_t scratch[MAX_SCRATCH / 4];

static uint32_t rng_state;

/* mulberry32 */
static uint32_t next_random(void) {
  uint32_t t = (rng_state += 0x6D2B79F5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return t ^ (t >> 14);
}

static int32_t rand_range(int32_t lo, int32_t hi) { /* inclusive */
  return lo + (int32_t)(next_random() % (uint32_t)(hi - lo + 1));
}

static int32_t pick(const int32_t *values, int32_t count) { return values[rand_range(0, count - 1)]; }

static void fill_s8(int8_t *p, int32_t n) {
  for (int32_t i = 0; i < n; i++) p[i] = (int8_t)rand_range(-128, 127);
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

/* An input offset (-zero point): often at the ends of [-127, 128]. */
static int32_t input_offset(void) {
  const int32_t ends[] = {-127, 128, 0};
  return rand_range(0, 1) == 0 ? pick(ends, 3) : rand_range(-127, 128);
}

static int32_t output_offset(void) {
  const int32_t ends[] = {-128, 127, 0};
  return rand_range(0, 1) == 0 ? pick(ends, 3) : rand_range(-128, 127);
}

static void fill_quant(int32_t channels) {
  for (int32_t c = 0; c < channels; c++) {
    bias[c] = rand_range(-40000, 40000);
    multipliers[c] = rand_range(1 << 30, 0x7FFFFFFF);
    /* Mostly the usual right shifts; some channels take the general requantization (shift -1, 0, 1). */
    shifts[c] = rand_range(0, 7) == 0 ? rand_range(-1, 1) : rand_range(-13, -6);
  }
}

static void fc_case(int32_t index) {
  const int32_t depths[] = {1, 3, 4, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 40, 127, 128, 136, 640};
  const int32_t depth = rand_range(0, 2) == 0 ? rand_range(1, 300) : pick(depths, 18);
  const int32_t channels = rand_range(0, 2) == 0 ? rand_range(1, 7) : rand_range(1, MAX_CH);
  const int32_t batches = rand_range(1, 4);
  const tfg_dims in = {batches, 1, 1, depth}, f = {depth, 1, 1, channels}, out = {batches, 1, 1, channels};
  /* A weight zero point occasionally (the direct path); weight rows off word alignment in a quarter of cases. */
  const int32_t filter_offset = rand_range(0, 9) == 0 ? rand_range(-127, 128) : 0;
  const tfg_fc_params p = {input_offset(), filter_offset, output_offset(), random_clamp()};
  int8_t *w = weights + (rand_range(0, 3) == 0 ? rand_range(1, 3) : 0);
  if (depth * channels > MAX_WEIGHTS || batches * depth > MAX_ACT || batches * channels > MAX_ACT) {
    print_result("fc-skip", index, 0, 0);
    return;
  }
  fill_s8(input, batches * depth);
  fill_s8(w, depth * channels);
  fill_quant(channels);
  const int32_t *b = rand_range(0, 4) == 0 ? 0 : bias;
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
  print_result("fc", index, status, fnv1a(output, batches * channels));
}

static int32_t out_size(int32_t in, int32_t k, int32_t stride, int32_t pad_total) {
  return (in + pad_total - k) / stride + 1;
}

static void pool_case(int32_t index, int average) {
  const int32_t kh = rand_range(1, 3), kw = rand_range(1, 3), stride = rand_range(1, 3);
  /* Padding 1 only where the filter spans 2+ taps, so that no window lies entirely in padding. */
  const int32_t padded = rand_range(0, 2) == 0;
  const int32_t pad_h = padded && kh > 1 ? 1 : 0, pad_w = padded && kw > 1 ? 1 : 0;
  const int32_t channels_list[] = {1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 32, 33};
  const tfg_dims in = {rand_range(1, 2), rand_range(kh, 9), rand_range(kw, 9), pick(channels_list, 12)};
  const tfg_dims f = {1, kh, kw, 1};
  const tfg_dims out = {in.n, out_size(in.h, kh, stride, 2 * pad_h), out_size(in.w, kw, stride, 2 * pad_w), in.c};
  const tfg_pool_params p = {{stride, stride}, {pad_w, pad_h}, random_clamp()};
  fill_s8(input, in.n * in.h * in.w * in.c);
  const tfg_context ctx = {scratch, average ? tfg_avgpool_s8_get_buffer_size(&out) : 0};
  const int32_t status = average ? tfg_avgpool_s8(&ctx, &p, &in, input, &f, &out, output)
                                 : tfg_maxpool_s8(&ctx, &p, &in, input, &f, &out, output);
  print_result(average ? "avgpool" : "maxpool", index, status, fnv1a(output, out.n * out.h * out.w * out.c));
}

/* Global average pools at the int16-lane limit: 256 taps of -128 (the lane sum is exactly -32768), and 288 taps
   (past the limit: the plain loop). */
static void avgpool_edge_case(int32_t index, int32_t h, int32_t w, int32_t all_min) {
  const tfg_dims in = {1, h, w, 7}, f = {1, h, w, 1}, out = {1, 1, 1, 7};
  const tfg_pool_params p = {{w, h}, {0, 0}, {-128, 127}};
  if (all_min) {
    memset(input, 0x80, (size_t)(h * w * 7));
  } else {
    fill_s8(input, h * w * 7);
  }
  const tfg_context ctx = {scratch, tfg_avgpool_s8_get_buffer_size(&out)};
  const int32_t status = tfg_avgpool_s8(&ctx, &p, &in, input, &f, &out, output);
  print_result("avgpool-edge", index, status, fnv1a(output, 7));
}

static void add_case(int32_t index) {
  const int32_t channels_list[] = {1, 3, 4, 5, 8, 15, 16, 31, 64};
  const tfg_dims out = {rand_range(1, 2), rand_range(1, 6), rand_range(1, 6), pick(channels_list, 9)};
  /* Mostly same shapes (the common residual ADD); otherwise one side broadcast along a random set of axes. */
  tfg_dims a = out, b = out;
  if (rand_range(0, 2) == 0) {
    tfg_dims *bc = rand_range(0, 1) == 0 ? &a : &b;
    if (rand_range(0, 1) == 0) bc->n = 1;
    if (rand_range(0, 1) == 0) bc->h = 1;
    if (rand_range(0, 1) == 0) bc->w = 1;
    if (rand_range(0, 1) == 0) bc->c = 1;
  }
  const tfg_add_params p = {input_offset(),
                            rand_range(1 << 30, 0x7FFFFFFF),
                            rand_range(-3, 0),
                            input_offset(),
                            rand_range(1 << 30, 0x7FFFFFFF),
                            rand_range(-3, 0),
                            20,
                            output_offset(),
                            rand_range(1 << 30, 0x7FFFFFFF),
                            rand_range(-22, -16),
                            random_clamp()};
  fill_s8(input, a.n * a.h * a.w * a.c);
  fill_s8(input2, b.n * b.h * b.w * b.c);
  const int32_t status = tfg_elementwise_add_s8(&p, &a, input, &b, input2, &out, output);
  print_result("add", index, status, fnv1a(output, out.n * out.h * out.w * out.c));
}

int tfg_selftest_main(void) {
  rng_state = 20261125u;
  for (int32_t i = 0; i < 80; i++) fc_case(i);
  for (int32_t i = 0; i < 40; i++) pool_case(i, 0);
  for (int32_t i = 0; i < 40; i++) pool_case(i, 1);
  avgpool_edge_case(0, 16, 16, 1);
  avgpool_edge_case(1, 18, 16, 0);
  for (int32_t i = 0; i < 40; i++) add_case(i);
  tfg_test_print("done\n");
  return 0;
}
