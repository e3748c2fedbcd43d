/*
 * Generic int8 depthwise convolution, any channel multiplier: output channel ic * ch_mult + m reads input channel
 * ic only. Out-of-bounds taps are skipped, which equals padding with the input zero point.
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>
#define TFG_NN_DW_MVE 1
#else
#define TFG_NN_DW_MVE 0
#endif

/* Helium stages a border pixel's window (every tap, padding as the zero point) for its 3x3 routine. */
int32_t tfg_depthwise_conv_s8_get_buffer_size_mve(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return filter_dims->h * filter_dims->w * filter_dims->c;
}

int32_t tfg_depthwise_conv_s8_get_buffer_size_dsp(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  (void)filter_dims;
  return 0;
}

int32_t tfg_depthwise_conv_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
#if TFG_NN_DW_MVE
  return tfg_depthwise_conv_s8_get_buffer_size_mve(input_dims, filter_dims);
#else
  return tfg_depthwise_conv_s8_get_buffer_size_dsp(input_dims, filter_dims);
#endif
}

/*
 * One output's sum over the window. Taps outside the input read the input zero point (-input_offset), as TFLite's
 * padding: with the offset added they contribute nothing, and with a folded bias (no offset added) they contribute
 * zero_point * w, the share the folded bias counted for them.
 */
static int32_t window_sum(const tfg_dw_conv_params *p, const tfg_dims *in, const int8_t *input_batch,
                          const tfg_dims *f, const int8_t *filter, int32_t oy, int32_t ox, int32_t ic, int32_t oc,
                          int32_t out_c) {
  const int32_t offset = p->folded_bias ? 0 : p->input_offset;
  int32_t acc = 0;
  for (int32_t ky = 0; ky < f->h; ky++) {
    const int32_t iy = oy * p->stride.h - p->padding.h + ky * p->dilation.h;
    for (int32_t kx = 0; kx < f->w; kx++) {
      const int32_t ix = ox * p->stride.w - p->padding.w + kx * p->dilation.w;
      const int32_t inside = iy >= 0 && iy < in->h && ix >= 0 && ix < in->w;
      const int32_t x = inside ? input_batch[(iy * in->w + ix) * in->c + ic] : -p->input_offset;
      acc += filter[(ky * f->w + kx) * out_c + oc] * (x + offset);
    }
  }
  return acc;
}

/* The tap range [begin, end) of one filter axis that lands inside [0, size) from origin o with dilation d. */
static inline void tap_range(int32_t o, int32_t d, int32_t taps, int32_t size, int32_t *begin, int32_t *end) {
  if (d == 1) {
    *begin = o >= 0 ? 0 : -o;
    *end = TFG_MIN(taps, TFG_MAX(size - o, 0));
    return;
  }
  *begin = o >= 0 ? 0 : (-o + d - 1) / d;
  *end = TFG_MIN(taps, size - o <= 0 ? 0 : (size - o + d - 1) / d);
}

#if TFG_NN_DW_MVE
/*
 * Helium, channel multiplier 1: 4 channels per int32x4 vector (VLDRB.S32 widens the int8 input and weights), a
 * VMUL + VADD per tap; requantization of the 4 lanes at once (tfg_nn_requantize_x4), exact as everywhere. Interior
 * pixels of a 3x3 filter (dilation 1, channels a multiple of 4) take the nine taps unrolled with no bounds and,
 * with a folded bias, no input offset; the rest go tap range by tap range, lane-predicated for a channel tail.
 * Output rows are finished in increasing order, as the in-place rules require.
 */
typedef struct {
  int32x4_t zero, act_min, act_max;
  int32_t output_offset;
  const int32_t *bias, *multiplier, *shift;
} dw_mve_out;

static inline void dw_mve_store(int32x4_t acc, const dw_mve_out *q, int32_t c, mve_pred16_t pr, int8_t *o) {
  const int32x4_t shift = vldrwq_z_s32(q->shift + c, pr);
  /* Lanes past the channels: multiplier and shift 0, and they are not stored. */
  int32x4_t v = tfg_nn_requantize_x4(acc, vmaxq_s32(shift, q->zero), vldrwq_z_s32(q->multiplier + c, pr),
                                     vminq_s32(shift, q->zero));
  v = vminq_s32(vmaxq_s32(vaddq_n_s32(v, q->output_offset), q->act_min), q->act_max);
  vstrbq_p_s32(o, v, pr);
}

/* Nine taps of a 3x3 filter for 4 channels, every tap inside the input (x: tap (0, 0); w: the filter's). */
static inline __attribute__((always_inline)) int32x4_t dw3x3_mve(int32x4_t acc, const int8_t *x, int32_t x_step,
                                                                 int32_t y_step, const int8_t *w, int32_t channels,
                                                                 int with_offset, int32_t offset) {
  for (int32_t ky = 0; ky < 3; ky++, x += y_step, w += 3 * channels) {
    for (int32_t kx = 0; kx < 3; kx++) {
      int32x4_t xv = vldrbq_s32(x + kx * x_step);
      if (with_offset) {
        xv = vaddq_n_s32(xv, offset);
      }
      acc = vaddq_s32(acc, vmulq_s32(xv, vldrbq_s32(w + kx * channels)));
    }
  }
  return acc;
}

/*
 * The 3x3 routine: a run of output pixels, 8 channels per pass as int16 lanes (VLDRB.S16 widens input and weights),
 * even and odd channels multiplied into two int32 accumulators (VMULLB / VMULLT, VADD), the bias folded (no input
 * offset), every tap inside (borders come staged); requantization with right shifts only, VMOVNT interleaving the
 * two halves back into channel order for one VSTRB.16. The bias, multipliers and shifts are read de-interleaved by
 * VLD20/VLD21, so the channels must be a multiple of 8. 92 instructions per 72 MACs.
 *
 * Registers: r0 r1 r2 the three input rows at tap (ky, 0), r4 r5 r6 the three filter rows, r7 r3 column taps (the
 * widening loads take low registers only), r12 the channels (bytes between column taps), r8 r9 r10 bias,
 * multipliers, shifts, r11 the output, lr the channel blocks; q0 q1 the even and odd accumulators, q6 q7 the clamp.
 */
