/*
 * Fully connected int8, per-tensor or per-channel requantization. With symmetric weights (filter_offset 0, as
 * TFLite always has) plain C and Helium run the shared GEMM; a weight zero point takes the direct path.
 *
 * DSP path (Armv7E-M/Armv8-M without Helium): every weight is read once, so only the input is worth widening.
 * Once per call (per batch) the input, plus its offset, goes to scratch as int16 pairs in the order SXTB16 splits
 * a weight word ((x0,x2), (x1,x3) per 4 values), so no PKHBT is needed anywhere. Two output rows then share each
 * LDM of 4 input pairs; per row and 8 depth steps: one LDRD (two LDR for unaligned rows), 4 SXTB16, 4 SMLAD, i.e.
 * 19 instructions per 16 MACs. x + offset lies in [-255, 255], so the pairs are exact int16 and the sums exact
 * int32 (no weight sums needed for the offset); the accumulators start from the bias.
 *
 * Interleaved filters (tfg_fc_params.interleaved, generated for the DSP path): 4 rows per pass, one LDM of their 4
 * weight words per 4 depth values (two SXTB16 and two SMLAD per row), the input as two int16 pairs per 4 values:
 * from scratch widened once (LDRD; 18 instructions per 16 MACs) up to TFG_FC_WIDEN_MAX_DEPTH, or read as int8 and
 * split with SXTB16 (20 per 16 MACs, no scratch; the input offset is then in the folded bias), plus 2 per 4 steps of
 * loop control. One assembly routine runs every group with the per-tensor requantization in its one-SMLAL form and
 * one word store per 4 outputs.
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

#if TFG_NN_HAS_DSP && !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
#define FC_DSP 1
#else
#define FC_DSP 0
#endif

/* Depth steps per block of the DSP inner loop (tfg_nn.h); the remaining depth % 8 steps are done in C from the int8
   input. */
#define FC_BLOCK_DEPTH TFG_FC_BLOCK_DEPTH

/* DSP path: int16 input pairs, for the whole depth when it is a multiple of 4 and at most TFG_FC_WIDEN_MAX_DEPTH (none
   deeper: the int8 input is read directly), else for the whole blocks; none elsewhere. */
static int32_t buffer_size(const tfg_dims *filter_dims, int dsp_path) {
  const int32_t depth = filter_dims->n;
  if (!dsp_path) {
    return 0;
  }
  if (depth % 4 == 0) {
    return depth <= TFG_FC_WIDEN_MAX_DEPTH ? depth * (int32_t)sizeof(int16_t) : 0;
  }
  return (depth / FC_BLOCK_DEPTH) * FC_BLOCK_DEPTH * (int32_t)sizeof(int16_t);
}

/* Where weight (c, k) is: interleaved groups of TFG_FC_GROUP_ROWS rows (tfg_nn.h), then the rows past them as they are. */
static inline int32_t weight_at(int32_t c, int32_t k, int32_t depth, int32_t grouped_rows) {
  if (c >= grouped_rows) {
    return c * depth + k;
  }
  return (c / TFG_FC_GROUP_ROWS) * TFG_FC_GROUP_ROWS * depth + (k / 4) * 4 * TFG_FC_GROUP_ROWS +
         (c % TFG_FC_GROUP_ROWS) * 4 + k % 4;
}

/* Any layout, any requantization, plain C: rows [c_from, channels) of every batch. */
static void interleaved_c(const tfg_nn_requant *q, int32_t batches, int32_t depth, int32_t channels, int32_t c_from,
                          int32_t grouped_rows, const int8_t *input, const int8_t *filter, int8_t *output) {
  for (int32_t b = 0; b < batches; b++) {
    for (int32_t c = c_from; c < channels; c++) {
      int32_t acc = 0; /* tfg_nn_requant_store adds the bias */
      for (int32_t k = 0; k < depth; k++) {
        acc += (input[b * depth + k] + q->input_offset) * filter[weight_at(c, k, depth, grouped_rows)];
      }
      output[b * channels + c] = tfg_nn_requant_store(acc, c, q);
    }
  }
}

int32_t tfg_fully_connected_s8_get_buffer_size(const tfg_dims *filter_dims) { return buffer_size(filter_dims, FC_DSP); }

