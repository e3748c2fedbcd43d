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

/* Filters up to this many taps along the walked axis take the DSP plane path, for runs of at least this many
   outputs along it (shorter ones spend more on each line's set-up than the pairs save). */
#define TFG_DW_PLANE_MAX_TAPS 16
#define TFG_DW_PLANE_MIN_RUN 8

/*
 * The DSP plane path walks one axis of the image: along W, filter rows are the lines and filter columns the taps;
 * along H (the longer output axis, or a K x 1 filter over a one-pixel-wide image), the other way round.
 */
typedef struct {
  int32_t rows, taps, width;
} dw_plane_shape;

static dw_plane_shape dw_plane_shape_of(const tfg_dims *in, const tfg_dims *f, int walk_h) {
  const dw_plane_shape along_w = {f->h, f->w, in->w};
  const dw_plane_shape along_h = {f->w, f->h, in->h};
  return walk_h ? along_h : along_w;
}

/* int16 per plane row: room for every tap of every output pair with padding on both sides, even (word-aligned). */
static int32_t dw_plane_width(int32_t width, int32_t taps) { return (width + taps + 4) & ~1; }

/* Words of int16 weight pairs per filter line: the even-aligned pairs (w0 w1)(w2 w3).. and the odd ones (0 w0)(w1 w2).. */
static int32_t dw_plane_pair_words(int32_t taps) { return 2 * ((taps + 2) / 2); }

static int32_t dw_plane_bytes(dw_plane_shape s) {
  if (s.taps > TFG_DW_PLANE_MAX_TAPS || s.rows > TFG_DW_PLANE_MAX_TAPS) {
    return 0;
  }
  const int32_t wp = dw_plane_width(s.width, s.taps);
  return (s.rows + 1) * 4 * wp * 2 + 4 * s.rows * dw_plane_pair_words(s.taps) * 4 + 4 * wp * 4;
}

/*
 * DSP: a ring of int16 plane rows, one per filter line and one of zeros (4 channels, input offset added, padding
 * as 0), the 4 channels' weight pairs and one plane row's int32 sums per channel, for the larger of the two walks.
 * Channel multiplier 1 only.
 */
int32_t tfg_depthwise_conv_s8_get_buffer_size_dsp(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  if (filter_dims->c != input_dims->c) {
    return 0;
  }
  return TFG_MAX(dw_plane_bytes(dw_plane_shape_of(input_dims, filter_dims, 0)),
                 dw_plane_bytes(dw_plane_shape_of(input_dims, filter_dims, 1)));
}

int32_t tfg_depthwise_conv_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
#if TFG_NN_DW_MVE
  return tfg_depthwise_conv_s8_get_buffer_size_mve(input_dims, filter_dims);
#elif TFG_NN_HAS_DSP
  return tfg_depthwise_conv_s8_get_buffer_size_dsp(input_dims, filter_dims);
#else
  (void)input_dims;
  (void)filter_dims;
  return 0;
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

/*
 * The plane path: channel multiplier 1, dilation 1, stride 1 along the walked axis (dw_plane_shape_of; stride 2
 * along it widens twice the lines per output line and did not beat depthwise_3wide_dsp on vww).
 * Per group of output rows (the whole layer where dw_plane_whole_layer allows, else dw_row_group) and block of up
 * to 4 channels, each input row the group reads is widened once into one int16 plane per channel (input offset
 * added, columns outside the input 0, so that every tap of every output lies inside the plane) in a ring of
 * filter-row slots; filter rows outside the input read a slot of zeros. Each channel's outputs then go two at a time
 * along the row with SMLAD: an aligned word holds two neighbouring taps, and the second output takes the same
 * words with the weight pairs shifted by one tap. The weights are doubled, so
 * the sums are 2 * acc and the requantization is SMMLAR's rounding high multiply (TFLite's doubling high multiply,
 * exact while |2 * acc| < 2^31, which dw_plane_quant checks) then the rounding shift with the output offset folded
 * in: 5 instructions per output. Output rows are finished in increasing order within a group.
 */