typedef struct {
  const int8_t *rows[3];     /* 0: tap (ky, 0) of the first pixel, per filter row */
  int32_t channels;          /* 12 */
  const int8_t *filter;      /* 16 */
  const int32_t *bias;       /* 20: folded */
  const int32_t *multiplier; /* 24 */
  const int32_t *shift;      /* 28 */
  int8_t *out;               /* 32: the first pixel's */
  int32_t x_step;            /* 36: bytes between the run's pixels in the rows */
  int32_t count;             /* 40: pixels */
  int32_t output_offset;     /* 44 */
  int32_t act_min;           /* 48 */
  int32_t act_max;           /* 52 */
} dw3x3_run_args;

typedef char dw3x3_run_args_layout[(__builtin_offsetof(dw3x3_run_args, x_step) == 36 &&
                                    __builtin_offsetof(dw3x3_run_args, act_max) == 52)
                                       ? 1
                                       : -1];

/* Three taps of one filter row: x row `X`, filter row `W`; the first tap's loads step both on by 8 channels. */
#define DW3_ROW_ASM(X, W)                 \
  "add r7, " X ", r12\n\t"                \
  "add r3, " W ", r12\n\t"               \
  "vldrb.s16 q2, [" X "], #8\n\t"        \
  "vldrb.s16 q3, [" W "], #8\n\t"        \
  "vmullb.s16 q4, q2, q3\n\t"            \
  "vmullt.s16 q2, q2, q3\n\t"            \
  "vadd.i32 q0, q0, q4\n\t"              \
  "vadd.i32 q1, q1, q2\n\t"              \
  "vldrb.s16 q2, [r7]\n\t"               \
  "vldrb.s16 q3, [r3]\n\t"              \
  "vmullb.s16 q4, q2, q3\n\t"            \
  "vmullt.s16 q2, q2, q3\n\t"            \
  "vadd.i32 q0, q0, q4\n\t"              \
  "vadd.i32 q1, q1, q2\n\t"              \
  "add r7, r7, r12\n\t"                   \
  "add r3, r3, r12\n\t"                 \
  "vldrb.s16 q2, [r7]\n\t"               \
  "vldrb.s16 q3, [r3]\n\t"              \
  "vmullb.s16 q4, q2, q3\n\t"            \
  "vmullt.s16 q2, q2, q3\n\t"            \
  "vadd.i32 q0, q0, q4\n\t"              \
  "vadd.i32 q1, q1, q2\n\t"

__attribute__((naked, noinline)) static void dw3x3_run_mve(const dw3x3_run_args *args) {
  (void)args;
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "vpush {d12-d15}\n\t"
      /* Locals: [sp] output offset, [sp, #4] pixels left, [sp, #8] args. */
      "sub sp, sp, #16\n\t"
      "str r0, [sp, #8]\n\t"
      "ldr r7, [r0, #44]\n\t"
      "str r7, [sp]\n\t"
      "ldr r7, [r0, #40]\n\t"
      "str r7, [sp, #4]\n\t"
      "ldr r7, [r0, #48]\n\t"
      "vdup.32 q6, r7\n\t"
      "ldr r7, [r0, #52]\n\t"
      "vdup.32 q7, r7\n\t"
      "ldr r11, [r0, #32]\n\t"
      "ldr r12, [r0, #12]\n\t"
      "3:\n\t"
      "ldr r3, [sp, #8]\n\t"
      "ldm r3, {r0, r1, r2}\n\t"
      "ldr r4, [r3, #16]\n\t"
      "add r5, r4, r12\n\t"
      "add r5, r5, r12, lsl #1\n\t"
      "add r6, r5, r12\n\t"
      "add r6, r6, r12, lsl #1\n\t"
      "ldrd r8, r9, [r3, #20]\n\t"
      "ldr r10, [r3, #28]\n\t"
      "lsr r7, r12, #3\n\t"
      "dls lr, r7\n\t"
      "1:\n\t"
      "vld20.32 {q0, q1}, [r8]\n\t"
      "vld21.32 {q0, q1}, [r8]!\n\t"
      DW3_ROW_ASM("r0", "r4") DW3_ROW_ASM("r1", "r5") DW3_ROW_ASM("r2", "r6")
      "vld20.32 {q2, q3}, [r9]\n\t"
      "vld21.32 {q2, q3}, [r9]!\n\t"
      "vqrdmulh.s32 q0, q0, q2\n\t"
      "vqrdmulh.s32 q1, q1, q3\n\t"
      "vld20.32 {q2, q3}, [r10]\n\t"
      "vld21.32 {q2, q3}, [r10]!\n\t"
      "vshr.s32 q4, q0, #31\n\t"
      "vqadd.s32 q0, q0, q4\n\t"
      "vrshl.s32 q0, q0, q2\n\t"
      "vshr.s32 q4, q1, #31\n\t"
      "vqadd.s32 q1, q1, q4\n\t"
      "vrshl.s32 q1, q1, q3\n\t"
      "ldr r7, [sp]\n\t"
      "vadd.i32 q0, q0, r7\n\t"
      "vadd.i32 q1, q1, r7\n\t"
      "vmax.s32 q0, q0, q6\n\t"
      "vmax.s32 q1, q1, q6\n\t"
      "vmin.s32 q0, q0, q7\n\t"
      "vmin.s32 q1, q1, q7\n\t"
      "vmovnt.i32 q0, q1\n\t"
      /* The narrowing store takes a low register, all in use: a copy of the output pointer. */
      "mov r7, r11\n\t"
      "vstrb.16 q0, [r7]\n\t"
      "add r11, r11, #8\n\t"
      "le lr, 1b\n\t"
      /* The next pixel: every row pointer one x_step on. */
      "ldr r3, [sp, #8]\n\t"
      "ldm r3, {r0, r1, r2}\n\t"
      "ldr r7, [r3, #36]\n\t"
      "add r0, r0, r7\n\t"
      "add r1, r1, r7\n\t"
      "add r2, r2, r7\n\t"
      "stm r3, {r0, r1, r2}\n\t"
      "ldr r7, [sp, #4]\n\t"
      "subs r7, r7, #1\n\t"
      "str r7, [sp, #4]\n\t"
      "bne 3b\n\t"
      "add sp, sp, #16\n\t"
      "vpop {d12-d15}\n\t"
      "pop {r4-r11, pc}\n\t");
}

