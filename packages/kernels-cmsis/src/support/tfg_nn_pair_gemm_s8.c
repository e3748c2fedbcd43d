/*
 * Convolution GEMM over output pixel pairs (DSP path, Armv7E-M/Armv8-M without Helium).
 *
 * Both input rows of a pair are widened to int16 once, with the input offset added (SXTAB16), into scratch in
 * the order the weights widen in: per 4 depth steps, pixel 0 (x0, x2) (x1, x3), pixel 1 the same. Weights stay
 * int8 in their OHWI rows: SXTB16 and SXTB16 ROR 8 give (w0, w2) and (w1, w3), matching the inputs with no PKHBT.
 * The inner loop takes 2 pixels x 2 channels: per 4 depth steps one LDM of both pixels' inputs, two LDR of
 * weights, four SXTB16 and eight SMLAD (16.5 instructions per 16 MACs unrolled twice), all in registers. When
 * the depth is a multiple of 4 and every channel's requantization has its one-SMLAL form, the whole channel loop
 * of a pair, requantization and stores included, is one assembly routine (pair_dot_all, ~75 instructions per
 * 4 outputs besides the MACs); otherwise C drives pair_dot_2x2 channel pair by channel pair.
 *
 * Nothing is packed per call, and the pair's inputs are in scratch before any output is written, so a layer
 * streamed in place (output pixels trailing the input pixels they come from) runs in one call at full speed.
 */
#include "tfg_nn_dsp.h"
#include "tfg_nn_support.h"

/* int32 words per widened step (TFG_NN_WIDEN_STEP = 4 depth values) of a pair: 2 pixels x 2 int16 pairs. */
#define PAIR_WORDS_PER_STEP 4

/* Plain arithmetic on every build: the DSP path's size queries ask for it wherever they are compiled. */
int32_t tfg_nn_pair_gemm_s8_scratch_size(int32_t depth) {
  return (depth + (TFG_NN_WIDEN_STEP - 1)) / TFG_NN_WIDEN_STEP * PAIR_WORDS_PER_STEP * 4;
}

#if TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE

/* Accumulators in and out (pixel 0 channel 0, p0 c1, p1 c0, p1 c1), then the loop's constant inputs. */
typedef struct {
  int32_t acc[4];
  int32_t steps;
} pair_state;

/*
 * r0: widened pair (post-incremented), r1: weights of channel c, r2: depth in bytes on entry, then the weights of
 * channel c + 1; r3: count; r4..r7: accumulators; r8..r11: the pair's four input words; r12: a weight word;
 * lr: its widened half. Hand-scheduled: the compiler has too few registers left to keep this loop out of memory.
 */
__attribute__((naked, noinline)) static void pair_dot_2x2(const int32_t *widened, const int8_t *w0, int32_t depth,
                                                         pair_state *state) {
  (void)widened;
  (void)w0;
  (void)depth;
  (void)state;
  __asm__ volatile(
      "push {r3-r11, lr}\n\t"
      "add r2, r1, r2\n\t"
      "ldm r3, {r4-r7}\n\t"
      "ldr r3, [r3, #16]\n\t"
      "1:\n\t"
      "ldmia r0!, {r8-r11}\n\t"
      "ldr r12, [r1], #4\n\t"
      "sxtb16 lr, r12\n\t"
      "smlad r4, r8, lr, r4\n\t"
      "smlad r6, r10, lr, r6\n\t"
      "sxtb16 lr, r12, ror #8\n\t"
      "smlad r4, r9, lr, r4\n\t"
      "smlad r6, r11, lr, r6\n\t"
      "ldr r12, [r2], #4\n\t"
      "sxtb16 lr, r12\n\t"
      "smlad r5, r8, lr, r5\n\t"
      "smlad r7, r10, lr, r7\n\t"
      "sxtb16 lr, r12, ror #8\n\t"
      "smlad r5, r9, lr, r5\n\t"
      "smlad r7, r11, lr, r7\n\t"
      "subs r3, r3, #1\n\t"
      "bne 1b\n\t"
      "pop {r3}\n\t"
      "stm r3, {r4-r7}\n\t"
      "pop {r4-r11, pc}\n\t");
}

/*
 * Everything one pixel pair needs for all its channel pairs in assembly (pair_dot_all): the fields the loop
 * advances (bias, multiplier, shift, outputs, count, weights) are read and written back here between channel pairs.
 */
