/*
 * Internal helpers of the 16-bit and recurrent kernels: TFLite's 64-bit MultiplyByQuantizedMultiplier, its int16
 * sigmoid/tanh (an interpolated 256-entry table) and the int16 LUTLookup. Not part of the public API.
 */
#ifndef TFG_NN_S16_H
#define TFG_NN_S16_H

#include "tfg_nn_dsp.h"
#include "tfg_nn_support.h"

/* sigmoid(i / 24) in 0.16 fixed point, TFLite's sigmoid_table_uint16 (tfg_nn_s16.c). */
extern const uint16_t tfg_nn_sigmoid_table_u16[256];

static inline int16_t tfg_nn_sat16(int32_t v) { return (int16_t)TFG_MIN(TFG_MAX(v, -32768), 32767); }

/*
 * MultiplyByQuantizedMultiplier(int64_t x, int32_t m, int shift) of TFLite's 16x8 kernels: the multiplier rounded
 * to 16 bits, x times it plus half of 2^(15 - shift), arithmetic right shift, truncated to int32.
 */
static inline int32_t tfg_nn_requantize_s64(int64_t x, int32_t multiplier, int32_t shift) {
  const int64_t reduced = multiplier < 0x7fff0000 ? (multiplier + (1 << 15)) >> 16 : 0x7fff;
  const int32_t total_shift = 15 - shift;
  const int64_t round = (int64_t)1 << (total_shift - 1);
  return (int32_t)((x * reduced + round) >> total_shift);
}

/* The input step the int16 logistic and tanh share: multiplier 0 is the power-of-two path (3 << left_shift). */
static inline int32_t tfg_nn_activation_input_s16(int32_t v, int32_t multiplier, int32_t left_shift) {
  const int32_t m = multiplier == 0 ? 3 << left_shift : multiplier;
  const int32_t shift = multiplier == 0 ? 0 : left_shift;
  const int64_t round = shift > 0 ? (int64_t)1 << (shift - 1) : 0;
  /* Wrapped to int32 before the shift, as the reference's int32 arithmetic. */
  return (int32_t)(uint32_t)(uint64_t)((int64_t)v * m + round) >> shift;
}

/* reference_integer_ops::Logistic on one int16: Q0.15 in [0, 32767]. */
static inline int16_t tfg_nn_logistic_s16(int32_t v, int32_t multiplier, int32_t left_shift) {
  const int32_t x = tfg_nn_activation_input_s16(v, multiplier, left_shift);
  const uint32_t abs = (uint32_t)(x < 0 ? -x : x);
  const uint32_t uh = abs >> 9;
  uint32_t result;
  if (uh >= 255) {
    result = 0x7fffu << 10;
  } else {
    const uint32_t ua = tfg_nn_sigmoid_table_u16[uh];
    const uint32_t ub = tfg_nn_sigmoid_table_u16[uh + 1];
    result = ua * 512u + (abs & 0x1ffu) * (ub - ua);
  }
  result = x >= 0 ? result + (1u << 9) : (1u << 25) - result + (1u << 9) - 1u;
  return (int16_t)(result >> 10);
}

/* reference_integer_ops::Tanh on one int16: Q0.15. */
static inline int16_t tfg_nn_tanh_s16(int32_t v, int32_t multiplier, int32_t left_shift) {
  const int32_t x = tfg_nn_activation_input_s16(v, multiplier, left_shift);
  const uint32_t abs = (uint32_t)(x < 0 ? -x : x);
  const uint32_t uh = abs >> 8;
  int32_t result;
  if (uh >= 255) {
    result = (int32_t)(0xffffu << 8);
  } else {
    const int32_t ua = tfg_nn_sigmoid_table_u16[uh];
    const int32_t ub = tfg_nn_sigmoid_table_u16[uh + 1];
    result = ua * 256 + (int32_t)(abs & 0xffu) * (ub - ua);
  }
  result = x >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
  return (int16_t)(result >> 8);
}

/* TFLite's int16 LUTLookup over a 513-entry table: the upper 9 bits index, the lower 7 interpolate. */
static inline int16_t tfg_nn_lut_lookup_s16(int32_t value, const int16_t *lut) {
  const int32_t index = 256 + (value >> 7);
  const int32_t offset = value & 0x7f;
  const int32_t base = lut[index];
  const int32_t slope = (int16_t)(lut[index + 1] - base);
  const int32_t delta = (slope * offset + 64) >> 7;
  return (int16_t)(base + delta);
}

/* Read / write one element of 1, 2 or 4 bytes (int8, int16, int32). */
static inline int32_t tfg_nn_load_element(const void *p, int32_t bytes, int32_t i) {
  if (bytes == 1) return ((const int8_t *)p)[i];
  if (bytes == 2) return ((const int16_t *)p)[i];
  return ((const int32_t *)p)[i];
}

static inline void tfg_nn_store_element(void *p, int32_t bytes, int32_t i, int32_t v) {
  if (bytes == 1) ((int8_t *)p)[i] = (int8_t)v;
  else if (bytes == 2) ((int16_t *)p)[i] = (int16_t)v;
  else ((int32_t *)p)[i] = v;
}

/*
 * sum of x[i] * w[i] for i < n: int16 activations times int8 weights, exact in int64. DSP path: two int16 input
 * pairs and four weights (widened by SXTB16 in registers) per step, the inputs regrouped to match the weights'
 * (0, 2) and (1, 3) lanes, two SMLALD.
 */
static inline int64_t tfg_nn_dot_s16x8(const int16_t *x, const int8_t *w, int32_t n) {
  int64_t acc = 0;
  int32_t i = 0;
#if TFG_NN_HAS_DSP
  for (; i + 4 <= n; i += 4) {
    uint32_t x01, x23;
    memcpy(&x01, x + i, sizeof x01);
    memcpy(&x23, x + i + 2, sizeof x23);
    const int32_t w4 = tfg_nn_read_s8x4(w + i);
    const int32_t x02 = (int32_t)((x01 & 0xFFFFu) | (x23 << 16));
    const int32_t x13 = (int32_t)((x23 & 0xFFFF0000u) | (x01 >> 16));
    acc = __smlald(x02, tfg_sxtb16(w4), acc);
    acc = __smlald(x13, tfg_sxtb16_ror8(w4), acc);
  }
#endif
  for (; i < n; i++) {
    acc += (int32_t)x[i] * w[i];
  }
  return acc;
}

/* One 16x8 output: the accumulator plus the bias, rescaled and clamped. */
static inline int16_t tfg_nn_finish_s16(int64_t acc, const tfg_bias_s16 *bias, int32_t c, int32_t multiplier,
                                        int32_t shift, const tfg_activation *act) {
  int32_t v;
  if (bias != NULL && bias->b32 != NULL) {
    /* int32 bias: TFLite Micro's wrapping int32 accumulator and the int8 kernels' rescale. */
    const int32_t sum = (int32_t)((uint32_t)(uint64_t)acc + (uint32_t)bias->b32[c]);
    v = tfg_nn_requantize(sum, multiplier, shift);
  } else {
    v = tfg_nn_requantize_s64(acc + (bias != NULL && bias->b64 != NULL ? bias->b64[c] : 0), multiplier, shift);
  }
  return (int16_t)TFG_MIN(TFG_MAX(v, act->min), act->max);
}

#endif /* TFG_NN_S16_H */