typedef struct {
  int32_t channels;  /* bytes between pixels */
  int32_t rows;      /* filter rows */
  int32_t taps;      /* taps per filter row */
  int32_t nv;        /* pairs of weight words per filter line (3 x 3: 2 words, see dw_plane_weights) */
  int32_t wp;        /* int16 per plane row */
  int32_t in_width;  /* input pixels per row */
  int32_t walk_h;    /* walking H: lines are filter columns */
  int32_t pixel_in;  /* bytes between input pixels along the walk */
  int32_t pixel_out; /* bytes between outputs along the walk */
  int32_t tap_step;  /* bytes between filter taps along the walk */
  int32_t line_step; /* bytes between filter lines */
  int32_t offset2;   /* input offset in both int16 halves */
  int32_t offset;
  int32_t clamp;     /* activation bounds narrower than [-128, 127] */
  int32_t act_min, act_max;
} dw_plane_geom;

/* One block's requantization: per channel 2 * bias, multiplier, rounding (output offset folded in), shift. */
typedef struct {
  int32_t bias2[4], multiplier[4], round[4], shift[4];
} dw_plane_quant;

static inline int32_t dw_pair16(int32_t lo, int32_t hi) {
  return (int32_t)(((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16));
}

static inline int32_t dw_read_pair(const int16_t *x) {
  int32_t v;
  memcpy(&v, x, sizeof(v));
  return v;
}

/* (a * b + 2^31) / 2^32 rounded down, plus c: TFLite's doubling high multiply of a / 2 (a even) plus c. */
static inline int32_t dw_smmlar(int32_t a, int32_t b, int32_t c) {
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
  return r;
}

/*
 * Plane columns [u_begin, u_end) of `nb` channels (planes `wp` int16 apart) from one input line (`line`: its
 * pixel first_ix, first channel of the block), every one inside the input; the columns outside stay 0 from
 * dw_plane_block's clearing of the ring.
 */
static void dw_plane_fill(const dw_plane_geom *g, const int8_t *line, int32_t nb, int32_t u_begin, int32_t u_end,
                          int16_t *plane) {
  const int32_t step = g->pixel_in, wp = g->wp;
  int32_t u = u_begin;
  if (nb == 4) {
    for (; u < u_end && (u & 1) != 0; u++) {
      const int32_t w = tfg_nn_read_s8x4(line + u * step);
      const int32_t e = tfg_sxtab16(g->offset2, w), o = tfg_sxtab16_ror8(g->offset2, w);
      plane[u] = (int16_t)e;
      plane[wp + u] = (int16_t)o;
      plane[2 * wp + u] = (int16_t)(e >> 16);
      plane[3 * wp + u] = (int16_t)(o >> 16);
    }
    for (; u + 2 <= u_end; u += 2) {
      const int32_t w0 = tfg_nn_read_s8x4(line + u * step), w1 = tfg_nn_read_s8x4(line + (u + 1) * step);
      const int32_t e0 = tfg_sxtab16(g->offset2, w0), o0 = tfg_sxtab16_ror8(g->offset2, w0);
      const int32_t e1 = tfg_sxtab16(g->offset2, w1), o1 = tfg_sxtab16_ror8(g->offset2, w1);
      const int32_t ch0 = dw_pair16(e0, e1), ch1 = dw_pair16(o0, o1);
      const uint32_t ch2 = ((uint32_t)e1 & 0xFFFF0000u) | ((uint32_t)e0 >> 16);
      const uint32_t ch3 = ((uint32_t)o1 & 0xFFFF0000u) | ((uint32_t)o0 >> 16);
      memcpy(plane + u, &ch0, 4);
      memcpy(plane + wp + u, &ch1, 4);
      memcpy(plane + 2 * wp + u, &ch2, 4);
      memcpy(plane + 3 * wp + u, &ch3, 4);
    }
  }
  for (; u < u_end; u++) {
    for (int32_t j = 0; j < nb; j++) plane[j * wp + u] = (int16_t)(line[u * step + j] + g->offset);
  }
}

/* A 3 x 3 filter: the 3-tap routine (dw_mac3_s1) and its two words per filter line. */
static inline int dw_plane_is_3x3(const dw_plane_geom *g) { return g->taps == 3 && g->rows == 3; }

/*
 * Channel j's doubled weight pairs, filter line after filter line: for 3 x 3 (w0 w1)(w1 w2), which the 3-tap
 * routine reads with SMLAD, SMLATB and SMLABT; otherwise nv pairs of words, (w0 w1)(0 w0), (w2 w3)(w1 w2), ..
 * (the even-aligned pair for the first output of two, the odd-aligned one for the second).
 */
static void dw_plane_weights(const dw_plane_geom *g, const int8_t *filter, int32_t nb, int32_t *pairs) {
  const int32_t k_end = g->taps, tap = g->tap_step;
  for (int32_t j = 0; j < nb; j++) {
    for (int32_t r = 0; r < g->rows; r++) {
      const int8_t *w = filter + r * g->line_step + j;
#define DW_TAP_W(k) ((k) >= 0 && (k) < k_end ? 2 * w[(k) * tap] : 0)
      if (dw_plane_is_3x3(g)) {
        *pairs++ = dw_pair16(DW_TAP_W(0), DW_TAP_W(1));
        *pairs++ = dw_pair16(DW_TAP_W(1), DW_TAP_W(2));
        continue;
      }
      for (int32_t i = 0; i < g->nv; i++) {
        *pairs++ = dw_pair16(DW_TAP_W(2 * i), DW_TAP_W(2 * i + 1));
        *pairs++ = dw_pair16(DW_TAP_W(2 * i - 1), DW_TAP_W(2 * i));
      }
#undef DW_TAP_W
    }
  }
}

/*
 * The 3 x 3 routine: `pairs` output pairs of `channels` channels in turn, doubled sums stored to acc (channel
 * after channel). Registers: r0 r1 r2 the rows' planes, r3-r8 the weights (w0 w1)(w1 w2)
 * of rows 0..2, r9 r10 the two sums, r11 r12 two words of taps, lr the sums' store.
 */
typedef struct {
  const int16_t *rows[3]; /* 0: the first output's first tap, channel 0 of the block */
  const int32_t *weights; /* 12: 6 words per channel */
  int32_t *acc;           /* 16 */
  int32_t pairs;          /* 20 */
  int32_t plane_step;     /* 24: bytes between channels' planes */
  int32_t channels;       /* 28: channels left */
} dw_mac3_args;

typedef char dw_mac3_args_layout[(__builtin_offsetof(dw_mac3_args, weights) == 12 &&
                                  __builtin_offsetof(dw_mac3_args, channels) == 28)
                                     ? 1
                                     : -1];

/* Per channel: rows, weights and the end of its sums ([sp, #4]) from the arguments ([sp]). */
#define DW_MAC3_CHANNEL_ASM     \
  "1:\n\t"                      \
  "ldr r12, [sp]\n\t"           \
  "ldm r12, {r0, r1, r2}\n\t"   \
  "ldr r11, [r12, #12]\n\t"     \
  "ldm r11!, {r3-r8}\n\t"       \
  "str r11, [r12, #12]\n\t"     \
  "ldrd lr, r9, [r12, #16]\n\t" \
  "add r9, lr, r9, lsl #3\n\t"  \
  "str r9, [sp, #4]\n\t"
/* After a channel: the sums go on, the rows move to the next channel's planes. */
#define DW_MAC3_NEXT_ASM        \
  "ldr r12, [sp]\n\t"           \
  "str lr, [r12, #16]\n\t"      \
  "ldm r12, {r0, r1, r2}\n\t"   \
  "ldrd r9, r10, [r12, #24]\n\t" \
  "add r0, r0, r9\n\t"          \
  "add r1, r1, r9\n\t"          \
  "add r2, r2, r9\n\t"          \
  "stm r12, {r0, r1, r2}\n\t"   \
  "subs r10, r10, #1\n\t"       \
  "str r10, [r12, #28]\n\t"     \
  "bne 1b\n\t"
#define DW_MAC3_ENTER_ASM  \
  "push {r4-r11, lr}\n\t"  \
  "sub sp, sp, #8\n\t"     \
  "str r0, [sp]\n\t"
#define DW_MAC3_LEAVE_ASM  \
  "add sp, sp, #8\n\t"     \
  "pop {r4-r11, pc}\n\t"
#define DW_MAC3_LOOP_END_ASM \
  "strd r9, r10, [lr], #8\n\t" \
  "ldr r12, [sp, #4]\n\t"      \
  "cmp lr, r12\n\t"            \
  "bne 2b\n\t"

/* Stride 1: taps x0..x3 of each row serve both outputs; 19 instructions per 18 MACs. */
__attribute__((naked, noinline)) static void dw_mac3_s1(dw_mac3_args *args) {
  (void)args;
  __asm__ volatile(
      DW_MAC3_ENTER_ASM
      DW_MAC3_CHANNEL_ASM
      "2:\n\t"
      "ldrd r11, r12, [r0], #4\n\t"
      "smuad r9, r11, r3\n\t"
      "smultb r10, r11, r3\n\t"
      "smlabt r9, r12, r4, r9\n\t"
      "smlad r10, r12, r4, r10\n\t"
      "ldrd r11, r12, [r1], #4\n\t"
      "smlad r9, r11, r5, r9\n\t"
      "smlatb r10, r11, r5, r10\n\t"
      "smlabt r9, r12, r6, r9\n\t"
      "smlad r10, r12, r6, r10\n\t"
      "ldrd r11, r12, [r2], #4\n\t"
      "smlad r9, r11, r7, r9\n\t"
      "smlatb r10, r11, r7, r10\n\t"
      "smlabt r9, r12, r8, r9\n\t"
      "smlad r10, r12, r8, r10\n\t"
      DW_MAC3_LOOP_END_ASM
      DW_MAC3_NEXT_ASM
      DW_MAC3_LEAVE_ASM);
}

/*
 * Any other filter: `pairs` output pairs of one channel, doubled sums to acc. x[r]: filter line r's plane at the
 * first output's first tap, w its pairs per line, interleaved: (w0 w1)(0 w0), (w2 w3)(w1 w2), ..
 */
static void dw_mac_any(const dw_plane_geom *g, const int16_t *const *x, const int32_t *w, int32_t pairs,
                       int32_t *acc) {
  const int32_t nv = g->nv;
  for (int32_t i = 0; i < pairs; i++) {
    int32_t s0 = 0, s1 = 0;
    for (int32_t r = 0; r < g->rows; r++) {
      const int16_t *xr = x[r] + 2 * i;
      const int32_t *wr = w + r * 2 * nv;
      for (int32_t j = 0; j < nv; j++, xr += 2, wr += 2) {
        const int32_t a = dw_read_pair(xr);
        s0 = __smlad(a, wr[0], s0);
        s1 = __smlad(a, wr[1], s1);
      }
    }
    acc[2 * i] = s0;
    acc[2 * i + 1] = s1;
  }
}

/* One filter line of any width (sww's K x 1 walked along H): dw_mac_any's loop for one line, for dw_mac_line. */
typedef struct {
  const int16_t *x;  /* 0: the first output's first tap */
  const int32_t *w;  /* 4: nv interleaved pairs of weight words */
  int32_t *acc;      /* 8 */
  int32_t pairs;     /* 12 */
  int32_t nv;        /* 16 */
} dw_line_args;

typedef char dw_line_args_layout[__builtin_offsetof(dw_line_args, nv) == 16 ? 1 : -1];

/* 6 instructions per two taps of two outputs (LDR, LDRD, 2 SMLAD, loop), 7 per output pair besides. */
__attribute__((naked, noinline)) static void dw_mac_line(const dw_line_args *args) {
  (void)args;
  __asm__ volatile(
      "push {r4-r10, lr}\n\t"
      "ldm r0, {r1, r2, r3, r12, lr}\n\t"
      "1:\n\t"
      "movs r4, #0\n\t"
      "movs r5, #0\n\t"
      "mov r6, r1\n\t"
      "mov r7, r2\n\t"
      "mov r8, lr\n\t"
      "2:\n\t"
      "ldr r9, [r6], #4\n\t"
      "ldrd r10, r0, [r7], #8\n\t"
      "smlad r4, r9, r10, r4\n\t"
      "smlad r5, r9, r0, r5\n\t"
      "subs r8, r8, #1\n\t"
      "bne 2b\n\t"
      "strd r4, r5, [r3], #8\n\t"
      "adds r1, r1, #4\n\t"
      "subs r12, r12, #1\n\t"
      "bne 1b\n\t"
      "pop {r4-r10, pc}\n\t");
}

/* One channel's outputs without an activation clamp, for dw_store_s8. */
typedef struct {
  const int32_t *acc; /* 0: doubled sums */
  int8_t *out;        /* 4 */
  int32_t step;       /* 8: bytes between outputs */
  int32_t count;      /* 12 */
  int32_t bias2;      /* 16 */
  int32_t multiplier; /* 20 */
  int32_t round;      /* 24 */
  int32_t shift;      /* 28 */
} dw_store_args;

typedef char dw_store_args_layout[__builtin_offsetof(dw_store_args, shift) == 28 ? 1 : -1];

/* s = acc + 2 * bias; out = SSAT8((SMMLAR(s, m, round + (s < 0 ? -1 : 0))) >> shift): 8 instructions per output. */
#define DW_STORE_ONE_ASM(S, T)                  \
  "add " S ", " S ", r5\n\t"                    \
  "add " T ", r7, " S ", asr #31\n\t"           \
  "smmlar " S ", " S ", r6, " T "\n\t"          \
  "asr " S ", " S ", r8\n\t"                    \
  "ssat " S ", #8, " S "\n\t"

__attribute__((naked, noinline)) static void dw_store_s8(const dw_store_args *args) {
  (void)args;
  __asm__ volatile(
      "push {r4-r10, lr}\n\t"
      "ldm r0, {r1-r8}\n\t"
      "subs r4, r4, #2\n\t"
      "blt 3f\n\t"
      "2:\n\t"
      "ldrd r9, r10, [r1], #8\n\t"
      DW_STORE_ONE_ASM("r9", "r12")
      DW_STORE_ONE_ASM("r10", "lr")
      "strb r9, [r2]\n\t"
      "strb r10, [r2, r3]\n\t"
      "add r2, r2, r3, lsl #1\n\t"
      "subs r4, r4, #2\n\t"
      "bge 2b\n\t"
      "3:\n\t"
      "adds r4, r4, #2\n\t"
      "beq 4f\n\t"
      "ldr r9, [r1]\n\t"
      DW_STORE_ONE_ASM("r9", "r12")
      "strb r9, [r2]\n\t"
      "4:\n\t"
      "pop {r4-r10, pc}\n\t");
}

/* Channel j's `count` sums (doubled, bias not yet added) to int8 outputs `channels` apart. */
static void dw_plane_store(const dw_plane_geom *g, const dw_plane_quant *q, int32_t j, const int32_t *acc,
                           int32_t count, int8_t *out) {
  const int32_t c = g->pixel_out, b2 = q->bias2[j], m = q->multiplier[j], r = q->round[j], e = q->shift[j];
  if (!g->clamp) {
    const dw_store_args a = {acc, out, c, count, b2, m, r, e};
    dw_store_s8(&a);
    return;
  }
  for (int32_t i = 0; i < count; i++, out += c) {
    const int32_t s = acc[i] + b2;
    const int32_t v = tfg_ssat8(dw_smmlar(s, m, r + (s >> 31)) >> e);
    *out = (int8_t)TFG_MIN(TFG_MAX(v, g->act_min), g->act_max);
  }
}

/*
 * The block's requantization constants, or 0 where one channel is outside what dw_plane_store computes exactly:
 * a negative multiplier, a left shift or a right shift beyond 20, |bias| >= 2^28 (so that |2 * acc| < 2^30).
 */
static int dw_plane_quant_init(const tfg_dw_conv_params *p, const tfg_per_channel_quant_params *quant,
                               const int32_t *bias, int32_t c, int32_t nb, dw_plane_quant *q) {
  for (int32_t j = 0; j < nb; j++) {
    const int32_t m = quant->multiplier[c + j], b = bias != 0 ? bias[c + j] : 0;
    const int32_t e = m == 0 ? 1 : -quant->shift[c + j];
    if (m < 0 || e < 1 || e > 20 || b >= (1 << 28) || b <= -(1 << 28)) {
      return 0;
    }
    q->bias2[j] = 2 * b;
    q->multiplier[j] = m;
    q->round[j] = (1 << (e - 1)) + p->output_offset * (1 << e);
    q->shift[j] = e;
  }
  return 1;
}

/*
 * Whether the plane path takes this layer, and its walked geometry in *g (ctx: the scratch it needs). It walks H
 * where the output is taller than wide and the buffers are apart or whole rows apart (or the image is one pixel
 * wide), else W.
 */
static int dw_plane_applies(const tfg_context *ctx, const tfg_dw_conv_params *p,
                            const tfg_per_channel_quant_params *quant, const int32_t *bias, const tfg_dims *in,
                            const int8_t *input, const tfg_dims *f, const tfg_dims *out, const int8_t *output,
                            dw_plane_geom *g) {
  const intptr_t d = (intptr_t)output - (intptr_t)input;
  const int apart = d >= (intptr_t)(in->n * in->h * in->w * in->c) || -d >= (intptr_t)(out->n * out->h * out->w * out->c);
  /* In place whole rows apart: an output overwrites its own column's input, already in the ring. */
  const int rows_apart = in->w == out->w && in->c == out->c && d % (intptr_t)(in->w * in->c) == 0;
  const int walk_h = (in->w == 1 && f->w == 1 && f->h > 1) || ((apart || rows_apart) && out->h > out->w);
  const dw_plane_shape s = dw_plane_shape_of(in, f, walk_h);
  const int32_t stride = walk_h ? p->stride.h : p->stride.w;
  const int32_t out_width = walk_h ? out->h : out->w;
  if (p->ch_mult != 1 || p->folded_bias || p->dilation.h != 1 || p->dilation.w != 1 || stride != 1 ||
      s.taps > TFG_DW_PLANE_MAX_TAPS || s.rows > TFG_DW_PLANE_MAX_TAPS || out_width < TFG_DW_PLANE_MIN_RUN ||
      p->output_offset < -128 || p->output_offset > 127 || p->activation.min > p->activation.max || ctx == 0 ||
      ctx->buf == 0 || ctx->size < tfg_depthwise_conv_s8_get_buffer_size_dsp(in, f)) {
    return 0;
  }
  dw_plane_quant q;
  for (int32_t c = 0; c < in->c; c += 4) {
    if (!dw_plane_quant_init(p, quant, bias, c, TFG_MIN(4, in->c - c), &q)) {
      return 0;
    }
  }
  g->channels = in->c;
  g->rows = s.rows;
  g->taps = s.taps;
  g->nv = (s.taps + 2) / 2;
  g->wp = dw_plane_width(s.width, s.taps);
  g->in_width = s.width;
  g->walk_h = walk_h;
  g->pixel_in = walk_h ? in->w * in->c : in->c;
  g->pixel_out = walk_h ? out->w * out->c : out->c;
  g->tap_step = walk_h ? f->w * f->c : f->c;
  g->line_step = walk_h ? f->c : f->w * f->c;
  g->offset = p->input_offset;
  g->offset2 = tfg_dup16(p->input_offset);
  g->clamp = p->activation.min > -128 || p->activation.max < 127;
  g->act_min = p->activation.min;
  g->act_max = p->activation.max;
  /* Every tap of every output pair (the last one may be past the row) and the one-tap overreach in the plane. */
  const int32_t pairs = (out_width + 1) / 2;
  return 2 * pairs - 1 + s.taps + 2 <= g->wp;
}

/* The scratch: the ring of (rows + 1) slots of 4 planes (the last all zeros), the pairs, the sums. */
typedef struct {
  int16_t *planes;
  int32_t *pairs;
  int32_t *acc;
} dw_plane_scratch;

/* One walk of a block: lines [y_begin, y_end) across, outputs [x_begin, x_end) along, channels [c, c + nb). */
typedef struct {
  int32_t in_lines, line_in, line_out; /* input lines across, bytes between input / output lines */
  int32_t stride, pad;                 /* across */
  int32_t pad_along;
  int32_t y_begin, y_end, x_begin, x_end, c, nb;
} dw_plane_walk;

/*
 * Each output line in turn: its filter lines' planes (each input line widened once into the ring, slot = input
 * line mod filter lines; lines outside the input read the zero slot), the sums, the outputs.
 */
static void dw_plane_block(const dw_plane_geom *g, const dw_plane_quant *q, const dw_plane_scratch *sc,
                           const int8_t *input_batch, const int8_t *filter, int8_t *output_batch,
                           const dw_plane_walk *wk) {
  const int32_t ring = g->rows, slot_size = 4 * g->wp, nb = wk->nb;
  const int32_t count = wk->x_end - wk->x_begin, pairs = (count + 1) / 2;
  const int32_t first_ix = wk->x_begin - wk->pad_along;
  const int32_t u_end = TFG_MIN(g->wp, 2 * pairs - 1 + g->taps + 2);
  /* The plane columns inside the input; the others stay 0. */
  const int32_t u_in_begin = TFG_MIN(u_end, TFG_MAX(0, -first_ix));
  const int32_t u_in_end = TFG_MAX(u_in_begin, TFG_MIN(u_end, g->in_width - first_ix));
  const int32_t words = dw_plane_is_3x3(g) ? 2 : 2 * g->nv;
  int32_t slot_row[TFG_DW_PLANE_MAX_TAPS];
  int16_t *zeros = sc->planes + ring * slot_size;
  for (int32_t r = 0; r < ring; r++) slot_row[r] = -1;
  memset(sc->planes, 0, (size_t)((ring + 1) * slot_size) * sizeof(int16_t));
  dw_plane_weights(g, filter + wk->c, nb, sc->pairs);
  for (int32_t y = wk->y_begin; y < wk->y_end; y++) {
    const int32_t y0 = y * wk->stride - wk->pad;
    const int16_t *x[TFG_DW_PLANE_MAX_TAPS];
    for (int32_t ky = 0; ky < g->rows; ky++) {
      const int32_t iy = y0 + ky;
      if (iy < 0 || iy >= wk->in_lines) {
        x[ky] = zeros;
        continue;
      }
      int16_t *plane = sc->planes + (iy % ring) * slot_size;
      if (slot_row[iy % ring] != iy) {
        dw_plane_fill(g, input_batch + iy * wk->line_in + first_ix * g->pixel_in + wk->c, nb, u_in_begin, u_in_end,
                      plane);
        slot_row[iy % ring] = iy;
      }
      x[ky] = plane;
    }
    if (dw_plane_is_3x3(g)) {
      dw_mac3_args a = {{x[0], x[1], x[2]}, sc->pairs, sc->acc, pairs, 2 * g->wp, nb};
      dw_mac3_s1(&a);
    } else {
      for (int32_t j = 0; j < nb; j++) {
        if (g->rows == 1) {
          const dw_line_args a = {x[0] + j * g->wp, sc->pairs + j * words, sc->acc + j * 2 * pairs, pairs, g->nv};
          dw_mac_line(&a);
          continue;
        }
        const int16_t *xj[TFG_DW_PLANE_MAX_TAPS];
        for (int32_t r = 0; r < g->rows; r++) xj[r] = x[r] + j * g->wp;
        dw_mac_any(g, xj, sc->pairs + j * g->rows * words, pairs, sc->acc + j * 2 * pairs);
      }
    }
    int8_t *out = output_batch + y * wk->line_out + wk->x_begin * g->pixel_out + wk->c;
    for (int32_t j = 0; j < nb; j++) dw_plane_store(g, q, j, sc->acc + j * 2 * pairs, count, out + j);
  }
}

/*
 * Whether the whole layer can go block by block (each block over every output row): the buffers are apart, or they
 * overlap channel-aligned and every output row overwrites only input rows of its own channels that are already in
 * the ring or never read again (a K x 1 line is widened whole before any of its outputs is written).
 */
static int dw_plane_whole_layer(const tfg_dw_conv_params *p, const dw_plane_geom *g, const tfg_dims *in,
                                const int8_t *input_batch, const tfg_dims *out, const int8_t *output_batch) {
  const int32_t in_row = in->w * in->c, out_row = out->w * out->c;
  const intptr_t d = (intptr_t)output_batch - (intptr_t)input_batch;
  if (d >= (intptr_t)in->h * in_row || d + (intptr_t)out->h * out_row <= 0) {
    return 1;
  }
  if (d % in->c != 0) {
    return 0;
  }
  if (g->walk_h) {
    /* A one-pixel-wide image, or buffers whole rows apart (dw_plane_applies): each output overwrites its own
       column's input, which the ring holds from before that column's first output. */
    return 1;
  }
  for (int32_t y = 0; y < out->h; y++) {
    const intptr_t last = d + (intptr_t)(y + 1) * out_row - 1;
    const int32_t widened = TFG_MIN(in->h - 1, y * p->stride.h - p->padding.h + g->rows - 1);
    if (last >= 0 && last / in_row > widened) {
      return 0;
    }
  }
  return 1;
}

static void depthwise_planes_dsp(const tfg_dw_conv_params *p, const dw_plane_geom *g,
                                 const tfg_per_channel_quant_params *quant, const tfg_dims *in,
                                 const int8_t *input_batch, const int8_t *filter, const int32_t *bias,
                                 const tfg_dims *out, int8_t *output_batch, void *scratch) {
  dw_plane_scratch sc;
  sc.planes = (int16_t *)scratch;
  sc.pairs = (int32_t *)(void *)(sc.planes + (g->rows + 1) * 4 * g->wp);
  sc.acc = sc.pairs + 4 * g->rows * dw_plane_pair_words(g->taps);
  const int whole = dw_plane_whole_layer(p, g, in, input_batch, out, output_batch);
  for (int32_t oy = 0; oy < out->h;) {
    const int32_t group = whole ? out->h - oy : dw_row_group(p, in, input_batch, out, output_batch, oy);
    for (int32_t c = 0; c < in->c; c += 4) {
      dw_plane_walk wk;
      dw_plane_quant q;
      wk.c = c;
      wk.nb = TFG_MIN(4, in->c - c);
      (void)dw_plane_quant_init(p, quant, bias, c, wk.nb, &q);
      if (g->walk_h) {
        /* Lines are input columns; the group is a run of outputs along H. */
        wk.in_lines = in->w;
        wk.line_in = in->c;
        wk.line_out = out->c;
        wk.stride = p->stride.w;
        wk.pad = p->padding.w;
        wk.pad_along = p->padding.h;
        wk.y_begin = 0;
        wk.y_end = out->w;
        wk.x_begin = oy;
        wk.x_end = oy + group;
      } else {
        wk.in_lines = in->h;
        wk.line_in = in->w * in->c;
        wk.line_out = out->w * out->c;
        wk.stride = p->stride.h;
        wk.pad = p->padding.h;
        wk.pad_along = p->padding.w;
        wk.y_begin = oy;
        wk.y_end = oy + group;
        wk.x_begin = 0;
        wk.x_end = out->w;
      }
      dw_plane_block(g, &q, &sc, input_batch, filter, output_batch, &wk);
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
  dw_plane_geom plane;
  if (dw_plane_applies(ctx, dw_params, quant_params, bias, input_dims, input, filter_dims, output_dims, output, &plane)) {
    for (int32_t b = 0; b < input_dims->n; b++) {
      depthwise_planes_dsp(dw_params, &plane, quant_params, input_dims,
                           input + b * input_dims->h * input_dims->w * input_dims->c, filter, bias, output_dims,
                           output + b * output_dims->h * output_dims->w * out_c, ctx->buf);
    }
    return TFG_OK;
  }
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
