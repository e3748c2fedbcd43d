/*
 * Internal helpers shared by the kernels: TFLite's fixed-point requantization and the int8 GEMM every
 * convolution and fully connected layer reduces to. Not part of the public API.
 */
#ifndef TFG_NN_SUPPORT_H
#define TFG_NN_SUPPORT_H

#include <stdint.h>
#include <string.h>

#include "tfg_nn.h"

#define TFG_MAX(a, b) ((a) > (b) ? (a) : (b))
#define TFG_MIN(a, b) ((a) < (b) ? (a) : (b))

/* High 32 bits of 2*a*b, rounded to nearest (ties away from zero), saturated for INT32_MIN * INT32_MIN. */
static inline int32_t tfg_nn_doubling_high_mult(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) {
    return INT32_MAX;
  }
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  /* C99 division truncates toward zero, which is what the rounding rule above is built for. */
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero. */
static inline int32_t tfg_nn_divide_by_power_of_two(int32_t x, int32_t exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* TFLite's MultiplyByQuantizedMultiplier (double rounding): x * multiplier * 2^shift. */
static inline int32_t tfg_nn_requantize(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left_shift = shift > 0 ? shift : 0;
  const int32_t right_shift = shift > 0 ? 0 : -shift;
  const int32_t scaled = (int32_t)((uint32_t)x << left_shift);
  return tfg_nn_divide_by_power_of_two(tfg_nn_doubling_high_mult(scaled, multiplier), right_shift);
}

static inline int8_t tfg_nn_clamp_s8(int32_t v, const tfg_activation *act) {
  return (int8_t)TFG_MIN(TFG_MAX(v, act->min), act->max);
}

/* Four int8 as one word (little-endian targets); memcpy compiles to a single LDR where unaligned access is
   allowed (Armv7-M and later), and stays correct C everywhere. */
static inline int32_t tfg_nn_read_s8x4(const int8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof(v));
  return v;
}

/* The requantization of one GEMM output: per-channel (stride 1) or per-tensor (stride 0) multipliers. */
typedef struct {
  const int32_t *bias;       /* bias + input_offset * sum(weights), one per channel */
  const int32_t *multiplier;
  const int32_t *shift;
  int32_t quant_stride;
  int32_t output_offset;
  tfg_activation activation;
} tfg_nn_requant;

/*
 * out[r * out_stride + c] = requant(bias[c] + sum_k lhs[r * lhs_stride + k] * rhs[c * depth + k]) for r < rows,
 * c < channels. The input offset is folded into bias by the caller (tfg_nn_fold_input_offset), so the inner loop
 * is a pure int8 dot product.
 */
void tfg_nn_gemm_s8(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                    int32_t depth, const tfg_nn_requant *requant, int8_t *out, int32_t out_stride);

/* folded[c] = (bias ? bias[c] : 0) + input_offset * sum_k weights[c * depth + k]. */
void tfg_nn_fold_input_offset(const int8_t *weights, int32_t channels, int32_t depth, const int32_t *bias,
                              int32_t input_offset, int32_t *folded);

/* Bytes rounded up to a multiple of 4 so that scratch regions after it stay word aligned. */
static inline int32_t tfg_nn_align4(int32_t bytes) { return (bytes + 3) & ~3; }

#endif /* TFG_NN_SUPPORT_H */