/* One border pixel's 3x3 window into `window` (rows of 3 taps x channels), padding as the input zero point. */
static void dw_stage_window(const tfg_dims *in, const int8_t *input_batch, int32_t y0, int32_t x0, int8_t pad_value,
                            int8_t *window) {
  const int32_t c = in->c;
  for (int32_t ky = 0; ky < 3; ky++) {
    for (int32_t kx = 0; kx < 3; kx++) {
      int8_t *dst = window + (ky * 3 + kx) * c;
      const int32_t iy = y0 + ky, ix = x0 + kx;
      if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w) {
        memset(dst, pad_value, (size_t)c);
      } else {
        memcpy(dst, input_batch + (iy * in->w + ix) * c, (size_t)c);
      }
    }
  }
}

/*
 * Channel multiplier 1, 3x3, dilation 1, folded bias, channels a multiple of 8, right shifts only: interior runs of
 * each output row straight from the input, border pixels through their staged window.
 */
static void depthwise_3x3_mve(const tfg_dw_conv_params *p, const tfg_per_channel_quant_params *quant,
                              const tfg_dims *in, const int8_t *input_batch, const int8_t *filter, const int32_t *bias,
                              const tfg_dims *out, int8_t *output_batch, int8_t *window) {
  const int32_t channels = in->c, sw = p->stride.w, pw = p->padding.w;
  dw3x3_run_args a;
  a.channels = channels;
  a.filter = filter;
  a.bias = bias;
  a.multiplier = quant->multiplier;
  a.shift = quant->shift;
  a.output_offset = p->output_offset;
  a.act_min = p->activation.min;
  a.act_max = p->activation.max;
  /* Interior columns: every tap inside [0, in->w). */
  int32_t ox_begin = 0;
  while (ox_begin < out->w && ox_begin * sw - pw < 0) ox_begin++;
  int32_t ox_end = out->w;
  while (ox_end > ox_begin && (ox_end - 1) * sw - pw + 3 > in->w) ox_end--;
  for (int32_t oy = 0; oy < out->h; oy++) {
    const int32_t y0 = oy * p->stride.h - p->padding.h;
    const int rows_inside = y0 >= 0 && y0 + 3 <= in->h;
    int8_t *out_row = output_batch + oy * out->w * channels;
    for (int32_t ox = 0; ox < out->w;) {
      const int32_t x0 = ox * sw - pw;
      a.out = out_row + ox * channels;
      if (rows_inside && ox >= ox_begin && ox < ox_end) {
        for (int32_t ky = 0; ky < 3; ky++) a.rows[ky] = input_batch + ((y0 + ky) * in->w + x0) * channels;
        a.x_step = sw * channels;
        a.count = ox_end - ox;
        dw3x3_run_mve(&a);
        ox = ox_end;
        continue;
      }
      dw_stage_window(in, input_batch, y0, x0, (int8_t)(-p->input_offset), window);
      for (int32_t ky = 0; ky < 3; ky++) a.rows[ky] = window + ky * 3 * channels;
      a.x_step = 0;
      a.count = 1;
      dw3x3_run_mve(&a);
      ox++;
    }
  }
}

/* Every channel's shift is a right shift of 1..31 (or its multiplier 0): the 3x3 routine's requantization. */
static int dw_right_shifts_only(const tfg_per_channel_quant_params *quant, int32_t channels) {
  for (int32_t c = 0; c < channels; c++) {
    if (quant->multiplier[c] != 0 && (quant->shift[c] > -1 || quant->shift[c] < -31)) return 0;
  }
  return 1;
}

static void depthwise_mult1_mve(const tfg_dw_conv_params *p, const tfg_per_channel_quant_params *quant,
                                const tfg_dims *in, const int8_t *input_batch, const tfg_dims *f, const int8_t *filter,
                                const int32_t *bias, const tfg_dims *out, int8_t *output_batch) {
  const int32_t channels = in->c;
  const int32_t dh = p->dilation.h, dw = p->dilation.w;
  const int folded = p->folded_bias;
  /* Added to the inputs: the offset, or nothing where the bias holds its share; padding taps then read the zero
     point (their share in a folded bias). */
  const int32_t offset = folded ? 0 : p->input_offset;
  const int8_t pad_value = (int8_t)(-p->input_offset);
  const dw_mve_out q = {vdupq_n_s32(0), vdupq_n_s32(p->activation.min), vdupq_n_s32(p->activation.max),
                        p->output_offset, bias, quant->multiplier, quant->shift};
  const int fast3x3 = f->h == 3 && f->w == 3 && dh == 1 && dw == 1 && channels % 4 == 0;
  const int32_t x_step = dw * channels, y_step = dh * in->w * channels;
  for (int32_t oy = 0; oy < out->h; oy++) {
    const int32_t y0 = oy * p->stride.h - p->padding.h;
    int32_t ky_begin, ky_end;
    tap_range(y0, dh, f->h, in->h, &ky_begin, &ky_end);
    for (int32_t ox = 0; ox < out->w; ox++) {
      const int32_t x0 = ox * p->stride.w - p->padding.w;
      int32_t kx_begin, kx_end;
      tap_range(x0, dw, f->w, in->w, &kx_begin, &kx_end);
      int8_t *o = output_batch + (oy * out->w + ox) * channels;
      const int8_t *x00 = input_batch + (y0 * in->w + x0) * channels;
      if (fast3x3 && ky_begin == 0 && ky_end == 3 && kx_begin == 0 && kx_end == 3) {
        for (int32_t c = 0; c < channels; c += 4) {
          const int32x4_t start = bias != 0 ? vldrwq_s32(bias + c) : q.zero;
          const int32x4_t acc = folded ? dw3x3_mve(start, x00 + c, x_step, y_step, filter + c, channels, 0, 0)
                                       : dw3x3_mve(start, x00 + c, x_step, y_step, filter + c, channels, 1, offset);
          dw_mve_store(acc, &q, c, vctp32q(4), o + c);
        }
        continue;
      }
      /* Taps outside the input: with a folded bias each adds zero_point * w (tap_share), else nothing. */
      const int pad_taps = folded && (ky_end - ky_begin) * (kx_end - kx_begin) != f->h * f->w;
      for (int32_t c = 0; c < channels; c += 4) {
        const mve_pred16_t pr = vctp32q((uint32_t)(channels - c));
        int32x4_t acc = bias != 0 ? vldrwq_z_s32(bias + c, pr) : q.zero;
        for (int32_t ky = 0; ky < f->h; ky++) {
          const int row_in = ky >= ky_begin && ky < ky_end;
          if (!row_in && !pad_taps) {
            continue;
          }
          for (int32_t kx = 0; kx < f->w; kx++) {
            const int8_t *w = filter + (ky * f->w + kx) * channels + c;
            if (row_in && kx >= kx_begin && kx < kx_end) {
              const int32x4_t xv = vaddq_n_s32(vldrbq_z_s32(x00 + ky * y_step + kx * x_step + c, pr), offset);
              acc = vaddq_s32(acc, vmulq_s32(xv, vldrbq_z_s32(w, pr)));
            } else if (pad_taps) {
              acc = vaddq_s32(acc, vmulq_n_s32(vldrbq_z_s32(w, pr), pad_value));
            }
          }
        }
        dw_mve_store(acc, &q, c, pr, o + c);
      }
    }
  }
}
#endif

