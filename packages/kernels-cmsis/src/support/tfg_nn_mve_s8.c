/*
 * The Helium (MVE, Armv8.1-M) GEMM under convolutions and fully connected layers, with its inner loops in assembly
 * so that what runs is what is written: gcc 12 compiles the intrinsics' lane predication as a VPST before each load
 * and a P0 save/restore per iteration, while a tail-predicated DLSTP/LETP loop predicates every vector instruction
 * of its last pass for free, so any depth takes the same loop.
 *
 * Convolutions stage TFG_MVE_BLOCK_ROWS (4) output pixels' receptive fields in scratch, interleaved in chunks of
 * 16 depth values (chunk j of row r at j * 64 + r * 16), so that one pointer walks all four rows; then one pass
 * per output channel runs the depth as one VLDRB of weights and four VLDRB + VMLADAVA, and requantizes the
 * channel's four outputs as one vector (VQRDMULH, a sign fix-up and VRSHL: TFLite's rounding exactly) stored with
 * one scatter VSTRB. The whole channel loop is one assembly routine. Staging a block before any of its outputs is
 * written also makes the row-streamed in-place layers safe in one call.
 *
 * The bias comes folded (bias + input_offset * sum of the channel's weights, from the code generator), so the
 * inputs need no offset; callers with a plain bias get it folded per block into a small stack array.
 */
#include "tfg_nn_dsp.h"
#include "tfg_nn_support.h"

#if TFG_NN_HAS_MVE
#include <arm_mve.h>

/* Bytes of one staged chunk row group: TFG_MVE_BLOCK_ROWS rows of TFG_MVE_CHUNK values. */
#define CHUNK_GROUP TFG_MVE_CHUNK_GROUP

void tfg_nn_mve_stage(int8_t *block, int32_t row, int32_t k, const int8_t *src, int32_t n) {
  int8_t *dst = block + (k / TFG_MVE_CHUNK) * CHUNK_GROUP + row * TFG_MVE_CHUNK;
  const int32_t in_chunk = k % TFG_MVE_CHUNK;
  if (in_chunk != 0) {
    /* The first piece fills the rest of a chunk; the remainder starts on a chunk boundary. */
    const int32_t first = TFG_MIN(n, TFG_MVE_CHUNK - in_chunk);
    const mve_pred16_t p = vctp8q((uint32_t)first);
    vstrbq_p_s8(dst + in_chunk, vldrbq_z_s8(src, p), p);
    src += first;
    n -= first;
    dst += CHUNK_GROUP;
  }
  if (n > 0) {
    tfg_nn_mve_stage_chunks(dst, src, n);
  }
}

void tfg_nn_mve_stage_fill(int8_t *block, int32_t row, int32_t k, int8_t value, int32_t n) {
  int8_t *dst = block + (k / TFG_MVE_CHUNK) * CHUNK_GROUP + row * TFG_MVE_CHUNK;
  const int32_t in_chunk = k % TFG_MVE_CHUNK;
  if (in_chunk != 0) {
    const int32_t first = TFG_MIN(n, TFG_MVE_CHUNK - in_chunk);
    vstrbq_p_s8(dst + in_chunk, vdupq_n_s8(value), vctp8q((uint32_t)first));
    n -= first;
    dst += CHUNK_GROUP;
  }
  if (n > 0) {
    tfg_nn_mve_fill_chunks(dst, value, n);
  }
}

/* sum(w[0..depth)) in one tail-predicated VADDVA loop. */
static int32_t weight_sum(const int8_t *w, int32_t depth) {
  int32_t sum = 0;
  __asm__ volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n"
      "vldrb.8 q0, [%[w]], #16\n"
      "vaddva.s8 %[sum], q0\n"
      "letp lr, 1b\n"
      : [w] "+r"(w), [sum] "+Te"(sum)
      : [n] "r"(depth)
      : "q0", "lr", "memory");
  return sum;
}

void tfg_nn_mve_fold_bias(const int8_t *weights, int32_t depth, const int32_t *bias, int32_t input_offset,
                          int32_t channels, int32_t *folded) {
  for (int32_t c = 0; c < channels; c++) {
    folded[c] = (bias != 0 ? bias[c] : 0) + input_offset * weight_sum(weights + c * depth, depth);
  }
}

