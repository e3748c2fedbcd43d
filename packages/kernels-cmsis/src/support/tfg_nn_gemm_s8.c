/*
 * The int8 GEMM under fully connected layers (and convolutions on the plain C and Helium paths):
 * out = requant(bias + (x + input_offset) · w). Plain C: one dot product at a time; Helium below. The Armv7E-M /
 * Armv8-M DSP path has its own loops: convolutions in tfg_nn_pair_gemm_s8.c, fully connected in its kernel.
 */
#include "tfg_nn_dsp.h"
#include "tfg_nn_support.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define TFG_NN_GEMM_MVE 1
#else
#define TFG_NN_GEMM_MVE 0
#endif

#if !TFG_NN_GEMM_MVE
static int32_t dot_s8(const int8_t *x, const int8_t *w, int32_t depth, int32_t input_offset) {
  int32_t acc = 0;
  for (int32_t k = 0; k < depth; k++) {
    acc += ((int32_t)x[k] + input_offset) * (int32_t)w[k];
  }
  return acc;
}

static void gemm_plain(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t c_begin,
                       int32_t channels, int32_t depth, const tfg_nn_requant *q, int8_t *out, int32_t out_stride) {
  for (int32_t r = 0; r < rows; r++) {
    const int8_t *x = lhs + r * lhs_stride;
    for (int32_t c = c_begin; c < channels; c++) {
      out[r * out_stride + c] = tfg_nn_requant_store(dot_s8(x, rhs + c * depth, depth, q->input_offset), c, q);
    }
  }
}
#endif

#if TFG_NN_GEMM_MVE
/*
 * Helium (MVE, Armv8.1-M): 16 int8 lanes per VMLADAVA (multiply, add across the vector, accumulate into a
 * scalar). The input offset is kept out of the inner loop: sum((x + o) * w) = sum(x * w) + o * sum(w), with sum(w)
 * once per channel (VADDVA). Tails are lane-predicated (VCTP8, zeroing loads), so any depth works. Channels go in
 * blocks of 4 sharing one input load, rows inner: an overlapping (streamed) layer must come one row per call.
 */
#include <arm_mve.h>

#define MVE_BLOCK_CHANNELS 4

int32_t tfg_nn_gemm_s8_packed_size(int32_t depth) {
  (void)depth;
  return 0;
}

static int32_t weight_sum_mve(const int8_t *w, int32_t depth) {
  int32_t sum = 0;
  for (int32_t k = 0; k < depth; k += 16) {
    const mve_pred16_t p = vctp8q((uint32_t)(depth - k));
    sum = vaddvaq_s8(sum, vldrbq_z_s8(w + k, p));
  }
  return sum;
}

static void dot_1x4_mve(const int8_t *x, const int8_t *w, int32_t depth, int32_t acc[MVE_BLOCK_CHANNELS]) {
  const int8_t *w1 = w + depth, *w2 = w1 + depth, *w3 = w2 + depth;
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  for (int32_t k = 0; k < depth; k += 16) {
    const mve_pred16_t p = vctp8q((uint32_t)(depth - k));
    const int8x16_t xv = vldrbq_z_s8(x + k, p);
    a0 = vmladavaq_s8(a0, xv, vldrbq_z_s8(w + k, p));
    a1 = vmladavaq_s8(a1, xv, vldrbq_z_s8(w1 + k, p));
    a2 = vmladavaq_s8(a2, xv, vldrbq_z_s8(w2 + k, p));
    a3 = vmladavaq_s8(a3, xv, vldrbq_z_s8(w3 + k, p));
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

static int32_t dot_1x1_mve(const int8_t *x, const int8_t *w, int32_t depth, int32_t acc) {
  for (int32_t k = 0; k < depth; k += 16) {
    const mve_pred16_t p = vctp8q((uint32_t)(depth - k));
    acc = vmladavaq_s8(acc, vldrbq_z_s8(x + k, p), vldrbq_z_s8(w + k, p));
  }
  return acc;
}

void tfg_nn_gemm_s8(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                    int32_t depth, const tfg_nn_requant *q, int8_t *out, int32_t out_stride, int16_t *packed) {
  (void)packed;
  int32_t c = 0;
  const int32x4_t zero = vdupq_n_s32(0);
  for (; c + MVE_BLOCK_CHANNELS <= channels; c += MVE_BLOCK_CHANNELS) {
    const int8_t *w = rhs + c * depth;
    /* Per block, hoisted out of the rows: bias + input_offset * sum(w), and the requantization vectors. */
    int32_t start[MVE_BLOCK_CHANNELS];
    for (int32_t j = 0; j < MVE_BLOCK_CHANNELS; j++) {
      start[j] = q->input_offset * weight_sum_mve(w + j * depth, depth) + (q->bias != 0 ? q->bias[c + j] : 0);
    }
    const int32x4_t multiplier =
        q->quant_stride != 0 ? vldrwq_s32(q->multiplier + c) : vdupq_n_s32(q->multiplier[0]);
    const int32x4_t shift = q->quant_stride != 0 ? vldrwq_s32(q->shift + c) : vdupq_n_s32(q->shift[0]);
    const int32x4_t left = vmaxq_s32(shift, zero), right = vminq_s32(shift, zero);
    const int32x4_t act_min = vdupq_n_s32(q->activation.min), act_max = vdupq_n_s32(q->activation.max);
    for (int32_t r = 0; r < rows; r++) {
      int32_t acc[MVE_BLOCK_CHANNELS] = {start[0], start[1], start[2], start[3]};
      dot_1x4_mve(lhs + r * lhs_stride, w, depth, acc);
      int32x4_t v = tfg_nn_requantize_x4(vldrwq_s32(acc), left, multiplier, right);
      v = vminq_s32(vmaxq_s32(vaddq_n_s32(v, q->output_offset), act_min), act_max);
      vstrbq_s32(out + r * out_stride + c, v);
    }
  }
  for (; c < channels; c++) {
    const int8_t *w = rhs + c * depth;
    const int32_t folded = q->input_offset * weight_sum_mve(w, depth);
    for (int32_t r = 0; r < rows; r++) {
      out[r * out_stride + c] = tfg_nn_requant_store(dot_1x1_mve(lhs + r * lhs_stride, w, depth, folded), c, q);
    }
  }
}

#else

int32_t tfg_nn_gemm_s8_packed_size(int32_t depth) {
  (void)depth;
  return 0;
}

void tfg_nn_gemm_s8(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                    int32_t depth, const tfg_nn_requant *q, int8_t *out, int32_t out_stride, int16_t *packed) {
  (void)packed;
  gemm_plain(lhs, lhs_stride, rows, rhs, 0, channels, depth, q, out, out_stride);
}

#endif