typedef struct {
  const int32_t *widened; /* 0 */
  int32_t steps;          /* 4 */
  int32_t depth;          /* 8 */
  const int32_t *bias;    /* 12 */
  const int32_t *multiplier; /* 16 */
  const int32_t *shift;   /* 20 */
  int8_t *out0;           /* 24 */
  int8_t *out1;           /* 28 */
  int32_t output_offset;  /* 32 */
  uint32_t min4;          /* 36 */
  uint32_t max4;          /* 40 */
  int32_t pairs;          /* 44 */
  const int8_t *w;        /* 48: first weight row of the next channel pair */
  int32_t clamp;          /* 52: 0 when the activation bounds are -128 and 127 */
} pair_all_args;

/* The assembly addresses the fields by these offsets. */
typedef char pair_all_args_layout[(__builtin_offsetof(pair_all_args, min4) == 36 &&
                                   __builtin_offsetof(pair_all_args, w) == 48 &&
                                   __builtin_offsetof(pair_all_args, clamp) == 52)
                                      ? 1
                                      : -1];

/* One step of 4 depth x 2 pixels x 2 channels: r0 widened pair, r1/r2 the two channels' int8 weights. */
#define STEP_2X2_ASM                \
  "ldmia r0!, {r8-r11}\n\t"         \
  "ldr r12, [r1], #4\n\t"           \
  "sxtb16 lr, r12\n\t"              \
  "smlad r4, r8, lr, r4\n\t"        \
  "smlad r6, r10, lr, r6\n\t"       \
  "sxtb16 lr, r12, ror #8\n\t"      \
  "smlad r4, r9, lr, r4\n\t"        \
  "smlad r6, r11, lr, r6\n\t"       \
  "ldr r12, [r2], #4\n\t"           \
  "sxtb16 lr, r12\n\t"              \
  "smlad r5, r8, lr, r5\n\t"        \
  "smlad r7, r10, lr, r7\n\t"       \
  "sxtb16 lr, r12, ror #8\n\t"      \
  "smlad r5, r9, lr, r5\n\t"        \
  "smlad r7, r11, lr, r7\n\t"

/* Requantization of one accumulator in its one-SMLAL form (tfg_nn_dsp.h). */
#define REQUANT_ASM TFG_ASM_REQUANT_FAST

/*
 * SHIFT (TFLite shift, -31..-2) becomes POST = -shift - 1 and ROUND = 1 << (POST - 1); lr is clobbered. POST is
 * taken mod 32, which changes nothing for those shifts and gives a channel with multiplier 0 (all-zero weights:
 * QuantizeMultiplier gives shift 0) POST 31, still 0 as TFLite gives for any accumulator: (2^30 + sign) >> 31 with
 * nothing added by the multiply.
 */
#define FAST_CONSTANTS_ASM(SHIFT, ROUND)             \
  "mvn " SHIFT ", " SHIFT "\n\t"                     \
  "and " SHIFT ", " SHIFT ", #31\n\t"                \
  "sub " ROUND ", " SHIFT ", #1\n\t"                 \
  "mov lr, #1\n\t"                                   \
  "lsl " ROUND ", lr, " ROUND "\n\t"

/*
 * All channel pairs (2 * pairs channels from args->w) of one widened pixel pair: the 2x2 dot product loop of
 * pair_dot_2x2, then the requantization of its four accumulators in its one-SMLAL form (every shift in -31..-2),
 * the output offset, SSAT to int8, the four bytes packed and clamped to the activation with SSUB8/SEL, and one
 * halfword store per pixel. The argument block's address sits at [sp] while the loop uses all 14 registers.
 */