#if TFG_NN_HAS_DSP && !TFG_NN_DW_MVE
/* Filters up to this many taps get their 4-channel weight block widened once per row (on the stack). */
#define TFG_DW_MAX_TAPS 32


/* One tap of 4 channels: widen the input word with the offset added, multiply-accumulate with the int16 weights
   (we: channels 0 and 2, wo: channels 1 and 3). */
#define DW_TAP(ptr, we, wo)                                                 \
  do {                                                                      \
    const int32_t xw_ = tfg_nn_read_s8x4(ptr);                              \
    const int32_t xe_ = tfg_sxtab16(offset2, xw_), xo_ = tfg_sxtab16_ror8(offset2, xw_); \
    a0 = __smlabb(xe_, (we), a0);                                           \
    a1 = __smlabb(xo_, (wo), a1);                                           \
    a2 = __smlatt(xe_, (we), a2);                                           \
    a3 = __smlatt(xo_, (wo), a3);                                           \
  } while (0)

/* State of dw_rows_3_wide: accumulators in and out, then the constant inputs. */
typedef struct {
  int32_t acc[4];
  int32_t offset2;
  const int32_t *wide;
  int32_t rows;
} dw_rows_state;

/* One tap: r8 = input word -> r9 (channels 0, 2) and r8 (1, 3) with the offset (r12) added; r10/r11 = int16
   weights (post-incremented); r4..r7 accumulate channels 0..3. */
#define DW_TAP_ASM                    \
  "sxtab16 r9, r12, r8\n\t"          \
  "sxtab16 r8, r12, r8, ror #8\n\t"  \
  "ldrd r10, r11, [lr], #8\n\t"      \
  "smlabb r4, r9, r10, r4\n\t"       \
  "smlabb r5, r8, r11, r5\n\t"       \
  "smlatt r6, r9, r10, r6\n\t"       \
  "smlatt r7, r8, r11, r7\n\t"

/*
 * Row loops over 4 channels (r0: first tap of the row, r1: bytes between column taps, r2: bytes between rows,
 * r3: rows left, lr: widened weights, accumulators r4-r7): all three taps of a 3-wide filter, or the first two
 * (an image border; the third weight is skipped). `label` is a numeric local label.
 */
#define DW_ROWS_3_WIDE_ASM(label)              \
  label ":\n\t"                              \
  "ldr r8, [r0]\n\t" DW_TAP_ASM              \
  "ldr r8, [r0, r1]\n\t" DW_TAP_ASM          \
  "ldr r8, [r0, r1, lsl #1]\n\t" DW_TAP_ASM  \
  "add r0, r0, r2\n\t"                       \
  "subs r3, r3, #1\n\t"                      \
  "bne " label "b\n\t"
#define DW_ROWS_2_OF_3_ASM(label)              \
  label ":\n\t"                              \
  "ldr r8, [r0]\n\t" DW_TAP_ASM              \
  "ldr r8, [r0, r1]\n\t" DW_TAP_ASM          \
  "add lr, lr, #8\n\t"                       \
  "add r0, r0, r2\n\t"                       \
  "subs r3, r3, #1\n\t"                      \
  "bne " label "b\n\t"

/* Entry and exit of the dw_rows_* routines: accumulators, weights and row count from the state, back at the end. */
#define DW_ROWS_ENTER_ASM    \
  "push {r3-r11, lr}\n\t"  \
  "ldr r12, [r3, #16]\n\t" \
  "ldr lr, [r3, #20]\n\t"  \
  "ldr r9, [r3, #24]\n\t"  \
  "ldm r3, {r4-r7}\n\t"    \
  "mov r3, r9\n\t"
#define DW_ROWS_LEAVE_ASM \
  "pop {r3}\n\t"        \
  "stm r3, {r4-r7}\n\t" \
  "pop {r4-r11, pc}\n\t"

/*
 * `rows` rows of a 3-wide filter whose three taps are all inside the input (x: first tap of the first row,
 * 4 channels), in hand-scheduled assembly: 8 instructions per tap, every value in a register (the compiler
 * spilled this loop to the stack).
 */
__attribute__((naked, noinline)) static void dw_rows_3_wide(const int8_t *x, int32_t channels, int32_t y_step,
                                                            dw_rows_state *state) {
  (void)x;
  (void)channels;
  (void)y_step;
  (void)state;
  __asm__ volatile(
      DW_ROWS_ENTER_ASM DW_ROWS_3_WIDE_ASM("1") DW_ROWS_LEAVE_ASM);
}

