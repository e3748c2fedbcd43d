/*
 * The int8 GEMM under convolution and fully connected layers. Plain C computes one dot product at a time; the
 * DSP path blocks 2 rows x 2 channels so each loaded word is sign-extended once and feeds two SMLADs.
 */
#include "tfg_nn_support.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

static inline int32_t ror8(int32_t v) {
  const uint32_t u = (uint32_t)v;
  return (int32_t)((u >> 8) | (u << 24));
}

/* Bytes 0,2 and bytes 1,3 of a word as two pairs of int16. Pairing is the same for both operands, so the
   SMLAD products match element for element. */
#define TFG_SPLIT(word, even, odd)                \
  do {                                            \
    (even) = __sxtb16(word);                      \
    (odd) = __sxtb16(ror8(word));                 \
  } while (0)

#define TFG_SMLAD(a, b, acc) __smlad((a), (b), (acc))
#endif

static int32_t dot_s8(const int8_t *x, const int8_t *w, int32_t depth) {
  int32_t acc = 0;
  int32_t k = 0;
#if defined(__ARM_FEATURE_DSP)
  for (; k + 4 <= depth; k += 4) {
    int32_t xe, xo, we, wo;
    TFG_SPLIT(tfg_nn_read_s8x4(x + k), xe, xo);
    TFG_SPLIT(tfg_nn_read_s8x4(w + k), we, wo);
    acc = TFG_SMLAD(xe, we, acc);
    acc = TFG_SMLAD(xo, wo, acc);
  }
#endif
  for (; k < depth; k++) {
    acc += (int32_t)x[k] * (int32_t)w[k];
  }
  return acc;
}

static inline void store(int8_t *out, int32_t acc, int32_t c, const tfg_nn_requant *q) {
  const int32_t qi = c * q->quant_stride;
  int32_t v = tfg_nn_requantize(acc + q->bias[c], q->multiplier[qi], q->shift[qi]);
  *out = tfg_nn_clamp_s8(v + q->output_offset, &q->activation);
}

static void gemm_row(const int8_t *x, const int8_t *rhs, int32_t c_begin, int32_t channels, int32_t depth,
                     const tfg_nn_requant *q, int8_t *out) {
  for (int32_t c = c_begin; c < channels; c++) {
    store(out + c, dot_s8(x, rhs + c * depth, depth), c, q);
  }
}

void tfg_nn_gemm_s8(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                    int32_t depth, const tfg_nn_requant *q, int8_t *out, int32_t out_stride) {
  int32_t r = 0;
#if defined(__ARM_FEATURE_DSP)
  for (; r + 2 <= rows; r += 2) {
    const int8_t *x0 = lhs + r * lhs_stride;
    const int8_t *x1 = x0 + lhs_stride;
    int8_t *out0 = out + r * out_stride;
    int8_t *out1 = out0 + out_stride;
    int32_t c = 0;
    for (; c + 2 <= channels; c += 2) {
      const int8_t *w0 = rhs + c * depth;
      const int8_t *w1 = w0 + depth;
      int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
      int32_t k = 0;
      for (; k + 4 <= depth; k += 4) {
        int32_t x0e, x0o, x1e, x1o, w0e, w0o, w1e, w1o;
        TFG_SPLIT(tfg_nn_read_s8x4(w0 + k), w0e, w0o);
        TFG_SPLIT(tfg_nn_read_s8x4(w1 + k), w1e, w1o);
        TFG_SPLIT(tfg_nn_read_s8x4(x0 + k), x0e, x0o);
        a00 = TFG_SMLAD(x0e, w0e, a00);
        a00 = TFG_SMLAD(x0o, w0o, a00);
        a01 = TFG_SMLAD(x0e, w1e, a01);
        a01 = TFG_SMLAD(x0o, w1o, a01);
        TFG_SPLIT(tfg_nn_read_s8x4(x1 + k), x1e, x1o);
        a10 = TFG_SMLAD(x1e, w0e, a10);
        a10 = TFG_SMLAD(x1o, w0o, a10);
        a11 = TFG_SMLAD(x1e, w1e, a11);
        a11 = TFG_SMLAD(x1o, w1o, a11);
      }
      for (; k < depth; k++) {
        const int32_t w0k = w0[k], w1k = w1[k];
        a00 += x0[k] * w0k;
        a01 += x0[k] * w1k;
        a10 += x1[k] * w0k;
        a11 += x1[k] * w1k;
      }
      store(out0 + c, a00, c, q);
      store(out0 + c + 1, a01, c + 1, q);
      store(out1 + c, a10, c, q);
      store(out1 + c + 1, a11, c + 1, q);
    }
    gemm_row(x0, rhs, c, channels, depth, q, out0);
    gemm_row(x1, rhs, c, channels, depth, q, out1);
  }
#endif
  for (; r < rows; r++) {
    gemm_row(lhs + r * lhs_stride, rhs, 0, channels, depth, q, out + r * out_stride);
  }
}

void tfg_nn_fold_input_offset(const int8_t *weights, int32_t channels, int32_t depth, const int32_t *bias,
                              int32_t input_offset, int32_t *folded) {
  for (int32_t c = 0; c < channels; c++) {
    int32_t sum = 0;
    const int8_t *w = weights + c * depth;
    for (int32_t k = 0; k < depth; k++) {
      sum += w[k];
    }
    folded[c] = (bias != 0 ? bias[c] : 0) + input_offset * sum;
  }
}