/*
 * The channel loop over one staged block, in the layout below (offsets are used by the assembly; checked here).
 * Registers in the loop: r0 r2 r4 r6 the four rows' accumulators (VMLADAVA takes even registers), r1 the staged
 * rows, r3 their start, r5 the weights, r7 the depth, r8 the folded bias, r9 the output, r10 r11 multipliers and
 * shifts, r12 the end of the biases, lr the loop count; q4 q5 q6 output offset and clamp, q7 the rows' output
 * offsets (a scatter store writes one channel of all four rows), q3 lane 0 the weight pointer's correction
 * (depth - 16 * passes: VLDRB's post-increment is 16 also on the last, partial pass).
 */
typedef struct {
  const int8_t *block;       /* 0 */
  const int8_t *weights;     /* 4: the first channel's */
  int32_t depth;             /* 8 */
  int32_t weight_adjust;     /* 12 */
  const int32_t *bias;       /* 16: folded, the first channel's */
  const int32_t *bias_end;   /* 20 */
  const int32_t *multiplier; /* 24 */
  const int32_t *shift;      /* 28 */
  int8_t *out;               /* 32: row 0, first channel */
  int32_t output_offset;     /* 36 */
  int32_t act_min;           /* 40 */
  int32_t act_max;           /* 44 */
  int32_t out_rows[4];       /* 48: each row's output offset from row 0's */
} mve_rows_args;

typedef char mve_rows_args_layout[(__builtin_offsetof(mve_rows_args, output_offset) == 36 &&
                                   __builtin_offsetof(mve_rows_args, out_rows) == 48)
                                      ? 1
                                      : -1];

#define MVE_ROWS_ENTER_ASM                                                                                    \
  "push {r4-r11, lr}\n\t"                                                                                    \
  "vpush {d8-d15}\n\t"                                                                                       \
  "mov r12, r0\n\t"                                                                                          \
  "ldrd r3, r5, [r12, #0]\n\t"                                                                               \
  "ldrd r7, r0, [r12, #8]\n\t"                                                                               \
  "vmov.32 q3[0], r0\n\t"                                                                                    \
  "ldr r0, [r12, #36]\n\t"                                                                                   \
  "vdup.32 q4, r0\n\t"                                                                                       \
  "ldr r0, [r12, #40]\n\t"                                                                                   \
  "vdup.32 q5, r0\n\t"                                                                                       \
  "ldr r0, [r12, #44]\n\t"                                                                                   \
  "vdup.32 q6, r0\n\t"                                                                                       \
  "add r0, r12, #48\n\t"                                                                                     \
  "vldrw.u32 q7, [r0]\n\t"                                                                                   \
  "ldr r8, [r12, #16]\n\t"                                                                                   \
  "ldr r9, [r12, #32]\n\t"                                                                                   \
  "ldrd r10, r11, [r12, #24]\n\t"                                                                            \
  "ldr r12, [r12, #20]\n\t"

/* One channel's dot products over the four staged rows, then its weights' pointer onto the next channel. */
#define MVE_ROWS_DOT_ASM                                                                                      \
  "2:\n\t"                                                                                                   \
  "ldr r0, [r8], #4\n\t"                                                                                     \
  "mov r2, r0\n\t"                                                                                           \
  "mov r4, r0\n\t"                                                                                           \
  "mov r6, r0\n\t"                                                                                           \
  "mov r1, r3\n\t"                                                                                           \
  "dlstp.8 lr, r7\n\t"                                                                                       \
  "1:\n\t"                                                                                                   \
  "vldrb.8 q0, [r5], #16\n\t"                                                                                \
  "vldrb.8 q1, [r1], #16\n\t"                                                                                \
  "vmladava.s8 r0, q1, q0\n\t"                                                                               \
  "vldrb.8 q2, [r1], #16\n\t"                                                                                \
  "vmladava.s8 r2, q2, q0\n\t"                                                                               \
  "vldrb.8 q1, [r1], #16\n\t"                                                                                \
  "vmladava.s8 r4, q1, q0\n\t"                                                                               \
  "vldrb.8 q2, [r1], #16\n\t"                                                                                \
  "vmladava.s8 r6, q2, q0\n\t"                                                                               \
  "letp lr, 1b\n\t"                                                                                          \
  "vmov q0[2], q0[0], r0, r4\n\t"                                                                            \
  "vmov q0[3], q0[1], r2, r6\n\t"                                                                            \
  "vmov.32 r4, q3[0]\n\t"                                                                                    \
  "add r5, r5, r4\n\t"                                                                                       \
  "ldr r0, [r10], #4\n\t"                                                                                    \
  "ldr r2, [r11], #4\n\t"

