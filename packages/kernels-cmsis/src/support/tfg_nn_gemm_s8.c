/*
 * The int8 GEMM under convolution and fully connected layers: out = requant(bias + (x + input_offset) · w).
 *
 * Plain C: one dot product at a time. DSP path (Armv7E-M/Armv8-M):
 * - Many rows (convolutions): weights are widened to int16 once per block of 4 output channels into scratch, in
 *   the pair order SXTB16 produces (bytes 0,2 / 1,3), and the input offset folds into the block's bias. The inner
 *   loop then costs, per 4 depth steps and 4 channels, one LDR + two SXTB16 for the input, two LDM for the
 *   weights and eight SMLAD (15 instructions per 16 MACs with the loop branch), all in registers.
 * - One row (fully connected): weights are read once, so they are widened on the fly; the input gets its offset
 *   in the same SXTAB16 that widens it.
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
 * blocks of 4 sharing one input load; rows are inner, as in the DSP path, so the in-place rules are the same.
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
  for (; c + MVE_BLOCK_CHANNELS <= channels; c += MVE_BLOCK_CHANNELS) {
    const int8_t *w = rhs + c * depth;
    int32_t folded[MVE_BLOCK_CHANNELS];
    for (int32_t j = 0; j < MVE_BLOCK_CHANNELS; j++) {
      folded[j] = q->input_offset * weight_sum_mve(w + j * depth, depth);
    }
    for (int32_t r = 0; r < rows; r++) {
      int32_t acc[MVE_BLOCK_CHANNELS] = {folded[0], folded[1], folded[2], folded[3]};
      dot_1x4_mve(lhs + r * lhs_stride, w, depth, acc);
      for (int32_t j = 0; j < MVE_BLOCK_CHANNELS; j++) {
        out[r * out_stride + c + j] = tfg_nn_requant_store(acc[j], c + j, q);
      }
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

#elif TFG_NN_HAS_DSP

#define BLOCK_CHANNELS 4
/* int32 words per 4 depth steps of one packed block: 4 channels x 2 int16 pairs. */
#define PACKED_WORDS_PER_STEP 8

int32_t tfg_nn_gemm_s8_packed_size(int32_t depth) { return (depth / 4) * PACKED_WORDS_PER_STEP * 4; }

/* Widen weights of 4 channels to int16 pairs; returns each channel's weight sum (for the folded offset). */
static void pack_block(const int8_t *w, int32_t depth, int32_t *packed, int32_t sums[BLOCK_CHANNELS]) {
  const int32_t ones = 0x00010001;
  for (int32_t j = 0; j < BLOCK_CHANNELS; j++) {
    const int8_t *wj = w + j * depth;
    int32_t *dst = packed + 2 * j;
    int32_t sum = 0;
    int32_t k = 0;
    for (; k + 4 <= depth; k += 4, dst += PACKED_WORDS_PER_STEP) {
      const int32_t word = tfg_nn_read_s8x4(wj + k);
      dst[0] = tfg_sxtb16(word);
      dst[1] = tfg_sxtb16_ror8(word);
      sum = __smlad(dst[0], ones, sum);
      sum = __smlad(dst[1], ones, sum);
    }
    for (; k < depth; k++) {
      sum += wj[k];
    }
    sums[j] = sum;
  }
}