int32_t tfg_fully_connected_s8_get_buffer_size_dsp(const tfg_dims *filter_dims) { return buffer_size(filter_dims, 1); }

int32_t tfg_fully_connected_s8_get_buffer_size_mve(const tfg_dims *filter_dims) { return buffer_size(filter_dims, 0); }

static void direct_with_filter_offset(const tfg_fc_params *p, const tfg_nn_requant *q, int32_t batches,
                                      int32_t depth, int32_t channels, const int8_t *input, const int8_t *filter,
                                      const int32_t *bias, int8_t *output) {
  for (int32_t b = 0; b < batches; b++) {
    for (int32_t c = 0; c < channels; c++) {
      int32_t acc = 0;
      for (int32_t k = 0; k < depth; k++) {
        acc += (filter[c * depth + k] + p->filter_offset) * (input[b * depth + k] + p->input_offset);
      }
      if (bias != 0) {
        acc += bias[c];
      }
      const int32_t qi = c * q->quant_stride;
      acc = tfg_nn_requantize(acc, q->multiplier[qi], q->shift[qi]);
      output[b * channels + c] = tfg_nn_clamp_s8(acc + p->output_offset, &p->activation);
    }
  }
}

#if FC_DSP

/* pairs[2g], pairs[2g+1] = (x[4g] + o, x[4g+2] + o), (x[4g+1] + o, x[4g+3] + o) for g < blocks * 2. */
static void widen_input(const int8_t *x, int32_t blocks, int32_t input_offset, int32_t *pairs) {
  const int32_t offset2 = tfg_dup16(input_offset);
  for (int32_t g = 0; g < blocks * 2; g++) {
    const int32_t word = tfg_nn_read_s8x4(x + 4 * g);
    pairs[2 * g] = tfg_sxtab16(offset2, word);
    pairs[2 * g + 1] = tfg_sxtab16_ror8(offset2, word);
  }
}

/*
 * acc[0], acc[1] += rows w0 and w1 = w0 + depth (depth / 8 blocks of 8 weights each) · the widened input x.
 * Plain assembly with fixed registers (naked: no compiler register allocation to fail at any -O level): r1 x,
 * r2 w0, r3 w1, r4-r7 four input pairs, r8 r9 lr weights, r10 r11 accumulators, r12 count of block pairs.
 * Two blocks per loop pass; LSRS depth >> 4 leaves the odd block in C (it goes first) and no pairs in Z, and no
 * instruction of a block sets flags, so both survive it.
 * The aligned variant loads 8 weights per LDRD (rows must be word aligned); the other uses two LDR.
 */
#define FC_LOAD_ALIGNED(W) "ldrd r8, r9, [" W "], #8\n\t"
#define FC_LOAD_ANY(W) "ldr r8, [" W "], #4\n\tldr r9, [" W "], #4\n\t"

#define FC_ROW_BLOCK(LOAD, ACC, W)                                                                  \
  LOAD(W)                                                                                           \
  "sxtb16 lr, r8\n\t"                                                                               \
  "sxtb16 r8, r8, ror #8\n\t"                                                                       \
  "smlad " ACC ", r4, lr, " ACC "\n\t"                                                              \
  "smlad " ACC ", r5, r8, " ACC "\n\t"                                                              \
  "sxtb16 lr, r9\n\t"                                                                               \
  "sxtb16 r9, r9, ror #8\n\t"                                                                       \
  "smlad " ACC ", r6, lr, " ACC "\n\t"                                                              \
  "smlad " ACC ", r7, r9, " ACC "\n\t"

#define FC_BLOCK(LOAD) "ldmia r1!, {r4, r5, r6, r7}\n\t" FC_ROW_BLOCK(LOAD, "r10", "r2") FC_ROW_BLOCK(LOAD, "r11", "r3")

#define FC_DOT_2ROWS_BODY(LOAD)                                                                     \
  "push {r4-r11, lr}\n\t"                                                                           \
  "ldrd r10, r11, [r0]\n\t"                                                                         \
  "lsrs r12, r3, #4\n\t"                                                                            \
  "add r3, r2, r3\n\t"                                                                              \
  "bcc 1f\n\t" FC_BLOCK(LOAD)                                                                       \
  "1:\n\t"                                                                                          \
  "beq 3f\n\t"                                                                                      \
  "2:\n\t" FC_BLOCK(LOAD) FC_BLOCK(LOAD)                                                            \
  "subs r12, r12, #1\n\t"                                                                           \
  "bne 2b\n\t"                                                                                      \
  "3:\n\t"                                                                                          \
  "strd r10, r11, [r0]\n\t"                                                                         \
  "pop {r4-r11, pc}\n\t"