__attribute__((naked, noinline)) static void pair_dot_all(pair_all_args *args) {
  (void)args;
  __asm__ volatile(
      "push {r0, r4-r11, lr}\n\t"
      "2:\n\t"
      "ldr r12, [sp]\n\t"
      /* r1, r2: the pair's two weight rows (depth apart); the next pair starts one more depth on. */
      "ldr r1, [r12, #48]\n\t"
      "ldr r3, [r12, #8]\n\t"
      "add r2, r1, r3\n\t"
      "add lr, r2, r3\n\t"
      "str lr, [r12, #48]\n\t"
      "ldr r0, [r12, #0]\n\t"
      "ldr r3, [r12, #4]\n\t"
      "ldr lr, [r12, #12]\n\t"
      "ldrd r4, r5, [lr], #8\n\t"
      "str lr, [r12, #12]\n\t"
      "mov r6, r4\n\t"
      "mov r7, r5\n\t"
      /* An odd step first, then two steps per loop trip. */
      "tst r3, #1\n\t"
      "beq 3f\n\t"
      STEP_2X2_ASM
      "3:\n\t"
      "lsrs r3, r3, #1\n\t"
      "beq 4f\n\t"
      "1:\n\t"
      STEP_2X2_ASM
      STEP_2X2_ASM
      "subs r3, r3, #1\n\t"
      "bne 1b\n\t"
      "4:\n\t"
      "ldr r12, [sp]\n\t"
      "ldr lr, [r12, #16]\n\t"
      "ldrd r8, r9, [lr], #8\n\t"
      "str lr, [r12, #16]\n\t"
      "ldr lr, [r12, #20]\n\t"
      "ldrd r10, r11, [lr], #8\n\t"
      "str lr, [r12, #20]\n\t"
      FAST_CONSTANTS_ASM("r10", "r3")
      REQUANT_ASM("r4", "r8", "r10", "r3")
      REQUANT_ASM("r6", "r8", "r10", "r3")
      FAST_CONSTANTS_ASM("r11", "r3")
      REQUANT_ASM("r5", "r9", "r11", "r3")
      REQUANT_ASM("r7", "r9", "r11", "r3")
      "ldr r0, [r12, #32]\n\t"
      TFG_ASM_ADD_R4_R7("r0") TFG_ASM_PACK_R4_R7
      /* The activation clamp, unless it is the whole int8 range (ReLU with output zero point -128). */
      "ldr r0, [r12, #52]\n\t"
      "cbz r0, 7f\n\t"
      "ldrd r0, r3, [r12, #36]\n\t"
      TFG_ASM_CLAMP_R4("r0", "r3")
      "7:\n\t"
      "ldr r0, [r12, #24]\n\t"
      "strh r4, [r0], #2\n\t"
      "str r0, [r12, #24]\n\t"
      "lsr r4, r4, #16\n\t"
      "ldr r0, [r12, #28]\n\t"
      "strh r4, [r0], #2\n\t"
      "str r0, [r12, #28]\n\t"
      "ldr r0, [r12, #44]\n\t"
      "subs r0, r0, #1\n\t"
      "str r0, [r12, #44]\n\t"
      "bne 2b\n\t"
      "pop {r0, r4-r11, pc}\n\t");
}

int tfg_nn_pair_gemm_s8_all_fast(const tfg_nn_requant *q, int32_t channels) {
  if (q->bias == 0 || q->quant_stride != 1) {
    return 0;
  }
  for (int32_t c = 0; c < channels; c++) {
    if ((q->shift[c] > -2 || q->shift[c] < -31) && q->multiplier[c] != 0) {
      return 0;
    }
  }
  return 1;
}

/* lo in the low int16 half, hi in the high one. */
static inline int32_t pack_int16_pair(int32_t lo, int32_t hi) {
  return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu));
}

/* Both rows widened with the offset added, 4 depth steps per 4 words; a depth % 4 tail is one zero-padded step. */
static void widen_pair(const int8_t *x0, const int8_t *x1, int32_t depth, int32_t input_offset, int32_t *widened) {
  const int32_t offset2 = tfg_dup16(input_offset);
  const int32_t steps = depth / 4;
  int32_t *dst = widened;
  for (int32_t s = 0; s < steps; s++, dst += PAIR_WORDS_PER_STEP) {
    const int32_t a = tfg_nn_read_s8x4(x0 + 4 * s), b = tfg_nn_read_s8x4(x1 + 4 * s);
    dst[0] = tfg_sxtab16(offset2, a);
    dst[1] = tfg_sxtab16_ror8(offset2, a);
    dst[2] = tfg_sxtab16(offset2, b);
    dst[3] = tfg_sxtab16_ror8(offset2, b);
  }
  if (steps * 4 < depth) {
    /* The depth % 4 tail as one more step, zeros past the depth (they meet the next channel's weights). */
    int32_t a[4], b[4];
    for (int32_t j = 0; j < 4; j++) {
      const int32_t k = steps * 4 + j;
      a[j] = k < depth ? x0[k] + input_offset : 0;
      b[j] = k < depth ? x1[k] + input_offset : 0;
    }
    dst[0] = pack_int16_pair(a[0], a[2]);
    dst[1] = pack_int16_pair(a[1], a[3]);
    dst[2] = pack_int16_pair(b[0], b[2]);
    dst[3] = pack_int16_pair(b[1], b[3]);
  }
}

/* Value j (0..3) of a widened step's row (words even, odd): (x0, x2) (x1, x3). */
static inline int32_t widened_value(const int32_t *row, int32_t j) {
  const uint32_t word = (uint32_t)row[j & 1];
  return (int32_t)(int16_t)(uint16_t)(j < 2 ? word : word >> 16);
}

/* Requantization of one channel, hoisted out of the pixel loop: the one-SMLAL form when the shift allows it. */
typedef struct {
  tfg_nn_fast_quant fast;
  int32_t multiplier;
  int32_t shift;
  int is_fast;
} channel_quant;