/* acc[j] += sum over steps*4 depth of x[k] * packed weights of channel j. Registers only, no stack. */
__attribute__((noinline)) static void dot_1x4_packed(const int8_t *x, const int32_t *packed, int32_t steps, int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  int32_t word, even;
  __asm__ volatile(
      "1:\n\t"
      "ldr %[word], [%[x]], #4\n\t"
      "sxtb16 %[even], %[word]\n\t"
      "sxtb16 %[word], %[word], ror #8\n\t"
      "ldmia %[w]!, {r4, r5, r6, r8}\n\t"
      "smlad %[a0], %[even], r4, %[a0]\n\t"
      "smlad %[a0], %[word], r5, %[a0]\n\t"
      "smlad %[a1], %[even], r6, %[a1]\n\t"
      "smlad %[a1], %[word], r8, %[a1]\n\t"
      "ldmia %[w]!, {r4, r5, r6, r8}\n\t"
      "smlad %[a2], %[even], r4, %[a2]\n\t"
      "smlad %[a2], %[word], r5, %[a2]\n\t"
      "smlad %[a3], %[even], r6, %[a3]\n\t"
      "smlad %[a3], %[word], r8, %[a3]\n\t"
      "subs %[n], %[n], #1\n\t"
      "bne 1b\n\t"
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(packed),
        [n] "+r"(steps), [word] "=&r"(word), [even] "=&r"(even)
      :
      : "r4", "r5", "r6", "r8", "cc", "memory");
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

static void gemm_packed(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                        int32_t depth, const tfg_nn_requant *q, int8_t *out, int32_t out_stride, int32_t *packed) {
  const int32_t steps = depth / 4;
  const int32_t tail = steps * 4;
  const int32_t output_offset = q->output_offset, act_min = q->activation.min, act_max = q->activation.max;
  const uint32_t min4 = tfg_dup8(act_min), max4 = tfg_dup8(act_max);
  int32_t c = 0;
  for (; c + BLOCK_CHANNELS <= channels; c += BLOCK_CHANNELS) {
    const int8_t *w = rhs + c * depth;
    int32_t folded[BLOCK_CHANNELS];
    pack_block(w, depth, packed, folded);
    /* Per-block constants, hoisted out of the row loop: bias and input offset start the accumulators, and the
       requantization takes its one-SMLAL form when every channel of the block allows it. */
    tfg_nn_fast_quant fq[BLOCK_CHANNELS];
    int all_fast = 1;
    for (int32_t j = 0; j < BLOCK_CHANNELS; j++) {
      const int32_t qi = (c + j) * q->quant_stride;
      folded[j] = folded[j] * q->input_offset + (q->bias != 0 ? q->bias[c + j] : 0);
      all_fast &= tfg_nn_fast_quant_init(q->multiplier[qi], q->shift[qi], &fq[j]);
    }
    for (int32_t r = 0; r < rows; r++) {
      const int8_t *x = lhs + r * lhs_stride;
      int32_t acc[BLOCK_CHANNELS] = {folded[0], folded[1], folded[2], folded[3]};
      if (steps > 0) {
        dot_1x4_packed(x, packed, steps, acc);
      }
      for (int32_t k = tail; k < depth; k++) {
        for (int32_t j = 0; j < BLOCK_CHANNELS; j++) {
          acc[j] += x[k] * w[j * depth + k];
        }
      }
      int8_t *o = out + r * out_stride + c;
      if (all_fast) {
        const uint32_t word = tfg_pack4_clamp(
            tfg_nn_requantize_fast(acc[0], fq[0].multiplier, fq[0].round_hi, fq[0].post_shift) + output_offset,
            tfg_nn_requantize_fast(acc[1], fq[1].multiplier, fq[1].round_hi, fq[1].post_shift) + output_offset,
            tfg_nn_requantize_fast(acc[2], fq[2].multiplier, fq[2].round_hi, fq[2].post_shift) + output_offset,
            tfg_nn_requantize_fast(acc[3], fq[3].multiplier, fq[3].round_hi, fq[3].post_shift) + output_offset, min4,
            max4);
        memcpy(o, &word, sizeof(word));
      } else {
        for (int32_t j = 0; j < BLOCK_CHANNELS; j++) {
          const int32_t qi = (c + j) * q->quant_stride;
          const int32_t v = tfg_nn_requantize(acc[j], q->multiplier[qi], q->shift[qi]) + output_offset;
          o[j] = (int8_t)TFG_MIN(TFG_MAX(v, act_min), act_max);
        }
      }
    }
  }
  gemm_plain(lhs, lhs_stride, rows, rhs, c, channels, depth, q, out, out_stride);
}

/* One row against 4 channels of int8 weights, widened on the fly; the input offset rides in SXTAB16. */
static void dot_1x4_s8(const int8_t *x, const int8_t *w, int32_t depth, int32_t input_offset, int32_t acc[4]) {
  const int32_t offset2 = tfg_dup16(input_offset);
  const int8_t *w0 = w, *w1 = w + depth, *w2 = w1 + depth, *w3 = w2 + depth;
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int32_t k = 0;
  for (; k + 4 <= depth; k += 4) {
    const int32_t xw = tfg_nn_read_s8x4(x + k);
    const int32_t xe = tfg_sxtab16(offset2, xw), xo = tfg_sxtab16_ror8(offset2, xw);
    int32_t ww = tfg_nn_read_s8x4(w0 + k);
    a0 = __smlad(xe, tfg_sxtb16(ww), a0);
    a0 = __smlad(xo, tfg_sxtb16_ror8(ww), a0);
    ww = tfg_nn_read_s8x4(w1 + k);
    a1 = __smlad(xe, tfg_sxtb16(ww), a1);
    a1 = __smlad(xo, tfg_sxtb16_ror8(ww), a1);
    ww = tfg_nn_read_s8x4(w2 + k);
    a2 = __smlad(xe, tfg_sxtb16(ww), a2);
    a2 = __smlad(xo, tfg_sxtb16_ror8(ww), a2);
    ww = tfg_nn_read_s8x4(w3 + k);
    a3 = __smlad(xe, tfg_sxtb16(ww), a3);
    a3 = __smlad(xo, tfg_sxtb16_ror8(ww), a3);
  }
  for (; k < depth; k++) {
    const int32_t xk = x[k] + input_offset;
    a0 += xk * w0[k];
    a1 += xk * w1[k];
    a2 += xk * w2[k];
    a3 += xk * w3[k];
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

static void gemm_unpacked(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                          int32_t depth, const tfg_nn_requant *q, int8_t *out, int32_t out_stride) {
  for (int32_t r = 0; r < rows; r++) {
    const int8_t *x = lhs + r * lhs_stride;
    int8_t *o = out + r * out_stride;
    int32_t c = 0;
    for (; c + 4 <= channels; c += 4) {
      int32_t acc[4];
      dot_1x4_s8(x, rhs + c * depth, depth, q->input_offset, acc);
      for (int32_t j = 0; j < 4; j++) {
        o[c + j] = tfg_nn_requant_store(acc[j], c + j, q);
      }
    }
    gemm_plain(x, lhs_stride, 1, rhs, c, channels, depth, q, o, out_stride);
  }
}

void tfg_nn_gemm_s8(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                    int32_t depth, const tfg_nn_requant *q, int8_t *out, int32_t out_stride, int16_t *packed) {
  /* Widening costs one pass over the block's weights; it pays back from the second row on. */
  if (packed != 0 && rows >= 2 && depth >= 4) {
    gemm_packed(lhs, lhs_stride, rows, rhs, channels, depth, q, out, out_stride, (int32_t *)(void *)packed);
  } else {
    gemm_unpacked(lhs, lhs_stride, rows, rhs, channels, depth, q, out, out_stride);
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
