/*
 * Convolution with a filter packed ahead of time (layout in tfg_nn.h): any geometry, any input channel count.
 *
 * Output pixels go in pairs. Both pixels' receptive fields are widened to int16 with the input offset added, into
 * scratch, in the order the packed weights are in: per 4 depth values, pixel 0 (x0, x2) (x1, x3), pixel 1 the same
 * (padding taps and the depth past D are zeros). Then every channel pair of the filter runs against that pair:
 * on the DSP path one assembly routine does all of them, 2 pixels x 2 channels per step (LDM of the inputs, LDM
 * of the weights, eight SMLAD: 10 instructions per 16 MACs, plus 3 per 4 steps of loop control), then the folded
 * requantization and four byte stores. Both inputs of a pair are in scratch before any output is written, so a
 * layer streamed in place (outputs trailing the inputs they come from) is safe, as for tfg_convolve_s8.
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

/* Depth padded to whole steps of 8 (TFG_CONV_PACKED_DEPTH_STEP): the assembly does two SMLAD steps of 4 per
   half-iteration. */
static int32_t padded_depth(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  const int32_t step = TFG_CONV_PACKED_DEPTH_STEP;
  return (filter_dims->h * filter_dims->w * input_dims->c + (step - 1)) / step * step;
}

/* Words of one channel pair's record: 4 bias words, the weights, 6 requantization words. */
static int32_t pair_words(int32_t depth8) { return TFG_CONV_PAIR_RECORD_WORDS + depth8; }

/* Input channels not a multiple of 4 gather each receptive field as int8 first (one row of depth8 bytes). */
static int32_t staged(const tfg_dims *input_dims) { return input_dims->c % TFG_NN_WIDEN_STEP != 0; }

int32_t tfg_convolve_packed_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  /* Two pixels of depth8 int16 values, then the int8 staging row where needed. */
  const int32_t depth8 = padded_depth(input_dims, filter_dims);
  return depth8 * 4 + (staged(input_dims) ? depth8 : 0);
}

int32_t tfg_convolve_packed_s8_filter_words(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  return (filter_dims->n + 1) / 2 * pair_words(padded_depth(input_dims, filter_dims));
}

/* Low and high int16 of a word. */
static inline int32_t lo16(int32_t w) { return (int32_t)(int16_t)(uint16_t)((uint32_t)w & 0xFFFFu); }
static inline int32_t hi16(int32_t w) { return (int32_t)(int16_t)(uint16_t)((uint32_t)w >> 16); }

/*
 * The folded requantization of a doubled accumulator (what ADD + SMMLAR + ASR compute): (K - [acc < 0] +
 * floor((acc2 * M + 2^31) / 2^32)) >> e, then saturated to int8 (the clamp follows).
 */
static inline int32_t requantize_folded(int32_t acc2, int32_t e, int32_t m, int32_t k) {
  const int64_t ra = (int64_t)k - (acc2 < 0 ? 1 : 0);
  const int64_t t = ra * 4294967296LL + (int64_t)acc2 * m + 2147483648LL;
  /* Both shifts are arithmetic (gcc, every target here); the packer guarantees t / 2^32 fits int32. */
  const int32_t v = (int32_t)(t >> 32) >> e;
  return TFG_MAX(-128, TFG_MIN(127, v));
}

/* One channel pair in plain C: `second` false for an odd last channel (its partner is zeros, not stored). */
static void packed_pair_c(const int32_t *widened, const int32_t *record, int32_t steps, int second,
                          const tfg_activation *act, int8_t *out0, int8_t *out1) {
  int32_t acc[4] = {record[0], record[1], record[2], record[3]}; /* p0c0, p0c1, p1c0, p1c1 */
  const int32_t *w = record + 4;
  for (int32_t s = 0; s < steps; s++, widened += 4, w += 4) {
    for (int32_t half = 0; half < 2; half++) {
      const int32_t x0 = widened[half], x1 = widened[2 + half], w0 = w[half], w1 = w[2 + half];
      acc[0] += lo16(x0) * lo16(w0) + hi16(x0) * hi16(w0);
      acc[1] += lo16(x0) * lo16(w1) + hi16(x0) * hi16(w1);
      acc[2] += lo16(x1) * lo16(w0) + hi16(x1) * hi16(w0);
      acc[3] += lo16(x1) * lo16(w1) + hi16(x1) * hi16(w1);
    }
  }
  int32_t v[4];
  for (int32_t i = 0; i < 4; i++) {
    const int32_t c = i & 1;
    const int32_t r = requantize_folded(acc[i], w[c], w[2 + c], w[4 + c]);
    v[i] = TFG_MAX(act->min, TFG_MIN(act->max, r));
  }
  out0[0] = (int8_t)v[0];
  out1[0] = (int8_t)v[2];
  if (second) {
    out0[1] = (int8_t)v[1];
    out1[1] = (int8_t)v[3];
  }
}

