/*
 * First convolution layers on the DSP path (no Helium): input channels not a multiple of 4 (image models' 1 or 3)
 * and a receptive field of at most 32 values (3x3x1, 3x3x3). There the pixel-pair GEMM spends more on each
 * channel pair's setup and requantization constants than on its few MACs.
 *
 * Once per call the filters are widened to int16 into scratch, together with each channel pair's requantization
 * constants, as one record per channel pair (words): bias c0 c1 c0 c1 (the four accumulators' start); per 4 depth
 * steps c0 (w0, w2) (w1, w3) then c1 the same; multiplier c0 c1; post shift c0 c1; rounding c0 c1. The weights are
 * zero past the depth, so inputs there may hold anything. Per output pixel pair both receptive fields are
 * gathered (zero point for padding) and widened into scratch, then one assembly routine walks the records in
 * order: 2 pixels x 2 channels per record with both operands already widened (11 instructions per 16 MACs),
 * requantization with nothing derived per pixel.
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

#include <string.h>

/* The widest receptive field this path takes (8 widened steps per pixel; tfg_nn.h). */
#define FEW_MAX_DEPTH TFG_CONV_FEW_MAX_DEPTH

static int32_t few_steps(int32_t depth) { return (depth + (TFG_NN_WIDEN_STEP - 1)) / TFG_NN_WIDEN_STEP; }

/* Words of a record before its weights: the bias of both channels, twice (one LDM starts all four accumulators). */
#define RECORD_BIAS_WORDS 4

/* Words of one channel pair's record: 4 bias, 4 per step, 6 requantization constants (TFG_CONV_PAIR_RECORD_WORDS
   besides the weights). */
static int32_t record_words(int32_t steps) { return RECORD_BIAS_WORDS + 4 * steps + (TFG_CONV_PAIR_RECORD_WORDS - RECORD_BIAS_WORDS); }

/* Plain arithmetic on every build (the DSP path's size queries ask for it wherever they are compiled). */
int32_t tfg_convolve_few_channels_s8_scratch_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  const int32_t depth = filter_dims->h * filter_dims->w * input_dims->c;
  if (input_dims->c % TFG_NN_WIDEN_STEP == 0 || depth > FEW_MAX_DEPTH) {
    return 0;
  }
  const int32_t steps = few_steps(depth);
  /* The records of every channel pair (an odd last channel pairs with zeros), then the widened pixel pair. */
  return ((filter_dims->n + 1) / 2 * record_words(steps) + 4 * steps) * 4;
}

#if TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE

/* Argument block of few_pairs_asm; the assembly addresses the fields by these offsets. */
typedef struct {
  const int32_t *widened; /* 0 */
  int32_t steps;          /* 4 */
  const int32_t *records; /* 8 */
  const int32_t *end;     /* 12: one past the last record the assembly takes */
  int8_t *out0;           /* 16 */
  int8_t *out1;           /* 20 */
  uint32_t min4;          /* 24 */
  uint32_t max4;          /* 28 */
  int32_t clamp;          /* 32: 0 when the activation bounds are -128 and 127 */
  uintptr_t entry;        /* 36: set by the assembly: where the unrolled step sequence starts for `steps` */
} few_pairs_args;

typedef char few_pairs_args_layout[(__builtin_offsetof(few_pairs_args, out0) == 16 &&
                                    __builtin_offsetof(few_pairs_args, min4) == 24 &&
                                    __builtin_offsetof(few_pairs_args, clamp) == 32 &&
                                    __builtin_offsetof(few_pairs_args, entry) == 36)
                                       ? 1
                                       : -1];

/* Requantize ACC in place (tfg_nn_requantize_fast with the output offset folded into ROUND, see
   prepare_records): MULT, POST = rs - 1; r0, r2 clobbered. */