/* The same for two taps per row of a 3-wide filter (left or right image border): the third weight is skipped. */
__attribute__((naked, noinline)) static void dw_rows_2_of_3(const int8_t *x, int32_t channels, int32_t y_step,
                                                            dw_rows_state *state) {
  (void)x;
  (void)channels;
  (void)y_step;
  (void)state;
  __asm__ volatile(
      DW_ROWS_ENTER_ASM DW_ROWS_2_OF_3_ASM("1") DW_ROWS_LEAVE_ASM);
}

/*
 * A run of output pixels of one output row and one 4-channel block, 3-wide filter, dilation 1, whose column
 * taps are clipped alike (interior: 3 taps per row; a border pixel: 2), finished in assembly with the
 * requantization: the accumulators never leave registers. Offsets are asserted below.
 */
typedef struct {
  const int8_t *x;          /* 0: first in-bounds tap of the current pixel */
  int32_t channels;         /* 4: bytes between column taps */
  int32_t y_step;           /* 8: bytes between row taps */
  int32_t rows;             /* 12: in-bounds filter rows */
  const int32_t *wide;      /* 16: widened weights of the first in-bounds tap */
  int32_t offset2;          /* 20: input offset in both int16 halves */
  int32_t bias[4];          /* 24 */
  int32_t multiplier[4];    /* 40 */
  int32_t round_post[8];    /* 56: per channel 2^(rs-2) and rs-1 (tfg_nn_fast_quant) */
  int32_t output_offset;    /* 88 */
  uint32_t min4;            /* 92 */
  uint32_t max4;            /* 96 */
  int8_t *out;              /* 100 */
  int32_t x_step;           /* 104: bytes between pixels (stride x channels) */
  int32_t count;            /* 108: pixels left */
  int32_t two_taps;         /* 112: 2 taps per row (the third weight skipped) instead of 3 */
  int32_t clamp;            /* 116: 0 when the activation bounds are -128 and 127 */
} dw_run_args;

typedef char dw_run_args_layout[(__builtin_offsetof(dw_run_args, x_step) == 104 &&
                                 __builtin_offsetof(dw_run_args, clamp) == 116)
                                    ? 1
                                    : -1];

/* acc (r4..r7 are channels 0..3) to int8 in place: the one-SMLAL requantization; r0 and lr are clobbered. */
#define DW_REQUANT_ASM(ACC, MULT, ROUND, POST) \
  "and r0, " ACC ", #0x80000000\n\t"           \
  "add r0, r0, #0x40000000\n\t"                \
  "add lr, " ROUND ", " ACC ", asr #31\n\t"    \
  "smlal r0, lr, " ACC ", " MULT "\n\t"        \
  "asr " ACC ", lr, " POST "\n\t"

__attribute__((naked, noinline)) static void dw_run_3_wide(dw_run_args *args) {
  (void)args;
  __asm__ volatile(
      "push {r0, r4-r11, lr}\n\t"
      "2:\n\t"
      "ldr r12, [sp]\n\t"
      "ldm r12, {r0-r3}\n\t"
      "ldr lr, [r12, #16]\n\t"
      "ldrd r4, r5, [r12, #24]\n\t"
      "ldrd r6, r7, [r12, #32]\n\t"
      "ldr r8, [r12, #112]\n\t"
      "ldr r12, [r12, #20]\n\t"
      "cmp r8, #0\n\t"
      "bne 5f\n\t"
      DW_ROWS_3_WIDE_ASM("1")
      "b 6f\n\t"
      DW_ROWS_2_OF_3_ASM("5")
      "6:\n\t"
      "ldr r12, [sp]\n\t"
      "add lr, r12, #40\n\t"
      "ldm lr, {r8-r11}\n\t"
      "ldrd r2, r3, [r12, #56]\n\t" DW_REQUANT_ASM("r4", "r8", "r2", "r3")
      "ldrd r2, r3, [r12, #64]\n\t" DW_REQUANT_ASM("r5", "r9", "r2", "r3")
      "ldrd r2, r3, [r12, #72]\n\t" DW_REQUANT_ASM("r6", "r10", "r2", "r3")
      "ldrd r2, r3, [r12, #80]\n\t" DW_REQUANT_ASM("r7", "r11", "r2", "r3")
      "ldr r0, [r12, #88]\n\t"
      TFG_ASM_ADD_R4_R7("r0") TFG_ASM_PACK_R4_R7
      /* The activation clamp, unless it is the whole int8 range (ReLU with output zero point -128). */
      "ldr r0, [r12, #116]\n\t"
      "cbz r0, 7f\n\t"
      "ldrd r0, r1, [r12, #92]\n\t"
      TFG_ASM_CLAMP_R4("r0", "r1")
      "7:\n\t"
      "ldr r0, [r12, #100]\n\t"
      "ldr r1, [r12, #4]\n\t"
      "str r4, [r0]\n\t"
      "add r0, r0, r1\n\t"
      "str r0, [r12, #100]\n\t"
      "ldr r0, [r12, #0]\n\t"
      "ldr r1, [r12, #104]\n\t"
      "add r0, r0, r1\n\t"
      "str r0, [r12, #0]\n\t"
      "ldr r0, [r12, #108]\n\t"
      "subs r0, r0, #1\n\t"
      "str r0, [r12, #108]\n\t"
      "bne 2b\n\t"
      "pop {r0, r4-r11, pc}\n\t");
}

/*
 * Channel multiplier 1 on the DSP extension, one output row at a time, 4 channels at a time across the row: the
 * block's weights are widened to int16 pairs once (SXTB16 order), its requantization constants and bias are
 * hoisted, and each tap costs one LDR of input, two SXTAB16 (widen + input offset), one LDRD of weights and
 * four SMLABB/SMLATT. Output rows are finished in increasing order, so row-streamed in-place layers stay safe.
 */
