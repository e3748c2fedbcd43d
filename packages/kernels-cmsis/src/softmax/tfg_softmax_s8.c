/*
 * int8 softmax with TFLite's integer method: x - max(row) is scaled into Q5.26, exp() is evaluated in fixed
 * point (Taylor series on [-1/4, 0) and a barrel shifter of exp(-2^k) constants), the sum is accumulated in
 * Q12.19, and each exp is multiplied by the sum's reciprocal (Newton-Raphson). Output scale 1/256, zero point
 * -128.
 */
#include "../support/tfg_nn_support.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUM_INTEGER_BITS 12

static inline int32_t mul_fx(int32_t a, int32_t b) { return tfg_nn_doubling_high_mult(a, b); }

/* x * 2^exponent with saturation, for exponent in 1..30. */
static inline int32_t saturating_shift_left(int32_t x, int32_t exponent) {
  const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
  if (x > threshold) {
    return INT32_MAX;
  }
  if (x < -threshold) {
    return INT32_MIN;
  }
  return (int32_t)((uint32_t)x << exponent);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out: a 4th-order expansion around -1/8. */
static int32_t exp_quarter_interval(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;
  const int32_t one_third = 715827883;
  const int32_t x = a + (1 << 28);
  const int32_t x2 = mul_fx(x, x);
  const int32_t x3 = mul_fx(x2, x);
  const int32_t x4 = mul_fx(x2, x2);
  const int32_t x4_over_4 = tfg_nn_divide_by_power_of_two(x4, 2);
  const int32_t poly = tfg_nn_divide_by_power_of_two(mul_fx(x4_over_4 + x3, one_third) + x2, 1);
  return exp_minus_one_eighth + mul_fx(exp_minus_one_eighth, x + poly);
}

/* exp(a) for a <= 0 given in Q5.26; result Q0.31. */
static int32_t exp_on_negative_values(int32_t a) {
  /* exp(-2^k) in Q0.31 for k = -2 .. 4: applied for each set bit of the multiple of 1/4 split off below. */
  static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  const int32_t fractional_bits = 31 - SCALED_DIFF_INTEGER_BITS;
  const int32_t one_quarter = 1 << (fractional_bits - 2);
  const int32_t a_mod_quarter_minus_quarter = (a & (one_quarter - 1)) - one_quarter;
  int32_t result = exp_quarter_interval(saturating_shift_left(a_mod_quarter_minus_quarter, SCALED_DIFF_INTEGER_BITS));
  const int32_t remainder = a_mod_quarter_minus_quarter - a;
  for (int32_t k = 0; k < 7; k++) {
    const int32_t bit = fractional_bits - 2 + k;
    if (bit < 31 && (remainder & (int32_t)((uint32_t)1 << bit)) != 0) {
      result = mul_fx(result, barrel[k]);
    }
  }
  return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1) in Q0.31, by three Newton-Raphson steps in Q2.29. */
static int32_t one_over_one_plus_x(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_over_17 = 1515870810;
  const int32_t c_neg32_over_17 = -1010580540;
  const int32_t one_q2 = 1 << 29;
  int32_t x = c48_over_17 + mul_fx(half_denominator, c_neg32_over_17);
  for (int32_t i = 0; i < 3; i++) {
    const int32_t one_minus_dx = one_q2 - mul_fx(half_denominator, x);
    x = x + saturating_shift_left(mul_fx(x, one_minus_dx), 2);
  }
  return saturating_shift_left(x, 1);
}

static int32_t count_leading_zeros(uint32_t x) {
  int32_t n = 0;
  if (x == 0) {
    return 32;
  }
  while ((x & 0x80000000u) == 0) {
    x <<= 1;
    n++;
  }
  return n;
}

static inline int32_t scaled_diff(const tfg_softmax_params *p, int32_t diff) {
  return tfg_nn_doubling_high_mult((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
}

/* The int8 softmax with an int8 (out_bits 8: -128 + 256 steps) or int16 (16: -32768 + 65536 steps) output. */
static tfg_status softmax_rows(const tfg_softmax_params *params, int32_t num_rows, int32_t row_size,
                               const int8_t *input, int32_t out_bits, void *output) {
  if (num_rows < 0 || row_size < 1 || params->input_left_shift < 0 || params->input_left_shift > 31) {
    return TFG_ARG_ERROR;
  }
  const int32_t out_min = out_bits == 16 ? INT16_MIN : INT8_MIN;
  const int32_t out_max = out_bits == 16 ? INT16_MAX : INT8_MAX;
  for (int32_t r = 0; r < num_rows; r++) {
    const int8_t *in = input + r * row_size;
    int32_t max_value = INT8_MIN;
    for (int32_t i = 0; i < row_size; i++) {
      max_value = TFG_MAX(max_value, (int32_t)in[i]);
    }
    int32_t sum_of_exps = 0; /* Q12.19 */
    for (int32_t i = 0; i < row_size; i++) {
      const int32_t diff = in[i] - max_value;
      if (diff >= params->diff_min) {
        sum_of_exps += tfg_nn_divide_by_power_of_two(exp_on_negative_values(scaled_diff(params, diff)),
                                                     ACCUM_INTEGER_BITS);
      }
    }
    const int32_t headroom = count_leading_zeros((uint32_t)sum_of_exps);
    const int32_t bits_over_unit = ACCUM_INTEGER_BITS - headroom;
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)sum_of_exps << headroom) - ((uint32_t)1 << 31));
    const int32_t reciprocal = one_over_one_plus_x(shifted_sum_minus_one);
    for (int32_t i = 0; i < row_size; i++) {
      const int32_t diff = in[i] - max_value;
      int32_t v = out_min;
      if (diff >= params->diff_min) {
        const int32_t e = exp_on_negative_values(scaled_diff(params, diff));
        const int32_t unsat = tfg_nn_divide_by_power_of_two(mul_fx(reciprocal, e), bits_over_unit + 31 - out_bits);
        v = TFG_MIN(TFG_MAX(unsat + out_min, out_min), out_max);
      }
      if (out_bits == 16) {
        ((int16_t *)output)[r * row_size + i] = (int16_t)v;
      } else {
        ((int8_t *)output)[r * row_size + i] = (int8_t)v;
      }
    }
  }
  return TFG_OK;
}

tfg_status tfg_softmax_s8(const tfg_softmax_params *params, int32_t num_rows, int32_t row_size,
                          const int8_t *input, int8_t *output) {
  return softmax_rows(params, num_rows, row_size, input, 8, output);
}

tfg_status tfg_softmax_s8_s16(const tfg_softmax_params *params, int32_t num_rows, int32_t row_size,
                              const int8_t *input, int16_t *output) {
  return softmax_rows(params, num_rows, row_size, input, 16, output);
}