/* Requantization of q0 with multiplier r0 and shift r2 when every shift is a right shift (-31..-1). */
#define MVE_ROWS_REQUANT_RIGHT_ASM                                                                            \
  "vqrdmulh.s32 q0, q0, r0\n\t"                                                                              \
  "vshr.s32 q1, q0, #31\n\t"                                                                                 \
  "vqadd.s32 q0, q0, q1\n\t"                                                                                 \
  "vrshl.s32 q0, r2\n\t"

/* Any shift: a left part before the multiply, the fix-up only where there is a right part. */
#define MVE_ROWS_REQUANT_ANY_ASM                                                                              \
  "bic r4, r2, r2, asr #31\n\t"                                                                              \
  "vshl.s32 q0, r4\n\t"                                                                                      \
  "lsr r4, r2, #31\n\t"                                                                                      \
  "and r2, r2, r2, asr #31\n\t"                                                                              \
  "vqrdmulh.s32 q0, q0, r0\n\t"                                                                              \
  "vshr.s32 q1, q0, #31\n\t"                                                                                 \
  "vmul.i32 q1, q1, r4\n\t"                                                                                  \
  "vqadd.s32 q0, q0, q1\n\t"                                                                                 \
  "vrshl.s32 q0, r2\n\t"

/* Output offset, clamp, one byte to each row, next channel. */
#define MVE_ROWS_STORE_LEAVE_ASM                                                                              \
  "vadd.i32 q0, q0, q4\n\t"                                                                                  \
  "vmax.s32 q0, q0, q5\n\t"                                                                                  \
  "vmin.s32 q0, q0, q6\n\t"                                                                                  \
  "vstrb.32 q0, [r9, q7]\n\t"                                                                                \
  "adds r9, r9, #1\n\t"                                                                                      \
  "cmp r8, r12\n\t"                                                                                          \
  "bne 2b\n\t"                                                                                               \
  "vpop {d8-d15}\n\t"                                                                                        \
  "pop {r4-r11, pc}\n\t"

__attribute__((naked, noinline)) static void mve_rows_right(const mve_rows_args *args) {
  (void)args;
  __asm__ volatile(MVE_ROWS_ENTER_ASM MVE_ROWS_DOT_ASM MVE_ROWS_REQUANT_RIGHT_ASM MVE_ROWS_STORE_LEAVE_ASM);
}

__attribute__((naked, noinline)) static void mve_rows_any(const mve_rows_args *args) {
  (void)args;
  __asm__ volatile(MVE_ROWS_ENTER_ASM MVE_ROWS_DOT_ASM MVE_ROWS_REQUANT_ANY_ASM MVE_ROWS_STORE_LEAVE_ASM);
}

/* Channels per folded-bias array on the stack, for callers that pass a plain bias. */
#define FOLD_CHUNK 64

int tfg_nn_mve_all_right_shifts(const int32_t *multiplier, const int32_t *shift, int32_t channels) {
  for (int32_t c = 0; c < channels; c++) {
    if (multiplier[c] != 0 && (shift[c] > -1 || shift[c] < -31)) {
      return 0;
    }
  }
  return 1;
}

void tfg_nn_mve_gemm_rows(const int8_t *block, const int8_t *weights, int32_t channels, int32_t depth,
                          const tfg_nn_requant *q, int all_right, int8_t *out, const int32_t out_rows[4]) {
  const int32_t passes = (depth + TFG_MVE_CHUNK - 1) / TFG_MVE_CHUNK;
  mve_rows_args a;
  a.block = block;
  a.depth = depth;
  a.weight_adjust = depth - passes * TFG_MVE_CHUNK;
  a.output_offset = q->output_offset;
  a.act_min = q->activation.min;
  a.act_max = q->activation.max;
  for (int32_t r = 0; r < 4; r++) {
    a.out_rows[r] = out_rows[r];
  }
  void (*const run)(const mve_rows_args *) = all_right ? mve_rows_right : mve_rows_any;
  if (q->folded) {
    a.weights = weights;
    a.bias = q->bias;
    a.bias_end = q->bias + channels;
    a.multiplier = q->multiplier;
    a.shift = q->shift;
    a.out = out;
    run(&a);
    return;
  }
  int32_t folded[FOLD_CHUNK];
  for (int32_t c = 0; c < channels; c += FOLD_CHUNK) {
    const int32_t n = TFG_MIN(FOLD_CHUNK, channels - c);
    tfg_nn_mve_fold_bias(weights + c * depth, depth, q->bias != 0 ? q->bias + c : 0, q->input_offset, n, folded);
    a.weights = weights + c * depth;
    a.bias = folded;
    a.bias_end = folded + n;
    a.multiplier = q->multiplier + c;
    a.shift = q->shift + c;
    a.out = out + c;
    run(&a);
  }
}