#define FEW_REQUANT_ASM(ACC, MULT, POST, ROUND)      \
  "and r0, " ACC ", #0x80000000\n\t"                 \
  "add r0, r0, #0x40000000\n\t"                      \
  "add r2, " ROUND ", " ACC ", asr #31\n\t"          \
  "smlal r0, r2, " ACC ", " MULT "\n\t"              \
  "asr " ACC ", r2, " POST "\n\t"

/* One step (4 depth values) of 2 pixels x 2 channels: 11 instructions of 4 bytes each (the entry arithmetic's 44). */
#define FEW_STEP_ASM                \
  "ldmia r0!, {r8-r11}\n\t"         \
  "ldrd r12, lr, [r1], #8\n\t"      \
  "smlad r4, r8, r12, r4\n\t"       \
  "smlad r4, r9, lr, r4\n\t"        \
  "smlad r6, r10, r12, r6\n\t"      \
  "smlad r6, r11, lr, r6\n\t"       \
  "ldrd r12, lr, [r1], #8\n\t"      \
  "smlad r5, r8, r12, r5\n\t"       \
  "smlad r5, r9, lr, r5\n\t"        \
  "smlad r7, r10, r12, r7\n\t"      \
  "smlad r7, r11, lr, r7\n\t"

/*
 * Channel pairs of one widened pixel pair, records from args->records to args->end: r3 holds args, r1 walks the
 * records, r0 the widened pair, r4..r7 accumulate (p0 c0, p0 c1, p1 c0, p1 c1), r8..r11 hold a step's inputs,
 * r12/lr a channel's widened weights. The steps are unrolled 8 times; each record branches to the last `steps` of
 * them (the entry computed once per call). Each pair's four outputs go out as one halfword per pixel.
 */
__attribute__((naked, noinline)) static void few_pairs_asm(few_pairs_args *args) {
  (void)args;
  __asm__ volatile(
      "push {r0, r4-r11, lr}\n\t"
      /* entry = end of the unrolled steps - steps * 44 bytes, Thumb bit set. */
      "ldr r2, [r0, #4]\n\t"
      "add r3, r2, r2, lsl #1\n\t"
      "add r3, r3, r2, lsl #3\n\t"
      "adr r2, 8f\n\t"
      "sub r2, r2, r3, lsl #2\n\t"
      "orr r2, r2, #1\n\t"
      "str r2, [r0, #36]\n\t"
      "ldr r1, [r0, #8]\n\t"
      "mov r3, r0\n\t"
      "2:\n\t"
      "ldr r0, [r3, #0]\n\t"
      "ldr r2, [r3, #36]\n\t"
      "ldmia r1!, {r4-r7}\n\t"
      "bx r2\n\t"
      ".balign 4\n\t"
      FEW_STEP_ASM FEW_STEP_ASM FEW_STEP_ASM FEW_STEP_ASM
      FEW_STEP_ASM FEW_STEP_ASM FEW_STEP_ASM FEW_STEP_ASM
      "8:\n\t"
      /* multiplier c0 c1, post shift c0 c1, rounding (with the output offset) c0 c1 */
      "ldmia r1!, {r8-r12, lr}\n\t"
      FEW_REQUANT_ASM("r4", "r8", "r10", "r12")
      FEW_REQUANT_ASM("r6", "r8", "r10", "r12")
      FEW_REQUANT_ASM("r5", "r9", "r11", "lr")
      FEW_REQUANT_ASM("r7", "r9", "r11", "lr")
      TFG_ASM_PACK_R4_R7
      "ldr r0, [r3, #32]\n\t"
      "cbz r0, 7f\n\t"
      "ldrd r0, r2, [r3, #24]\n\t"
      TFG_ASM_CLAMP_R4("r0", "r2")
      "7:\n\t"
      "ldrd r0, r2, [r3, #16]\n\t"
      "strh r4, [r0], #2\n\t"
      "lsr r4, r4, #16\n\t"
      "strh r4, [r2], #2\n\t"
      "strd r0, r2, [r3, #16]\n\t"
      "ldr r0, [r3, #12]\n\t"
      "cmp r1, r0\n\t"
      "bne 2b\n\t"
      "pop {r0, r4-r11, pc}\n\t");
}