static void depthwise_mult1_dsp(const tfg_dw_conv_params *p, const tfg_per_channel_quant_params *quant,
                                const tfg_dims *in, const int8_t *input_batch, const tfg_dims *f, const int8_t *filter,
                                const int32_t *bias, const tfg_dims *out, int8_t *output_batch, int32_t ox_begin,
                                int32_t ox_end) {
  const int32_t channels = in->c;
  const int32_t offset2 = tfg_dup16(p->input_offset);
  const int32_t dh = p->dilation.h, dw = p->dilation.w;
  const int32_t output_offset = p->output_offset, act_min = p->activation.min, act_max = p->activation.max;
  const uint32_t min4 = tfg_dup8(act_min), max4 = tfg_dup8(act_max);
  const int32_t x_step = dw * channels, y_step = dh * in->w * channels;
  const int three_wide = f->w == 3 && dw == 1;
  int32_t wide[2 * TFG_DW_MAX_TAPS];
  for (int32_t oy = 0; oy < out->h; oy++) {
    const int32_t y0 = oy * p->stride.h - p->padding.h;
    int32_t ky_begin, ky_end;
    tap_range(y0, dh, f->h, in->h, &ky_begin, &ky_end);
    int8_t *out_row = output_batch + oy * out->w * channels;
    int32_t c = 0;
    for (; c + 4 <= channels; c += 4) {
      for (int32_t t = 0; t < f->h * f->w; t++) {
        const int32_t ww = tfg_nn_read_s8x4(filter + t * channels + c);
        wide[2 * t] = tfg_sxtb16(ww);
        wide[2 * t + 1] = tfg_sxtb16_ror8(ww);
      }
      tfg_nn_fast_quant fq[4];
      int all_fast = 1;
      int32_t b[4];
      for (int32_t j = 0; j < 4; j++) {
        all_fast &= tfg_nn_fast_quant_init(quant->multiplier[c + j], quant->shift[c + j], &fq[j]);
        b[j] = bias != 0 ? bias[c + j] : 0;
      }
      for (int32_t ox = ox_begin; ox < ox_end; ox++) {
        const int32_t x0 = ox * p->stride.w - p->padding.w;
        int32_t kx_begin, kx_end;
        tap_range(x0, dw, f->w, in->w, &kx_begin, &kx_end);
        int32_t a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3];
        const int32_t row_taps = kx_end - kx_begin;
        if (three_wide && row_taps >= 2 && ky_end > ky_begin) {
          dw_rows_state st = {{a0, a1, a2, a3}, offset2, wide + 6 * ky_begin + 2 * kx_begin, ky_end - ky_begin};
          const int8_t *x = input_batch + ((y0 + ky_begin * dh) * in->w + x0 + kx_begin) * channels + c;
          if (row_taps == 3) {
            dw_rows_3_wide(x, channels, y_step, &st);
          } else {
            dw_rows_2_of_3(x, channels, y_step, &st);
          }
          a0 = st.acc[0];
          a1 = st.acc[1];
          a2 = st.acc[2];
          a3 = st.acc[3];
        } else {
          for (int32_t ky = ky_begin; ky < ky_end; ky++) {
            const int8_t *x = input_batch + ((y0 + ky * dh) * in->w + x0 + kx_begin * dw) * channels + c;
            const int32_t *w = wide + 2 * (ky * f->w + kx_begin);
            for (int32_t kx = kx_begin; kx < kx_end; kx++, x += x_step, w += 2) {
              DW_TAP(x, w[0], w[1]);
            }
          }
        }
        int8_t *o = out_row + ox * channels + c;
        if (all_fast) {
          const int32_t v0 = tfg_nn_requantize_fast(a0, fq[0].multiplier, fq[0].round_hi, fq[0].post_shift);
          const int32_t v1 = tfg_nn_requantize_fast(a1, fq[1].multiplier, fq[1].round_hi, fq[1].post_shift);
          const int32_t v2 = tfg_nn_requantize_fast(a2, fq[2].multiplier, fq[2].round_hi, fq[2].post_shift);
          const int32_t v3 = tfg_nn_requantize_fast(a3, fq[3].multiplier, fq[3].round_hi, fq[3].post_shift);
          const uint32_t word = tfg_pack4_clamp(v0 + output_offset, v1 + output_offset, v2 + output_offset,
                                                v3 + output_offset, min4, max4);
          memcpy(o, &word, sizeof(word));
        } else {
          const int32_t acc[4] = {a0, a1, a2, a3};
          for (int32_t j = 0; j < 4; j++) {
            const int32_t v = tfg_nn_requantize(acc[j], quant->multiplier[c + j], quant->shift[c + j]);
            o[j] = (int8_t)TFG_MIN(TFG_MAX(v + output_offset, act_min), act_max);
          }
        }
      }
    }
    for (; c < channels; c++) {
      for (int32_t ox = ox_begin; ox < ox_end; ox++) {
        int32_t acc = window_sum(p, in, input_batch, f, filter, oy, ox, c, c, channels);
        if (bias != 0) {
          acc += bias[c];
        }
        acc = tfg_nn_requantize(acc, quant->multiplier[c], quant->shift[c]);
        out_row[ox * channels + c] = tfg_nn_clamp_s8(acc + output_offset, &p->activation);
      }
    }
  }
}

/* Channels [c_begin, c_end) of one output pixel in plain C (taps clipped to nothing, or too few for the runs). */
static void dw_pixel_plain(const tfg_dw_conv_params *p, const tfg_per_channel_quant_params *quant, const tfg_dims *in,
                           const int8_t *input_batch, const tfg_dims *f, const int8_t *filter, const int32_t *bias,
                           int32_t oy, int32_t ox, int32_t c_begin, int32_t c_end, int8_t *out_pixel) {
  for (int32_t c = c_begin; c < c_end; c++) {
    int32_t acc = window_sum(p, in, input_batch, f, filter, oy, ox, c, c, in->c);
    if (bias != 0) {
      acc += bias[c];
    }
    acc = tfg_nn_requantize(acc, quant->multiplier[c], quant->shift[c]);
    out_pixel[c] = tfg_nn_clamp_s8(acc + p->output_offset, &p->activation);
  }
}

/* Every channel's requantization has the one-SMLAL form dw_run_3_wide computes (or multiplier 0). */
static int dw_all_fast(const tfg_per_channel_quant_params *quant, int32_t channels) {
  tfg_nn_fast_quant fq;
  for (int32_t c = 0; c < channels; c++) {
    if (quant->multiplier[c] != 0 && !tfg_nn_fast_quant_init(quant->multiplier[c], quant->shift[c], &fq)) {
      return 0;
    }
  }
  return 1;
}

