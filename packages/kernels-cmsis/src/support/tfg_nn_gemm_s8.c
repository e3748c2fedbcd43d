/*
 * The int8 GEMM under fully connected layers and plain C convolutions: out = requant(bias + (x + input_offset) · w),
 * one dot product at a time. Helium has its own (tfg_nn_mve_s8.c), and so has the Armv7E-M / Armv8-M DSP path
 * (convolutions in tfg_nn_pair_gemm_s8.c, fully connected in its kernel).
 */
#include "tfg_nn_dsp.h"
#include "tfg_nn_support.h"

#if !TFG_NN_HAS_MVE
static int32_t dot_s8(const int8_t *x, const int8_t *w, int32_t depth, int32_t input_offset) {
  int32_t acc = 0;
  for (int32_t k = 0; k < depth; k++) {
    acc += ((int32_t)x[k] + input_offset) * (int32_t)w[k];
  }
  return acc;
}

int32_t tfg_nn_gemm_s8_packed_size(int32_t depth) {
  (void)depth;
  return 0;
}

/* A folded bias already holds the offset's share: the inputs then go in as they are. */
void tfg_nn_gemm_s8(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                    int32_t depth, const tfg_nn_requant *q, int8_t *out, int32_t out_stride, int16_t *packed) {
  (void)packed;
  const int32_t offset = q->folded ? 0 : q->input_offset;
  for (int32_t r = 0; r < rows; r++) {
    const int8_t *x = lhs + r * lhs_stride;
    for (int32_t c = 0; c < channels; c++) {
      out[r * out_stride + c] = tfg_nn_requant_store(dot_s8(x, rhs + c * depth, depth, offset), c, q);
    }
  }
}
#endif