/* lo in the low int16 half, hi in the high one. */
static inline int32_t pack_halves(int32_t lo, int32_t hi) {
  return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu));
}

/*
 * The record's rounding word with the output offset folded in: (hi + offset * 2^post) >> post equals
 * (hi >> post) + offset whenever the sum stays in int32, which holds if |rounding| + |acc| + 4 < 2^31 for the
 * largest accumulator |bias| + depth * 255 * 128. Returns 0 when it might not (the layer takes the generic path).
 * Multiplier 0 (all-zero weights): post shift 8 of offset * 256 + 128 + sign gives the offset, as TFLite does.
 */
static int folded_rounding(int32_t multiplier, int32_t shift, int32_t bias, int32_t depth, int32_t output_offset,
                           int32_t *post, int32_t *rounding) {
  if (multiplier == 0) {
    *post = 8;
    *rounding = output_offset * 256 + 128;
    return 1;
  }
  if (shift > -2 || shift < -31) {
    return 0;
  }
  *post = -shift - 1;
  const int64_t r = ((int64_t)1 << (*post - 1)) + (int64_t)output_offset * ((int64_t)1 << *post);
  const int64_t acc_max = (bias < 0 ? -(int64_t)bias : bias) + (int64_t)depth * 255 * 128;
  if ((r < 0 ? -r : r) + acc_max + 4 >= ((int64_t)1 << 31)) {
    return 0;
  }
  *rounding = (int32_t)r;
  return 1;
}

/* One record per channel pair (layout in the file header); a channel past `channels` is all zeros. Returns 0
   when a channel's requantization cannot take the record's form. */
static int prepare_records(const int8_t *filter, const int32_t *bias, const tfg_per_channel_quant_params *q,
                           int32_t channels, int32_t depth, int32_t output_offset, int32_t *records) {
  const int32_t steps = few_steps(depth), words = record_words(steps);
  for (int32_t c = 0; c < (channels + 1) / 2 * 2; c++) {
    int32_t *rec = records + c / 2 * words;
    const int32_t j = c % 2;
    const int exists = c < channels;
    rec[j] = exists && bias != 0 ? bias[c] : 0;
    rec[2 + j] = rec[j];
    for (int32_t s = 0; s < steps; s++) {
      int32_t v[4];
      for (int32_t k = 0; k < 4; k++) {
        v[k] = exists && 4 * s + k < depth ? filter[c * depth + 4 * s + k] : 0;
      }
      rec[RECORD_BIAS_WORDS + 4 * s + 2 * j] = pack_halves(v[0], v[2]);
      rec[RECORD_BIAS_WORDS + 4 * s + 2 * j + 1] = pack_halves(v[1], v[3]);
    }
    int32_t *consts = rec + RECORD_BIAS_WORDS + 4 * steps;
    consts[j] = exists ? q->multiplier[c] : 0;
    if (!folded_rounding(consts[j], exists ? q->shift[c] : 0, rec[j], depth, output_offset, &consts[2 + j],
                         &consts[4 + j])) {
      return 0;
    }
  }
  return 1;
}

/* n bytes from src to dst, a word at a time while 4 remain (unaligned LDR/STR), never past src + n. */
static inline void copy_field_run(int8_t *dst, const int8_t *src, int32_t n) {
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    int32_t word = tfg_nn_read_s8x4(src + i);
    /* An empty asm on the word keeps GCC from turning the loop into a memcpy call (newlib-nano's copies bytes). */
    __asm__("" : "+r"(word));
    memcpy(dst + i, &word, sizeof(word));
  }
  if (i + 2 <= n) {
    int16_t half;
    memcpy(&half, src + i, sizeof(half));
    memcpy(dst + i, &half, sizeof(half));
    i += 2;
  }
  if (i < n) {
    dst[i] = src[i];
  }
}