/* Naked: the parameters are read by the assembly from r0-r3 and the stack, which the compiler cannot see. */
#define FC_ASM_ARGS                                                                                 \
  int32_t acc[2] __attribute__((unused)), const int32_t *x __attribute__((unused)),                 \
      const int8_t *w0 __attribute__((unused)), int32_t depth __attribute__((unused))

__attribute__((naked, noinline)) static void dot_2rows_aligned(FC_ASM_ARGS) {
  __asm__ volatile(FC_DOT_2ROWS_BODY(FC_LOAD_ALIGNED));
}

__attribute__((naked, noinline)) static void dot_2rows_any(FC_ASM_ARGS) {
  __asm__ volatile(FC_DOT_2ROWS_BODY(FC_LOAD_ANY));
}

/* One of the two above (LDRD when every row starts on a word boundary), chosen once per call. */
typedef void (*fc_dot_2rows_fn)(int32_t acc[2], const int32_t *x, const int8_t *w0, int32_t depth);

/* One row (the odd last channel): the same pairs, one SMLAD per 2 steps. */
static int32_t dot_1row(const int32_t *x, const int8_t *w, int32_t blocks, int32_t acc) {
  for (int32_t g = 0; g < blocks * 2; g++) {
    const int32_t word = tfg_nn_read_s8x4(w + 4 * g);
    acc = __smlad(x[2 * g], tfg_sxtb16(word), acc);
    acc = __smlad(x[2 * g + 1], tfg_sxtb16_ror8(word), acc);
  }
  return acc;
}

/* Depth steps after the last whole block, from the int8 input (depth % 8 of them). */
__attribute__((noinline)) static int32_t dot_tail(const int8_t *x, const int8_t *w, int32_t from, int32_t depth,
                                                  int32_t input_offset, int32_t acc) {
  for (int32_t k = from; k < depth; k++) {
    acc += (x[k] + input_offset) * w[k];
  }
  return acc;
}

/* What one batch row needs besides its input and output. */
typedef struct {
  const int8_t *filter;
  const int32_t *pairs;
  int32_t depth;
  int32_t channels;
  int32_t blocks;
  fc_dot_2rows_fn dot_2rows;
  /* Every channel's shift has the one-SMLAL form (right shift >= 2). */
  int32_t all_fast;
  const tfg_nn_requant *q;
} fc_row_job;

/* Channels per pass: first their accumulators, then their requantization (two short loops keep the compiler's
   registers free around the assembly). */
#define FC_CHUNK 16

/* acc[j] = bias + dot product of channel c0 + j, for j < n (the weight pointer runs through the rows in order). */
__attribute__((noinline)) static void fc_accumulate(const fc_row_job *job, const int8_t *x, int32_t c0, int32_t n,
                                                     int32_t *acc) {
  /* Locals, not job fields: the assembly calls would make the compiler reload those every pass. */
  const int32_t depth = job->depth, blocks = job->blocks, whole = blocks * FC_BLOCK_DEPTH;
  const fc_dot_2rows_fn dot_2rows = job->dot_2rows;
  const int32_t *bias = job->q->bias, *pairs = job->pairs;
  const int8_t *w = job->filter + c0 * depth;
  int32_t j = 0;
  for (; j + 2 <= n; j += 2, w += 2 * depth) {
    acc[j] = bias != 0 ? bias[c0 + j] : 0;
    acc[j + 1] = bias != 0 ? bias[c0 + j + 1] : 0;
    dot_2rows(&acc[j], pairs, w, depth);
  }
  if (j < n) {
    acc[j] = dot_1row(pairs, w, blocks, bias != 0 ? bias[c0 + j] : 0);
  }
  if (whole != depth) {
    for (j = 0; j < n; j++) {
      acc[j] = dot_tail(x, job->filter + (c0 + j) * depth, whole, depth, job->q->input_offset, acc[j]);
    }
  }
}