/*
 * How many output rows from oy can go block by block (each block's weights widened once for all of them): as
 * many as can be written without reaching an input row that they or later rows still read. Apart buffers allow
 * every remaining row; an in-place layer (row-stream rule) at least one, which is the row-by-row order.
 */
static int32_t dw_row_group(const tfg_dw_conv_params *p, const tfg_dims *in, const int8_t *input_batch,
                            const tfg_dims *out, const int8_t *output_batch, int32_t oy) {
  const int32_t in_row = in->w * in->c, out_row = out->w * out->c, left = out->h - oy;
  const int32_t first = TFG_MAX(oy * p->stride.h - p->padding.h, 0);
  const uintptr_t needed = (uintptr_t)(input_batch + first * in_row);
  const uintptr_t in_end = (uintptr_t)(input_batch + in->h * in_row);
  const uintptr_t written = (uintptr_t)(output_batch + oy * out_row);
  const uintptr_t out_end = (uintptr_t)(output_batch + out->h * out_row);
  if (out_end <= needed || written >= in_end) {
    return left;
  }
  if (written >= needed) {
    return 1;
  }
  return TFG_MAX(1, TFG_MIN(left, (int32_t)((needed - written) / (uintptr_t)out_row)));
}

/*
 * A K x 1 filter over a one-pixel-wide image (sww's layers): as laid out in memory it is a 1 x K filter over one row
 * of H pixels, so the row-walking path takes it with the axes swapped: each channel block's weights are widened once
 * per run of pixels along the long axis instead of once per output pixel. Runs follow dw_row_group on the real
 * geometry, so an in-place layer still never overwrites an input row a later output reads.
 */
__attribute__((noinline)) static void depthwise_long_axis_dsp(const tfg_dw_conv_params *p, const tfg_per_channel_quant_params *quant,
                                    const tfg_dims *in, const int8_t *input_batch, const tfg_dims *f,
                                    const int8_t *filter, const int32_t *bias, const tfg_dims *out,
                                    int8_t *output_batch) {
  tfg_dw_conv_params row = *p;
  row.stride.h = p->stride.w;
  row.stride.w = p->stride.h;
  row.padding.h = p->padding.w;
  row.padding.w = p->padding.h;
  row.dilation.h = p->dilation.w;
  row.dilation.w = p->dilation.h;
  const tfg_dims row_in = {1, 1, in->h, in->c}, row_f = {1, 1, f->h, f->c}, row_out = {1, 1, out->h, out->c};
  for (int32_t oy = 0; oy < out->h;) {
    const int32_t group = dw_row_group(p, in, input_batch, out, output_batch, oy);
    depthwise_mult1_dsp(&row, quant, &row_in, input_batch, &row_f, filter, bias, &row_out, output_batch, oy,
                        oy + group);
    oy += group;
  }
}

/*
 * Channel multiplier 1, 3-wide filter, dilation 1 across, every requantization in its one-SMLAL form: per group of
 * output rows (dw_row_group) and 4-channel block, the block's weights are widened and its constants set once, then
 * each row goes as runs of dw_run_3_wide (interior pixels together, border pixels alone). Rows are finished in
 * increasing order within what the group allows, so in-place layers stay safe.
 */
static void depthwise_3wide_dsp(const tfg_dw_conv_params *p, const tfg_per_channel_quant_params *quant,
                                const tfg_dims *in, const int8_t *input_batch, const tfg_dims *f, const int8_t *filter,
                                const int32_t *bias, const tfg_dims *out, int8_t *output_batch) {
  const int32_t channels = in->c, dh = p->dilation.h, sw = p->stride.w, pw = p->padding.w;
  int32_t wide[2 * TFG_DW_MAX_TAPS];
  dw_run_args run;
  run.channels = channels;
  run.y_step = dh * in->w * channels;
  run.offset2 = tfg_dup16(p->input_offset);
  run.output_offset = p->output_offset;
  run.min4 = tfg_dup8(p->activation.min);
  run.max4 = tfg_dup8(p->activation.max);
  run.x_step = sw * channels;
  run.clamp = p->activation.min != -128 || p->activation.max != 127;
  for (int32_t oy = 0; oy < out->h;) {
    const int32_t group = dw_row_group(p, in, input_batch, out, output_batch, oy);
    int32_t c = 0;
    for (; c + 4 <= channels; c += 4) {
      for (int32_t t = 0; t < f->h * 3; t++) {
        const int32_t ww = tfg_nn_read_s8x4(filter + t * channels + c);
        wide[2 * t] = tfg_sxtb16(ww);
        wide[2 * t + 1] = tfg_sxtb16_ror8(ww);
      }
      for (int32_t j = 0; j < 4; j++) {
        /* Multiplier 0 (any shift): 2^0 and 1 give (1 + sign) >> 1 = 0, TFLite's result for every accumulator. */
        tfg_nn_fast_quant fq = {0, 1, 1};
        (void)tfg_nn_fast_quant_init(quant->multiplier[c + j], quant->shift[c + j], &fq);
        run.bias[j] = bias != 0 ? bias[c + j] : 0;
        run.multiplier[j] = fq.multiplier;
        run.round_post[2 * j] = fq.round_hi;
        run.round_post[2 * j + 1] = fq.post_shift;
      }
      for (int32_t y = oy; y < oy + group; y++) {
        const int32_t y0 = y * p->stride.h - p->padding.h;
        int32_t ky_begin, ky_end;
        tap_range(y0, dh, f->h, in->h, &ky_begin, &ky_end);
        int8_t *out_row = output_batch + y * out->w * channels;
        run.rows = ky_end - ky_begin;
        for (int32_t ox = 0; ox < out->w;) {
          const int32_t x0 = ox * sw - pw;
          int32_t kx_begin, kx_end;
          tap_range(x0, 1, 3, in->w, &kx_begin, &kx_end);
          const int32_t row_taps = kx_end - kx_begin;
          if (run.rows <= 0 || row_taps < 2) {
            dw_pixel_plain(p, quant, in, input_batch, f, filter, bias, y, ox, c, c + 4, out_row + ox * channels);
            ox++;
            continue;
          }
          /* Interior pixels go as one run; a border pixel (2 taps per row) as a run of one. */
          int32_t n = 1;
          while (row_taps == 3 && ox + n < out->w && (ox + n) * sw - pw + 3 <= in->w) {
            n++;
          }
          run.x = input_batch + ((y0 + ky_begin * dh) * in->w + x0 + kx_begin) * channels + c;
          run.wide = wide + 6 * ky_begin + 2 * kx_begin;
          run.out = out_row + ox * channels + c;
          run.count = n;
          run.two_taps = row_taps == 2;
          dw_run_3_wide(&run);
          ox += n;
        }
      }
    }
    for (int32_t y = oy; y < oy + group && c < channels; y++) {
      for (int32_t ox = 0; ox < out->w; ox++) {
        dw_pixel_plain(p, quant, in, input_batch, f, filter, bias, y, ox, c, channels,
                       output_batch + (y * out->w + ox) * channels);
      }
    }
    oy += group;
  }
}
#endif