/* What locating a receptive field needs, read once per call. */
typedef struct {
  const int8_t *input;
  int32_t stride_h, stride_w, pad_h, pad_w;
  int32_t row_bytes;  /* one input row: w * c */
  int32_t tap_rows;   /* bytes between a field's rows: dilation_h * row_bytes */
  int32_t span;       /* one field row: kw * c bytes */
  int32_t kh, ci;
  int32_t last_iy0;   /* the largest first input row whose field rows all lie inside */
  int32_t last_ix0;   /* the same for the first column; -1 when dilation_w > 1 (never straight) */
} field_geometry;

static void field_geometry_init(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input_batch,
                                const tfg_dims *f, field_geometry *g) {
  g->input = input_batch;
  g->stride_h = p->stride.h;
  g->stride_w = p->stride.w;
  g->pad_h = p->padding.h;
  g->pad_w = p->padding.w;
  g->row_bytes = in->w * in->c;
  g->tap_rows = p->dilation.h * g->row_bytes;
  g->span = f->w * in->c;
  g->kh = f->h;
  g->ci = in->c;
  g->last_iy0 = in->h - 1 - (f->h - 1) * p->dilation.h;
  g->last_ix0 = p->dilation.w == 1 ? in->w - f->w : -1;
}

/* One output pixel's receptive field as int8 in depth order (ky, kx, channel); padding taps hold the zero point. */
static void gather_field(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input_batch, const tfg_dims *f,
                         int32_t oy, int32_t ox, int8_t *field) {
  const int8_t pad_value = (int8_t)(-p->input_offset);
  const int32_t ci = in->c, span = f->w * ci;
  const int32_t ix0 = ox * p->stride.w - p->padding.w;
  const int row_inside = p->dilation.w == 1 && ix0 >= 0 && ix0 + f->w <= in->w;
  for (int32_t ky = 0; ky < f->h; ky++, field += span) {
    const int32_t iy = oy * p->stride.h - p->padding.h + ky * p->dilation.h;
    if (iy < 0 || iy >= in->h) {
      memset(field, pad_value, (size_t)span);
      continue;
    }
    const int8_t *row = input_batch + iy * in->w * ci;
    if (row_inside) {
      copy_field_run(field, row + ix0 * ci, span);
      continue;
    }
    for (int32_t kx = 0; kx < f->w; kx++) {
      const int32_t ix = ix0 + kx * p->dilation.w;
      for (int32_t k = 0; k < ci; k++) {
        field[kx * ci + k] = ix < 0 || ix >= in->w ? pad_value : row[ix * ci + k];
      }
    }
  }
}

/* A field with every tap inside the input as kh straight runs of kw * c bytes; any other through gather_field. */
static inline void field_of(const field_geometry *g, const tfg_conv_params *p, const tfg_dims *in, const tfg_dims *f,
                            int32_t oy, int32_t ox, int8_t *field) {
  const int32_t iy0 = oy * g->stride_h - g->pad_h, ix0 = ox * g->stride_w - g->pad_w;
  if (iy0 < 0 || iy0 > g->last_iy0 || ix0 < 0 || ix0 > g->last_ix0) {
    gather_field(p, in, g->input, f, oy, ox, field);
    return;
  }
  const int8_t *src = g->input + iy0 * g->row_bytes + ix0 * g->ci;
  for (int32_t ky = 0; ky < g->kh; ky++, src += g->tap_rows, field += g->span) {
    copy_field_run(field, src, g->span);
  }
}

