/**
 * C source of the in-place self-test (src/conv/in-place.spec.ts): seeded convolutions (1x1, generic) and 3x3
 * depthwise layers, each run twice — into a separate output buffer, and streamed in place the way a generated
 * model plans it (one arena; the output starts `displacement` bytes below the input, the smallest the row-stream
 * rule allows, plus a random slack). Both runs must give the same bytes; one line per case with the hash and
 * whether the in-place run matched. The host (plain C) and Cortex-M (DSP path) runs must print the same lines.
 * Quantization mixes the one-SMLAL shifts with general ones (-1..1) and multiplier-0 channels; shapes give odd
 * pixel and channel counts and depths that are not a multiple of 4.
 * Kept as a string so that the kernel library's source walk (every .c under src/) never links it.
 */
export const IN_PLACE_SELFTEST_C = String.raw`
#include <stdint.h>
#include <string.h>

#include "tfg_nn.h"

void tfg_test_print(const char *text);

#define MAX_ACT 6144
#define MAX_CH 48

static int8_t input[MAX_ACT], separate[MAX_ACT], weights[MAX_CH * MAX_CH * 9];
static int8_t arena[3 * MAX_ACT];
static int32_t bias[MAX_CH], multipliers[MAX_CH], shifts[MAX_CH];
static int32_t scratch[4096];
static uint32_t rng_state;

static uint32_t next_random(void) {
  uint32_t t = (rng_state += 0x6D2B79F5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return t ^ (t >> 14);
}

static int32_t rand_range(int32_t lo, int32_t hi) { return lo + (int32_t)(next_random() % (uint32_t)(hi - lo + 1)); }

static void fill_s8(int8_t *p, int32_t n) {
  for (int32_t i = 0; i < n; i++) p[i] = (int8_t)rand_range(-128, 127);
}

static void fill_quant(int32_t channels) {
  for (int32_t c = 0; c < channels; c++) {
    const int32_t kind = rand_range(0, 11);
    bias[c] = rand_range(-30000, 30000);
    multipliers[c] = kind == 0 ? 0 : rand_range(1 << 30, 0x7FFFFFFF);
    shifts[c] = kind == 0 ? 0 : kind == 1 ? rand_range(-1, 1) : rand_range(-12, -5);
  }
}

static uint32_t fnv1a(const int8_t *p, int32_t n) {
  uint32_t h = 2166136261u;
  for (int32_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

static void print_case(const char *kind, int32_t index, int32_t status, uint32_t hash, int same) {
  char line[64];
  char *p = line;
  const char hex[] = "0123456789abcdef";
  while (*kind != '\0') *p++ = *kind++;
  *p++ = ' ';
  *p++ = (char)('0' + index / 10 % 10);
  *p++ = (char)('0' + index % 10);
  *p++ = ' ';
  *p++ = status == 0 ? 'o' : 'E';
  *p++ = ' ';
  for (int32_t s = 28; s >= 0; s -= 4) *p++ = hex[(hash >> s) & 15u];
  *p++ = ' ';
  *p++ = same ? '=' : '!';
  *p++ = '\n';
  *p = '\0';
  tfg_test_print(line);
}

/* The row-stream rule of the code generator (codegen-c streamDisplacement): the least offset(input) - offset(output). */
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

typedef int32_t (*layer_fn)(const int8_t *in, int8_t *out, void *params);

/* Run the layer apart and streamed in place; print the hash of the separate run and whether both agree. */
static void run_both(const char *kind, int32_t index, layer_fn fn, void *params, int32_t in_bytes, int32_t out_bytes,
                     int32_t displacement) {
  memset(separate, 0x55, sizeof(separate));
  const int32_t s1 = fn(input, separate, params);
  const int32_t slack = rand_range(0, 3) * 4;
  int8_t *out = arena + 4;
  int8_t *in = out + ((displacement + 3) & ~3) + slack;
  memcpy(in, input, (size_t)in_bytes);
  const int32_t s2 = fn(in, out, params);
  const int same = s1 == s2 && memcmp(separate, out, (size_t)out_bytes) == 0;
  print_case(kind, index, s1, fnv1a(separate, out_bytes), same);
}

typedef struct {
  tfg_conv_params p;
  tfg_dims in, f, out;
} conv_case;

static int32_t run_conv(const int8_t *in, int8_t *out, void *params) {
  conv_case *c = (conv_case *)params;
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  const tfg_context ctx = {scratch, tfg_convolve_wrapper_s8_get_buffer_size(&c->p, &c->in, &c->f)};
  if (ctx.size > (int32_t)sizeof(scratch)) return -9;
  return tfg_convolve_wrapper_s8(&ctx, &c->p, &q, &c->in, in, &c->f, weights, bias, &c->out, out);
}

typedef struct {
  tfg_dw_conv_params p;
  tfg_dims in, f, out;
} dw_case;

static int32_t run_dw(const int8_t *in, int8_t *out, void *params) {
  dw_case *c = (dw_case *)params;
  const tfg_per_channel_quant_params q = {multipliers, shifts};
  const tfg_context ctx = {scratch, tfg_depthwise_conv_s8_get_buffer_size(&c->in, &c->f)};
  if (ctx.size > (int32_t)sizeof(scratch)) return -9;
  return tfg_depthwise_conv_s8(&ctx, &c->p, &q, &c->in, in, &c->f, weights, bias, &c->out, out);
}

static tfg_activation random_clamp(void) {
  const int32_t lo = rand_range(0, 1) == 0 ? -128 : rand_range(-128, 0);
  const tfg_activation a = {lo, rand_range(0, 1) == 0 ? 127 : rand_range(lo, 127)};
  return a;
}

static void pointwise(int32_t index, int32_t k) {
  conv_case c;
  const int32_t h = rand_range(1, 9), w = rand_range(1, 9);
  const int32_t cin = rand_range(1, 40), cout = rand_range(1, 40);
  const int32_t stride = k == 1 ? rand_range(1, 2) : rand_range(1, 2), pad = k == 1 ? 0 : k / 2;
  c.in = (tfg_dims){1, h, w, cin};
  c.f = (tfg_dims){cout, k, k, cin};
  c.out = (tfg_dims){1, (h + 2 * pad - k) / stride + 1, (w + 2 * pad - k) / stride + 1, cout};
  c.p = (tfg_conv_params){rand_range(-127, 128), rand_range(-128, 127), {stride, stride}, {pad, pad}, {1, 1},
                          random_clamp()};
  fill_s8(input, h * w * cin);
  fill_s8(weights, cout * k * k * cin);
  fill_quant(cout);
  const int32_t d = stream_displacement(h, w * cin, c.out.h, c.out.w * cout, stride, pad);
  run_both(k == 1 ? "conv1x1" : "conv3x3", index, run_conv, &c, h * w * cin, c.out.h * c.out.w * cout, d);
}

static void depthwise(int32_t index) {
  dw_case c;
  const int32_t h = rand_range(1, 12), w = rand_range(1, 12), ch = rand_range(1, 44);
  const int32_t stride = rand_range(1, 2), pad = rand_range(0, 1);
  if (h + 2 * pad < 3 || w + 2 * pad < 3) {
    print_case("dwconv", index, 0, 0, 1);
    return;
  }
  c.in = (tfg_dims){1, h, w, ch};
  c.f = (tfg_dims){1, 3, 3, ch};
  c.out = (tfg_dims){1, (h + 2 * pad - 3) / stride + 1, (w + 2 * pad - 3) / stride + 1, ch};
  c.p = (tfg_dw_conv_params){rand_range(-127, 128), rand_range(-128, 127), 1, {stride, stride}, {pad, pad}, {1, 1},
                             random_clamp()};
  fill_s8(input, h * w * ch);
  fill_s8(weights, 9 * ch);
  fill_quant(ch);
  const int32_t d = stream_displacement(h, w * ch, c.out.h, c.out.w * ch, stride, pad);
  run_both("dwconv", index, run_dw, &c, h * w * ch, c.out.h * c.out.w * ch, d);
}

int tfg_selftest_main(void) {
  rng_state = 20261125u;
  for (int32_t i = 0; i < 40; i++) pointwise(i, 1);
  for (int32_t i = 0; i < 20; i++) pointwise(i, 3);
  for (int32_t i = 0; i < 40; i++) depthwise(i);
  tfg_test_print("done\n");
  return 0;
}
`;