#if TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE
/* What the routine reads (its offsets fixed below: the routine copies the block to its stack frame at once). */
typedef struct {
  const int32_t *widened;     /* 0: the widened pixel pair */
  const int32_t *widened_end; /* 4: 16 bytes per 4 depth values, a multiple of 32 */
  const int32_t *packed;      /* 8: the first full channel pair's record */
  const int32_t *packed_end;  /* 12: past the last full channel pair's record */
  int8_t *out0;               /* 16 */
  int8_t *out1;               /* 20 */
  int32_t clamp;              /* 24: 0 when the activation is the whole int8 range */
  int32_t act_min;            /* 28 */
  int32_t act_max;            /* 32 */
} packed_args;

typedef char packed_args_layout[(__builtin_offsetof(packed_args, out0) == 16 &&
                                 __builtin_offsetof(packed_args, act_max) == 32)
                                    ? 1
                                    : -1];

/* 4 depth values x 2 pixels x 2 channels: r0 widened pair, r1 packed weights; r4..r7 p0c0 p0c1 p1c0 p1c1. */
#define PACKED_STEP_ASM             \
  "ldmia r0!, {r8-r11}\n\t"         \
  "ldmia r1!, {r2, r3, r12, lr}\n\t" \
  "smlad r4, r8, r2, r4\n\t"        \
  "smlad r4, r9, r3, r4\n\t"        \
  "smlad r6, r10, r2, r6\n\t"       \
  "smlad r6, r11, r3, r6\n\t"       \
  "smlad r5, r8, r12, r5\n\t"       \
  "smlad r5, r9, lr, r5\n\t"        \
  "smlad r7, r10, r12, r7\n\t"      \
  "smlad r7, r11, lr, r7\n\t"

/* Requantize ACC (doubled accumulator) with exponent E, multiplier M and folded constant K; r12 clobbered. */
#define PACKED_REQUANT_ASM(ACC, E, M, K)          \
  "add r12, " K ", " ACC ", asr #31\n\t"        \
  "smmlar " ACC ", " ACC ", " M ", r12\n\t"     \
  "asr " ACC ", " ACC ", " E "\n\t"             \
  "ssat " ACC ", #8, " ACC "\n\t"

/* Clamp REG to [r2, r3]. */
#define PACKED_CLAMP_ASM(REG) \
  "cmp " REG ", r2\n\t"        \
  "it lt\n\t"                  \
  "movlt " REG ", r2\n\t"      \
  "cmp " REG ", r3\n\t"        \
  "it gt\n\t"                  \
  "movgt " REG ", r3\n\t"

/*
 * Every full channel pair against one widened pixel pair. The argument block goes to the stack frame, so that
 * everything the loops reload is one SP-relative load away: [sp] widened, [sp, #4] its end, [sp, #8] packed end,
 * [sp, #12] out0, [sp, #16] out1, [sp, #20] clamp, [sp, #24] min, [sp, #28] max, [sp, #32] where the MAC loop
 * starts (its body is 4 steps; a step count of 2 mod 4 starts at the middle). Per channel pair: 3 instructions
 * to start, 10 per step and 3 per 4 steps, 28 to requantize, store and loop.
 */
__attribute__((naked, noinline)) static void packed_pairs_asm(const packed_args *args) {
  (void)args;
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "ldmia r0, {r1-r9}\n\t"
      "sub r10, r2, r1\n\t"
      "adr.w r11, 1f\n\t"
      "tst r10, #32\n\t"
      "beq 3f\n\t"
      "adr.w r11, 5f\n\t"
      "3:\n\t"
      "orr r11, r11, #1\n\t"
      "push {r1, r2, r4-r9, r11}\n\t"
      "mov r1, r3\n\t"
      "2:\n\t"
      "ldr r0, [sp]\n\t"
      "ldmia r1!, {r4-r7}\n\t"
      "ldr pc, [sp, #32]\n\t"
      "1:\n\t"
      PACKED_STEP_ASM
      PACKED_STEP_ASM
      "5:\n\t"
      PACKED_STEP_ASM
      PACKED_STEP_ASM
      "ldr r2, [sp, #4]\n\t"
      "cmp r0, r2\n\t"
      "bne 1b\n\t"
      "ldmia r1!, {r2, r3, r8-r11}\n\t"
      PACKED_REQUANT_ASM("r4", "r2", "r8", "r10")
      PACKED_REQUANT_ASM("r6", "r2", "r8", "r10")
      PACKED_REQUANT_ASM("r5", "r3", "r9", "r11")
      PACKED_REQUANT_ASM("r7", "r3", "r9", "r11")
      "ldr r0, [sp, #20]\n\t"
      "cbz r0, 7f\n\t"
      "ldrd r2, r3, [sp, #24]\n\t"
      PACKED_CLAMP_ASM("r4")
      PACKED_CLAMP_ASM("r5")
      PACKED_CLAMP_ASM("r6")
      PACKED_CLAMP_ASM("r7")
      "7:\n\t"
      "ldrd r0, r2, [sp, #12]\n\t"
      "strb r4, [r0], #1\n\t"
      "strb r5, [r0], #1\n\t"
      "strb r6, [r2], #1\n\t"
      "strb r7, [r2], #1\n\t"
      "strd r0, r2, [sp, #12]\n\t"
      "ldr r0, [sp, #8]\n\t"
      "cmp r1, r0\n\t"
      "bne 2b\n\t"
      "add sp, sp, #36\n\t"
      "pop {r4-r11, pc}\n\t");
}
#endif