/* out[j] = clamp(requant(acc[j]) + output_offset) for channels c0 + j, j < n, all in the one-SMLAL form; 4 outputs
   packed and clamped per word. Per-tensor constants are hoisted; per-channel ones read per output. */
__attribute__((noinline)) static void fc_requant_fast(const int32_t *acc, int32_t c0, int32_t n,
                                                       const tfg_nn_requant *q, int8_t *out) {
  const int32_t out_off = q->output_offset;
  const uint32_t min4 = tfg_dup8(q->activation.min), max4 = tfg_dup8(q->activation.max);
  int32_t v[4];
  int32_t j = 0;
  if (q->quant_stride == 0) {
    const int32_t m = q->multiplier[0], round_hi = (int32_t)1 << (-q->shift[0] - 2), post_shift = -q->shift[0] - 1;
    for (; j + 4 <= n; j += 4) {
      const uint32_t word = tfg_pack4_clamp(tfg_nn_requantize_fast(acc[j], m, round_hi, post_shift) + out_off,
                                            tfg_nn_requantize_fast(acc[j + 1], m, round_hi, post_shift) + out_off,
                                            tfg_nn_requantize_fast(acc[j + 2], m, round_hi, post_shift) + out_off,
                                            tfg_nn_requantize_fast(acc[j + 3], m, round_hi, post_shift) + out_off,
                                            min4, max4);
      memcpy(out + j, &word, sizeof(word));
    }
  } else {
    for (; j + 4 <= n; j += 4) {
      for (int32_t k = 0; k < 4; k++) {
        const int32_t s = q->shift[c0 + j + k];
        v[k] = tfg_nn_requantize_fast(acc[j + k], q->multiplier[c0 + j + k], (int32_t)1 << (-s - 2), -s - 1) + out_off;
      }
      const uint32_t word = tfg_pack4_clamp(v[0], v[1], v[2], v[3], min4, max4);
      memcpy(out + j, &word, sizeof(word));
    }
  }
  for (; j < n; j++) {
    const int32_t qi = (c0 + j) * q->quant_stride, s = q->shift[qi];
    const int32_t r = tfg_nn_requantize_fast(acc[j], q->multiplier[qi], (int32_t)1 << (-s - 2), -s - 1) + out_off;
    out[j] = tfg_nn_clamp_s8(r, &q->activation);
  }
}

/* The same for shifts outside the one-SMLAL form (left shifts, right shifts 0 and 1). */
static void fc_requant_general(const int32_t *acc, int32_t c0, int32_t n, const tfg_nn_requant *q, int8_t *out) {
  for (int32_t j = 0; j < n; j++) {
    const int32_t qi = (c0 + j) * q->quant_stride;
    out[j] = tfg_nn_clamp_s8(tfg_nn_requantize(acc[j], q->multiplier[qi], q->shift[qi]) + q->output_offset,
                             &q->activation);
  }
}

static void fc_row(const fc_row_job *job, const int8_t *x, int8_t *o) {
  int32_t acc[FC_CHUNK];
  for (int32_t c0 = 0; c0 < job->channels; c0 += FC_CHUNK) {
    const int32_t n = TFG_MIN(FC_CHUNK, job->channels - c0);
    fc_accumulate(job, x, c0, n, acc);
    if (job->all_fast) {
      fc_requant_fast(acc, c0, n, job->q, o + c0);
    } else {
      fc_requant_general(acc, c0, n, job->q, o + c0);
    }
  }
}

/* What the interleaved routine reads; the assembly addresses the fields by these offsets. */
typedef struct {
  const void *x;          /* 0: widened pairs or int8 input */
  const void *x_end;      /* 4 */
  const int8_t *w;        /* 8: the first group */
  int32_t groups;         /* 12 */
  const int32_t *bias;    /* 16: advances 4 words per group */
  int32_t entry;          /* 20: steps % 4 on entry; the routine puts its loop's entry address there */
  int32_t multiplier;     /* 24 */
  int32_t post;           /* 28: right shift - 1 */
  int32_t round;          /* 32: 2^(right shift - 2) */
  int32_t output_offset;  /* 36 */
  int32_t clamp;          /* 40: 0 when the activation is the whole int8 range */
  uint32_t min4;          /* 44 */
  uint32_t max4;          /* 48 */
  int8_t *out;            /* 52: advances 4 bytes per group */
} fc_group_args;

