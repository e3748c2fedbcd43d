/* The self-tests' shared harness (see tfg_selftest_harness.h). */
#include "tfg_selftest_harness.h"

static uint32_t rng_state;

void tfg_test_seed(uint32_t seed) { rng_state = seed; }

/* mulberry32 */
static uint32_t next_random(void) {
  uint32_t t = (rng_state += 0x6D2B79F5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return t ^ (t >> 14);
}

int32_t tfg_test_rand(int32_t lo, int32_t hi) {
  return lo + (int32_t)(next_random() % (uint32_t)(hi - lo + 1));
}

int32_t tfg_test_pick(const int32_t *values, int32_t count) { return values[tfg_test_rand(0, count - 1)]; }

void tfg_test_fill_s8(int8_t *p, int32_t n) {
  for (int32_t i = 0; i < n; i++) p[i] = (int8_t)tfg_test_rand(-128, 127);
}

void tfg_test_fill_quant(int32_t *bias, int32_t *multipliers, int32_t *shifts, int32_t channels, int32_t bias_limit,
                         int32_t longest_shift) {
  for (int32_t c = 0; c < channels; c++) {
    bias[c] = tfg_test_rand(-bias_limit, bias_limit);
    multipliers[c] = tfg_test_rand(1 << 30, 0x7FFFFFFF);
    shifts[c] = tfg_test_rand(0, 7) == 0 ? tfg_test_rand(-1, 1) : tfg_test_rand(longest_shift, -6);
  }
}

tfg_activation tfg_test_random_clamp(void) {
  if (tfg_test_rand(0, 1) == 0) {
    const tfg_activation full = {-128, 127};
    return full;
  }
  const int32_t lo = tfg_test_rand(-128, 20);
  const tfg_activation clamp = {lo, tfg_test_rand(lo, 127)};
  return clamp;
}

void tfg_test_fold_bias(const int32_t *bias, const int8_t *weights, int32_t channels, int32_t channel_step,
                        int32_t tap_step, int32_t taps, int32_t input_offset, int32_t *folded) {
  for (int32_t c = 0; c < channels; c++) {
    int32_t sum = 0;
    for (int32_t t = 0; t < taps; t++) sum += weights[c * channel_step + t * tap_step];
    folded[c] = (bias != 0 ? bias[c] : 0) + input_offset * sum;
  }
}

uint32_t tfg_test_hash(const int8_t *p, int32_t n) {
  uint32_t h = 2166136261u;
  for (int32_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

static char *put_text(char *p, const char *text) {
  while (*text != '\0') *p++ = *text++;
  return p;
}

void tfg_test_print_case(const char *kind, int32_t index, int32_t status, uint32_t hash, const char *note) {
  char line[96];
  const char hex[] = "0123456789abcdef";
  char *p = put_text(line, kind);
  *p++ = ' ';
  *p++ = (char)('0' + index / 100 % 10);
  *p++ = (char)('0' + index / 10 % 10);
  *p++ = (char)('0' + index % 10);
  p = put_text(p, status == 0 ? " o " : " E ");
  for (int32_t s = 28; s >= 0; s -= 4) *p++ = hex[(hash >> s) & 15u];
  if (note != 0) p = put_text(put_text(p, " "), note);
  p = put_text(p, "\n");
  *p = '\0';
  tfg_test_print(line);
}