tfg_status tfg_depthwise_conv_s8(const tfg_context *ctx, const tfg_dw_conv_params *dw_params,
                                 const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                                 const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                 const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  const int32_t out_c = output_dims->c;
  if (dw_params->ch_mult < 1 || out_c != input_dims->c * dw_params->ch_mult || filter_dims->c != out_c ||
      output_dims->n != input_dims->n || dw_params->stride.h < 1 || dw_params->stride.w < 1 ||
      dw_params->dilation.h < 1 || dw_params->dilation.w < 1) {
    return TFG_ARG_ERROR;
  }
#if TFG_NN_DW_MVE
  if (dw_params->ch_mult == 1 && dw_params->folded_bias && bias != 0 && filter_dims->h == 3 && filter_dims->w == 3 &&
      dw_params->dilation.h == 1 && dw_params->dilation.w == 1 && out_c % 8 == 0 &&
      dw_right_shifts_only(quant_params, out_c)) {
    if (ctx == 0 || ctx->buf == 0 || ctx->size < tfg_depthwise_conv_s8_get_buffer_size_mve(input_dims, filter_dims)) {
      return TFG_ARG_ERROR;
    }
    for (int32_t b = 0; b < input_dims->n; b++) {
      depthwise_3x3_mve(dw_params, quant_params, input_dims, input + b * input_dims->h * input_dims->w * input_dims->c,
                        filter, bias, output_dims, output + b * output_dims->h * output_dims->w * out_c,
                        (int8_t *)ctx->buf);
    }
    return TFG_OK;
  }
  if (dw_params->ch_mult == 1) {
    for (int32_t b = 0; b < input_dims->n; b++) {
      depthwise_mult1_mve(dw_params, quant_params, input_dims, input + b * input_dims->h * input_dims->w * input_dims->c,
                          filter_dims, filter, bias, output_dims, output + b * output_dims->h * output_dims->w * out_c);
    }
    return TFG_OK;
  }
#else
  (void)ctx;
#endif
#if !TFG_NN_DW_MVE && TFG_NN_HAS_DSP
  if (dw_params->ch_mult == 1 && !dw_params->folded_bias && input_dims->w == 1 && output_dims->w == 1 &&
      filter_dims->w == 1 && filter_dims->h > 1 && filter_dims->h <= TFG_DW_MAX_TAPS) {
    for (int32_t b = 0; b < input_dims->n; b++) {
      depthwise_long_axis_dsp(dw_params, quant_params, input_dims, input + b * input_dims->h * input_dims->c,
                              filter_dims, filter, bias, output_dims, output + b * output_dims->h * out_c);
    }
    return TFG_OK;
  }
  /* The DSP loops add the offset to the inputs; a folded bias (generated for Helium) goes through plain C. */
  if (dw_params->ch_mult == 1 && !dw_params->folded_bias && filter_dims->w == 3 && dw_params->dilation.w == 1 &&
      filter_dims->h * filter_dims->w <= TFG_DW_MAX_TAPS && dw_all_fast(quant_params, out_c)) {
    for (int32_t b = 0; b < input_dims->n; b++) {
      depthwise_3wide_dsp(dw_params, quant_params, input_dims, input + b * input_dims->h * input_dims->w * input_dims->c,
                          filter_dims, filter, bias, output_dims, output + b * output_dims->h * output_dims->w * out_c);
    }
    return TFG_OK;
  }
  if (dw_params->ch_mult == 1 && !dw_params->folded_bias && filter_dims->h * filter_dims->w <= TFG_DW_MAX_TAPS) {
    for (int32_t b = 0; b < input_dims->n; b++) {
      depthwise_mult1_dsp(dw_params, quant_params, input_dims, input + b * input_dims->h * input_dims->w * input_dims->c,
                          filter_dims, filter, bias, output_dims, output + b * output_dims->h * output_dims->w * out_c, 0,
                          output_dims->w);
    }
    return TFG_OK;
  }
#endif
  for (int32_t b = 0; b < input_dims->n; b++) {
    const int8_t *input_batch = input + b * input_dims->h * input_dims->w * input_dims->c;
    for (int32_t oy = 0; oy < output_dims->h; oy++) {
      for (int32_t ox = 0; ox < output_dims->w; ox++) {
        int8_t *out = output + ((b * output_dims->h + oy) * output_dims->w + ox) * out_c;
        for (int32_t ic = 0; ic < input_dims->c; ic++) {
          for (int32_t m = 0; m < dw_params->ch_mult; m++) {
            const int32_t oc = ic * dw_params->ch_mult + m;
            int32_t acc = window_sum(dw_params, input_dims, input_batch, filter_dims, filter, oy, ox, ic, oc, out_c);
            if (bias != 0) {
              acc += bias[oc];
            }
            acc = tfg_nn_requantize(acc, quant_params->multiplier[oc], quant_params->shift[oc]);
            out[oc] = tfg_nn_clamp_s8(acc + dw_params->output_offset, &dw_params->activation);
          }
        }
      }
    }
  }
  return TFG_OK;
}