typedef char fc_group_args_layout[(__builtin_offsetof(fc_group_args, entry) == 20 &&
                                   __builtin_offsetof(fc_group_args, min4) == 44 &&
                                   __builtin_offsetof(fc_group_args, out) == 52)
                                      ? 1
                                      : -1];

/* One row of a group: r8..r11 hold rows 0..3's weight words (W), r2 = (x0, x2), r3 = (x1, x3); r12 clobbered. */
#define FC_GROUP_ROW(ACC, W)                  \
  "sxtb16 r12, " W "\n\t"                     \
  "smlad " ACC ", r2, r12, " ACC "\n\t"       \
  "sxtb16 " W ", " W ", ror #8\n\t"           \
  "smlad " ACC ", r3, " W ", " ACC "\n\t"

#define FC_GROUP_ROWS                          \
  "ldmia r1!, {r8-r11}\n\t"                    \
  FC_GROUP_ROW("r4", "r8") FC_GROUP_ROW("r5", "r9") FC_GROUP_ROW("r6", "r10") FC_GROUP_ROW("r7", "r11")

/* 4 depth values x 4 rows, the input widened in scratch (LDRD of its two pairs) or int8 (LDR, two SXTB16). */
#define FC_STEP_WIDENED "ldrd r2, r3, [r0], #8\n\t" FC_GROUP_ROWS
#define FC_STEP_INT8 "ldr r3, [r0], #4\n\t" "sxtb16 r2, r3\n\t" "sxtb16 r3, r3, ror #8\n\t" FC_GROUP_ROWS

/*
 * Every group: accumulators r4..r7 from the bias, the steps (4 per loop trip; the first trip enters the body where
 * steps % 4 of them are left, at the address computed once on entry, then trips until the input pointer r0 reaches
 * its end in lr; the weight pointer r1 runs on through the groups), then the per-tensor requantization, the output
 * offset, SSAT, the clamp, and one word store. [sp] holds the argument block.
 */
#define FC_GROUPS_BODY(STEP)                                  \
  "ldr r3, [r0, #20]\n\t"                                     \
  "adr.w r2, 1f\n\t"                                          \
  "cmp r3, #1\n\t"                                            \
  "it eq\n\t"                                                 \
  "adreq.w r2, 8f\n\t"                                        \
  "cmp r3, #2\n\t"                                            \
  "it eq\n\t"                                                 \
  "adreq.w r2, 6f\n\t"                                        \
  "cmp r3, #3\n\t"                                            \
  "it eq\n\t"                                                 \
  "adreq.w r2, 5f\n\t"                                        \
  "orr r2, r2, #1\n\t"                                        \
  "str r2, [r0, #20]\n\t"                                     \
  "push {r0, r4-r11, lr}\n\t"                                 \
  "ldr r1, [r0, #8]\n\t"                                      \
  "2:\n\t"                                                    \
  "ldr r12, [sp]\n\t"                                         \
  "ldrd r0, lr, [r12]\n\t"                                    \
  "ldr r2, [r12, #16]\n\t"                                    \
  "ldmia r2!, {r4-r7}\n\t"                                    \
  "str r2, [r12, #16]\n\t"                                    \
  "ldr r3, [r12, #20]\n\t"                                    \
  "bx r3\n\t"                                                 \
  "1:\n\t"                                                    \
  STEP                                                        \
  "5:\n\t"                                                    \
  STEP                                                        \
  "6:\n\t"                                                    \
  STEP                                                        \
  "8:\n\t"                                                    \
  STEP                                                        \
  "cmp r0, lr\n\t"                                            \
  "bne 1b\n\t"                                                \
  "ldr r12, [sp]\n\t"                                         \
  "ldrd r8, r9, [r12, #24]\n\t"                               \
  "ldr r10, [r12, #32]\n\t"                                   \
  TFG_ASM_REQUANT_FAST("r4", "r8", "r9", "r10")               \
  TFG_ASM_REQUANT_FAST("r5", "r8", "r9", "r10")               \
  TFG_ASM_REQUANT_FAST("r6", "r8", "r9", "r10")               \
  TFG_ASM_REQUANT_FAST("r7", "r8", "r9", "r10")               \
  "ldr r0, [r12, #36]\n\t"                                    \
  TFG_ASM_ADD_R4_R7("r0") TFG_ASM_PACK_R4_R7                  \
  "ldr r0, [r12, #40]\n\t"                                    \
  "cbz r0, 7f\n\t"                                            \
  "ldrd r0, r3, [r12, #44]\n\t"                               \
  TFG_ASM_CLAMP_R4("r0", "r3")                                \
  "7:\n\t"                                                    \
  "ldr r0, [r12, #52]\n\t"                                    \
  "str r4, [r0], #4\n\t"                                      \
  "str r0, [r12, #52]\n\t"                                    \
  "ldr r0, [r12, #12]\n\t"                                    \
  "subs r0, r0, #1\n\t"                                       \
  "str r0, [r12, #12]\n\t"                                    \
  "bne 2b\n\t"                                                \
  "pop {r0, r4-r11, pc}\n\t"