/* Both gathered fields as the widened pair: per step pixel 0 (x0, x2) (x1, x3), then pixel 1, offset added. */
static inline void widen_fields(const int32_t *field0, const int32_t *field1, int32_t steps, int32_t offset2,
                                int32_t *dst) {
  for (int32_t s = 0; s < steps; s++, dst += 4) {
    const int32_t a = field0[s], b = field1[s];
    dst[0] = tfg_sxtab16(offset2, a);
    dst[1] = tfg_sxtab16_ror8(offset2, a);
    dst[2] = tfg_sxtab16(offset2, b);
    dst[3] = tfg_sxtab16_ror8(offset2, b);
  }
}

/* The odd last channel (record's channel 0) of both pixels, in C from the same record. */
static void last_channel(const int32_t *rec, const int32_t *widened, int32_t steps, const tfg_activation *act,
                         int8_t *out0, int8_t *out1) {
  int32_t acc0 = rec[0], acc1 = rec[0];
  for (int32_t s = 0; s < steps; s++) {
    const int32_t *x = widened + 4 * s, *w = rec + RECORD_BIAS_WORDS + 4 * s;
    acc0 = __smlad(x[1], w[1], __smlad(x[0], w[0], acc0));
    acc1 = __smlad(x[3], w[1], __smlad(x[2], w[0], acc1));
  }
  const int32_t *consts = rec + RECORD_BIAS_WORDS + 4 * steps;
  /* The rounding word carries the output offset. */
  *out0 = tfg_nn_clamp_s8(tfg_nn_requantize_fast(acc0, consts[0], consts[4], consts[2]), act);
  *out1 = tfg_nn_clamp_s8(tfg_nn_requantize_fast(acc1, consts[0], consts[4], consts[2]), act);
}

int tfg_convolve_few_channels_s8(const tfg_conv_params *p, const tfg_per_channel_quant_params *q,
                                 const tfg_dims *in, const int8_t *input_batch, const tfg_dims *f,
                                 const int8_t *filter, const int32_t *bias, const tfg_dims *out, int8_t *output_batch,
                                 int32_t *scratch) {
  const int32_t channels = out->c, depth = f->h * f->w * in->c;
  if (tfg_convolve_few_channels_s8_scratch_size(in, f) == 0) {
    return 0;
  }
  const int32_t steps = few_steps(depth), words = record_words(steps);
  int32_t *records = scratch;
  int32_t *widened = records + (channels + 1) / 2 * words;
  if (!prepare_records(filter, bias, q, channels, depth, p->output_offset, records)) {
    return 0;
  }
  const uint32_t min4 = tfg_dup8(p->activation.min), max4 = tfg_dup8(p->activation.max);
  const int32_t clamp = min4 != 0x80808080u || max4 != 0x7F7F7F7Fu;
  const int32_t offset2 = tfg_dup16(p->input_offset);
  int32_t fields[2][FEW_MAX_DEPTH / 4];
  memset(fields, 0, sizeof(fields));
  field_geometry g;
  field_geometry_init(p, in, input_batch, f, &g);
  const int32_t pixels = out->h * out->w, asm_pairs = channels / 2;
  for (int32_t first = 0; first < pixels; first += 2) {
    const int32_t second = first + 1 < pixels ? first + 1 : first;
    field_of(&g, p, in, f, first / out->w, first % out->w, (int8_t *)fields[0]);
    field_of(&g, p, in, f, second / out->w, second % out->w, (int8_t *)fields[1]);
    widen_fields(fields[0], fields[1], steps, offset2, widened);
    int8_t *out0 = output_batch + first * channels, *out1 = output_batch + second * channels;
    if (asm_pairs > 0) {
      few_pairs_args args = {widened, steps, records, records + asm_pairs * words, out0, out1, min4, max4, clamp, 0};
      few_pairs_asm(&args);
    }
    if (channels % 2 != 0) {
      last_channel(records + asm_pairs * words, widened, steps, &p->activation, out0 + channels - 1,
                   out1 + channels - 1);
    }
  }
  return 1;
}

#endif