static inline void channel_quant_init(const tfg_nn_requant *q, int32_t c, channel_quant *cq) {
  const int32_t qi = c * q->quant_stride;
  cq->multiplier = q->multiplier[qi];
  cq->shift = q->shift[qi];
  cq->is_fast = tfg_nn_fast_quant_init(cq->multiplier, cq->shift, &cq->fast);
}

static inline int32_t channel_requantize(int32_t acc, const channel_quant *cq) {
  return cq->is_fast ? tfg_nn_requantize_fast(acc, cq->fast.multiplier, cq->fast.round_hi, cq->fast.post_shift)
                     : tfg_nn_requantize(acc, cq->multiplier, cq->shift);
}

void tfg_nn_pair_gemm_s8(const int8_t *x0, const int8_t *x1, const int8_t *w, int32_t channels, int32_t depth,
                         const tfg_nn_requant *q, int all_fast, int8_t *out0, int8_t *out1, int32_t *widened) {
  widen_pair(x0, x1, depth, q->input_offset, widened);
  tfg_nn_pair_gemm_widened_s8(widened, w, channels, depth, q, all_fast, out0, out1);
}

void tfg_nn_pair_gemm_widened_s8(const int32_t *widened, const int8_t *w, int32_t channels, int32_t depth,
                                 const tfg_nn_requant *q, int all_fast, int8_t *out0, int8_t *out1) {
  const int32_t steps = depth / 4, tail_begin = steps * 4, padded_steps = (depth + 3) / 4;
  const int32_t *tail = widened + steps * PAIR_WORDS_PER_STEP;
  /* Locals, not q->: the int8 output stores may alias anything, so fields read through q would be reloaded. */
  const int32_t *bias = q->bias;
  const int32_t output_offset = q->output_offset;
  const uint32_t min4 = tfg_dup8(q->activation.min), max4 = tfg_dup8(q->activation.max);
  int32_t c = 0;
  /* With a padded tail step the assembly reads 1..3 weight bytes past each pair's second channel, which is in
     the filter only while another channel follows: the last pair then goes through the C loop below. */
  const int32_t asm_pairs = tail_begin == depth ? channels / 2 : (channels - 1) / 2;
  if (asm_pairs > 0 && all_fast) {
    pair_all_args args = {widened, padded_steps, depth, bias, q->multiplier, q->shift, out0, out1, output_offset,
                          min4, max4, asm_pairs, w, min4 != 0x80808080u || max4 != 0x7F7F7F7Fu};
    pair_dot_all(&args);
    c = 2 * asm_pairs;
  }
  for (; c < channels; c += 2) {
    /* An odd last channel runs as a pair with itself (the second result is dropped). */
    const int32_t c1 = c + 1 < channels ? c + 1 : c;
    const int8_t *w0 = w + c * depth, *w1 = w + c1 * depth;
    const int32_t b0 = bias != 0 ? bias[c] : 0, b1 = bias != 0 ? bias[c1] : 0;
    pair_state st = {{b0, b1, b0, b1}, steps};
    if (steps > 0) {
      pair_dot_2x2(widened, w0, (int32_t)(w1 - w0), &st);
    }
    for (int32_t k = tail_begin; k < depth; k++) {
      const int32_t t0 = widened_value(tail, k - tail_begin), t1 = widened_value(tail + 2, k - tail_begin);
      st.acc[0] += t0 * w0[k];
      st.acc[1] += t0 * w1[k];
      st.acc[2] += t1 * w0[k];
      st.acc[3] += t1 * w1[k];
    }
    channel_quant cq0, cq1;
    channel_quant_init(q, c, &cq0);
    channel_quant_init(q, c1, &cq1);
    const int32_t v00 = channel_requantize(st.acc[0], &cq0) + output_offset;
    const int32_t v01 = channel_requantize(st.acc[1], &cq1) + output_offset;
    const int32_t v10 = channel_requantize(st.acc[2], &cq0) + output_offset;
    const int32_t v11 = channel_requantize(st.acc[3], &cq1) + output_offset;
    /* Bytes: pixel 0 channels c, c1, then pixel 1 channels c, c1, all clamped at once. */
    const uint32_t word = tfg_pack4_clamp(v00, v01, v10, v11, min4, max4);
    if (c1 != c) {
      const uint16_t lo = (uint16_t)word, hi = (uint16_t)(word >> 16);
      memcpy(out0 + c, &lo, sizeof(lo));
      memcpy(out1 + c, &hi, sizeof(hi));
    } else {
      out1[c] = (int8_t)(word >> 16);
      out0[c] = (int8_t)word;
    }
  }
}

#else

int tfg_nn_pair_gemm_s8_all_fast(const tfg_nn_requant *q, int32_t channels) {
  (void)q;
  (void)channels;
  return 0;
}

#endif