__attribute__((naked, noinline)) static void fc_groups_widened(fc_group_args *args __attribute__((unused))) {
  __asm__ volatile(FC_GROUPS_BODY(FC_STEP_WIDENED));
}

__attribute__((naked, noinline)) static void fc_groups_int8(fc_group_args *args __attribute__((unused))) {
  __asm__ volatile(FC_GROUPS_BODY(FC_STEP_INT8));
}

/*
 * Interleaved filter: the assembly over every whole group where it takes the layer (per-tensor requantization with a
 * right shift of 2..31, a bias, a widened input or no input offset, word-aligned weights), plain C for the rest. Returns 0 (nothing written)
 * when the assembly does not take the layer.
 */
static int interleaved_dsp(const tfg_nn_requant *q, int32_t batches, int32_t depth, int32_t channels,
                           const int8_t *input, const int8_t *filter, int8_t *output, int32_t *pairs) {
  const int32_t groups = channels / TFG_FC_GROUP_ROWS, shift = q->shift[0];
  /* LDM needs word-aligned weights (generated arrays are). */
  if (groups == 0 || q->quant_stride != 0 || shift > -2 || shift < -31 || q->bias == 0 ||
      (pairs == 0 && q->input_offset != 0) || ((uintptr_t)filter & 3u) != 0) {
    return 0;
  }
  const int32_t steps = depth / 4;
  fc_group_args a = {0, 0, filter, groups, q->bias, steps % 4, q->multiplier[0], -shift - 1, (int32_t)1 << (-shift - 2),
                     q->output_offset, q->activation.min != -128 || q->activation.max != 127,
                     tfg_dup8(q->activation.min), tfg_dup8(q->activation.max), 0};
  for (int32_t b = 0; b < batches; b++) {
    const int8_t *x = input + b * depth;
    a.w = filter;
    a.groups = groups;
    a.bias = q->bias;
    a.out = output + b * channels;
    a.entry = steps % 4;
    if (pairs != 0) {
      widen_input(x, steps / 2, q->input_offset, pairs);
      if (steps % 2 != 0) {
        const int32_t word = tfg_nn_read_s8x4(x + 4 * (steps - 1)), offset2 = tfg_dup16(q->input_offset);
        pairs[2 * (steps - 1)] = tfg_sxtab16(offset2, word);
        pairs[2 * (steps - 1) + 1] = tfg_sxtab16_ror8(offset2, word);
      }
      a.x = pairs;
      a.x_end = pairs + 2 * steps;
      fc_groups_widened(&a);
    } else {
      a.x = x;
      a.x_end = x + depth;
      fc_groups_int8(&a);
    }
  }
  interleaved_c(q, batches, depth, channels, groups * TFG_FC_GROUP_ROWS, groups * TFG_FC_GROUP_ROWS, input, filter,
                output);
  return 1;
}

static void fully_connected_dsp(const tfg_nn_requant *q, int32_t batches, int32_t depth, int32_t channels,
                                const int8_t *input, const int8_t *filter, int8_t *output, int32_t *pairs) {
  int32_t all_fast = 1;
  for (int32_t c = 0; c < (q->quant_stride != 0 ? channels : 1); c++) {
    all_fast &= q->shift[c] <= -2 && q->shift[c] >= -31;
  }
  const int32_t aligned = ((uintptr_t)filter & 3u) == 0 && depth % 4 == 0;
  const fc_dot_2rows_fn dot_2rows = aligned ? dot_2rows_aligned : dot_2rows_any;
  const fc_row_job job = {filter, pairs, depth, channels, depth / FC_BLOCK_DEPTH, dot_2rows, all_fast, q};
  for (int32_t b = 0; b < batches; b++) {
    widen_input(input + b * depth, job.blocks, q->input_offset, pairs);
    fc_row(&job, input + b * depth, output + b * channels);
  }
}
#endif