/*
 * acc[j] += x . w_j for the four weight rows w[j] (a fully connected layer's channels, sharing each VLDRB of the
 * input). r0 x, r4 r6 r8 r10 the accumulators, r1 r5 r7 r9 the rows, r2 the depth, r3 the arguments.
 */
typedef struct {
  const int8_t *x;    /* 0 */
  const int8_t *w[4]; /* 4 */
  int32_t depth;      /* 20 */
  int32_t acc[4];     /* 24 */
} mve_dot4_args;

__attribute__((naked, noinline)) static void mve_dot4(mve_dot4_args *args) {
  (void)args;
  __asm__ volatile(
      "push {r4-r10, lr}\n\t"
      "mov r3, r0\n\t"
      "ldr r0, [r3, #0]\n\t"
      "ldrd r1, r5, [r3, #4]\n\t"
      "ldrd r7, r9, [r3, #12]\n\t"
      "ldr r2, [r3, #20]\n\t"
      "ldrd r4, r6, [r3, #24]\n\t"
      "ldrd r8, r10, [r3, #32]\n\t"
      "dlstp.8 lr, r2\n\t"
      "1:\n\t"
      "vldrb.8 q0, [r0], #16\n\t"
      "vldrb.8 q1, [r1], #16\n\t"
      "vmladava.s8 r4, q0, q1\n\t"
      "vldrb.8 q2, [r5], #16\n\t"
      "vmladava.s8 r6, q0, q2\n\t"
      "vldrb.8 q1, [r7], #16\n\t"
      "vmladava.s8 r8, q0, q1\n\t"
      "vldrb.8 q2, [r9], #16\n\t"
      "vmladava.s8 r10, q0, q2\n\t"
      "letp lr, 1b\n\t"
      "strd r4, r6, [r3, #24]\n\t"
      "strd r8, r10, [r3, #32]\n\t"
      "pop {r4-r10, pc}\n\t");
}

typedef char mve_dot4_args_layout[__builtin_offsetof(mve_dot4_args, acc) == 24 ? 1 : -1];

/*
 * TFLite's requantization of 4 channels at once (tfg_nn_requantize_x4) plus offset and clamp, stored to the
 * first `n` of out[0..3].
 */
static inline void requant_store4(int32x4_t acc, const tfg_nn_requant *q, int32_t c, int32_t n, int8_t *out) {
  const mve_pred16_t p = vctp32q((uint32_t)n);
  const int32x4_t zero = vdupq_n_s32(0);
  int32x4_t multiplier, shift;
  if (q->quant_stride != 0) {
    multiplier = vldrwq_z_s32(q->multiplier + c, p);
    shift = vldrwq_z_s32(q->shift + c, p);
  } else {
    multiplier = vdupq_n_s32(q->multiplier[0]);
    shift = vdupq_n_s32(q->shift[0]);
  }
  int32x4_t v = tfg_nn_requantize_x4(acc, vmaxq_s32(shift, zero), multiplier, vminq_s32(shift, zero));
  v = vaddq_n_s32(v, q->output_offset);
  v = vminq_s32(vmaxq_s32(v, vdupq_n_s32(q->activation.min)), vdupq_n_s32(q->activation.max));
  vstrbq_p_s32(out, v, p);
}

void tfg_nn_gemm_s8(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                    int32_t depth, const tfg_nn_requant *q, int8_t *out, int32_t out_stride, int16_t *packed) {
  (void)packed;
  mve_dot4_args a;
  a.depth = depth;
  for (int32_t r = 0; r < rows; r++) {
    a.x = lhs + r * lhs_stride;
    for (int32_t c = 0; c < channels; c += 4) {
      const int32_t n = TFG_MIN(4, channels - c);
      for (int32_t j = 0; j < 4; j++) {
        /* Channels past the last repeat it (their lanes are not stored). */
        const int32_t cj = c + TFG_MIN(j, n - 1);
        a.w[j] = rhs + cj * depth;
        const int32_t b = q->bias != 0 ? q->bias[cj] : 0;
        a.acc[j] = q->folded ? b : b + q->input_offset * weight_sum(a.w[j], depth);
      }
      mve_dot4(&a);
      requant_store4(vldrwq_s32(a.acc), q, c, n, out + r * out_stride + c);
    }
  }
}

int32_t tfg_nn_gemm_s8_packed_size(int32_t depth) {
  (void)depth;
  return 0;
}

#endif