/* All channels of one widened pixel pair. */
static void packed_all_channels(const int32_t *widened, const int32_t *packed, int32_t channels, int32_t depth8,
                                const tfg_activation *act, int8_t *out0, int8_t *out1) {
  const int32_t steps = depth8 / 4, words = pair_words(depth8);
  int32_t c = 0;
#if TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE
  const int32_t full = channels / 2;
  if (full > 0) {
    const packed_args args = {widened, widened + steps * 4, packed, packed + full * words, out0, out1,
                              act->min != -128 || act->max != 127, act->min, act->max};
    packed_pairs_asm(&args);
    c = 2 * full;
  }
#endif
  for (; c < channels; c += 2) {
    packed_pair_c(widened, packed + (c / 2) * words, steps, c + 1 < channels, act, out0 + c, out1 + c);
  }
}

tfg_status tfg_convolve_packed_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                                  const tfg_dims *input_dims, const int8_t *input, const tfg_dims *filter_dims,
                                  const int32_t *packed_filter, const tfg_dims *output_dims, int8_t *output) {
  if (filter_dims->c != input_dims->c || output_dims->c != filter_dims->n || output_dims->n != input_dims->n ||
      conv_params->stride.h < 1 || conv_params->stride.w < 1 || conv_params->dilation.h < 1 ||
      conv_params->dilation.w < 1 || conv_params->activation.min < -128 || conv_params->activation.max > 127 ||
      conv_params->activation.min > conv_params->activation.max) {
    return TFG_ARG_ERROR;
  }
  if (ctx == 0 || ctx->buf == 0 || ctx->size < tfg_convolve_packed_s8_get_buffer_size(input_dims, filter_dims)) {
    return TFG_ARG_ERROR;
  }
  const int32_t depth = filter_dims->h * filter_dims->w * input_dims->c;
  const int32_t depth8 = padded_depth(input_dims, filter_dims);
  const int32_t pixels = output_dims->h * output_dims->w, channels = output_dims->c;
  int32_t *pair = (int32_t *)ctx->buf;
  int8_t *stage = staged(input_dims) ? (int8_t *)ctx->buf + depth8 * 4 : 0;
  if (stage != 0) {
    /* Past the depth the staging row holds the zero point (0 once widened) for the whole call. */
    memset(stage + depth, (int8_t)(-conv_params->input_offset), (size_t)(depth8 - depth));
  } else {
    /* Past the depth (whole steps of 4 short of depth8) both pixels stay 0 for the whole call. */
    for (int32_t k = depth; k < depth8; k += 4) {
      int32_t *step = pair + k;
      step[0] = step[1] = step[2] = step[3] = 0;
    }
  }
  tfg_nn_field_geometry g;
  tfg_nn_field_geometry_init(&g, conv_params, input_dims, filter_dims, depth8);
  for (int32_t b = 0; b < input_dims->n; b++) {
    const int8_t *input_batch = input + b * input_dims->h * input_dims->w * input_dims->c;
    int8_t *output_batch = output + b * pixels * channels;
    for (int32_t first = 0; first < pixels; first += 2) {
      /* An odd last pixel pairs with itself: both halves write the same bytes. */
      const int32_t second = first + 1 < pixels ? first + 1 : first;
      tfg_nn_widen_field(&g, input_batch, first / output_dims->w, first % output_dims->w, 0, pair, stage);
      tfg_nn_widen_field(&g, input_batch, second / output_dims->w, second % output_dims->w, 1, pair, stage);
      packed_all_channels(pair, packed_filter, channels, depth8,
                          &conv_params->activation, output_batch + first * channels,
                          output_batch + second * channels);
    }
  }
  return TFG_OK;
}