static tfg_status fully_connected(const tfg_context *ctx, const tfg_fc_params *p, const int32_t *multiplier,
                                  const int32_t *shift, int32_t quant_stride, const tfg_dims *input_dims,
                                  const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                  const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  const int32_t depth = filter_dims->n;
  const int32_t channels = filter_dims->c;
  const int32_t batches = input_dims->n;
  if (input_dims->h * input_dims->w * input_dims->c != depth || output_dims->c != channels ||
      output_dims->n != batches) {
    return TFG_ARG_ERROR;
  }
  if (p->filter_offset != 0) {
    if (p->folded_bias || p->interleaved) {
      return TFG_ARG_ERROR; /* a folded bias and the interleaved rows assume symmetric weights */
    }
    const tfg_nn_requant q = {bias, multiplier, shift, quant_stride, 0, p->output_offset, p->activation, 0};
    direct_with_filter_offset(p, &q, batches, depth, channels, input, filter, bias, output);
    return TFG_OK;
  }
  /* A folded bias holds the input offset's share: every path then takes the inputs as they are. */
  const int32_t input_offset = p->folded_bias ? 0 : p->input_offset;
  const tfg_nn_requant q = {bias,          multiplier,        shift,          quant_stride,
                            input_offset,  p->output_offset,  p->activation,  p->folded_bias};
  const int32_t grouped_rows = channels / TFG_FC_GROUP_ROWS * TFG_FC_GROUP_ROWS;
  if (p->interleaved && depth % 4 != 0) {
    return TFG_ARG_ERROR;
  }
#if FC_DSP
  const int32_t needed = tfg_fully_connected_s8_get_buffer_size(filter_dims);
  if (needed > 0 && (ctx == 0 || ctx->buf == 0 || ctx->size < needed || ((uintptr_t)ctx->buf & 3u) != 0)) {
    return TFG_ARG_ERROR; /* the widened input needs word-aligned scratch (LDM) */
  }
  int32_t *pairs = needed > 0 ? (int32_t *)ctx->buf : 0;
  if (p->interleaved) {
    if (!interleaved_dsp(&q, batches, depth, channels, input, filter, output, pairs)) {
      interleaved_c(&q, batches, depth, channels, 0, grouped_rows, input, filter, output);
    }
  } else if (pairs == 0 && depth % 4 == 0 && depth > TFG_FC_WIDEN_MAX_DEPTH) {
    /* No room for the widened input (the scratch of an interleaved filter): the plain GEMM. */
    tfg_nn_gemm_s8(input, depth, batches, filter, channels, depth, &q, output, channels, 0);
  } else {
    fully_connected_dsp(&q, batches, depth, channels, input, filter, output, pairs);
  }
#else
  if (p->interleaved) {
    (void)ctx;
    interleaved_c(&q, batches, depth, channels, 0, grouped_rows, input, filter, output);
    return TFG_OK;
  }
  (void)ctx;
  tfg_nn_gemm_s8(input, depth, batches, filter, channels, depth, &q, output, channels, 0);
#endif
  return TFG_OK;
}

tfg_status tfg_fully_connected_s8(const tfg_context *ctx, const tfg_fc_params *fc_params,
                                  const tfg_per_tensor_quant_params *quant_params, const tfg_dims *input_dims,
                                  const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                  const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  return fully_connected(ctx, fc_params, &quant_params->multiplier, &quant_params->shift, 0, input_dims, input,
                         filter_dims, filter, bias, output_dims, output);
}

tfg_status tfg_fully_connected_per_channel_s8(const tfg_context *ctx, const tfg_fc_params *fc_params,
                                              const tfg_per_channel_quant_params *quant_params,
                                              const tfg_dims *input_dims, const int8_t *input,
                                              const tfg_dims *filter_dims, const int8_t *filter,
                                              const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  return fully_connected(ctx, fc_params, quant_params->multiplier, quant_params->shift, 1, input_dims, input,
                         filter_dims, filter, bias, output_dims, output);
}
