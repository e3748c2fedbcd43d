/*
 * TRANSPOSE_CONV, int8 and 16x8 (TFLite's reference_integer_ops::TransposeConv). The reference scatters every input
 * pixel into the output window at (y * stride - pad_top, x * stride - pad_left); these kernels gather instead: each
 * output pixel (oy, ox) sums the taps (ky, kx) with oy + pad_top - ky a multiple of stride_h (and likewise for x)
 * whose input pixel exists. Integer sums do not depend on their order, so the bytes are the reference's: int8 wraps
 * in int32 (the int64 sum truncated), 16x8 is exact in int64. Each tap is a dot product over the input channels with
 * the filter's OHWI run (tfg_nn_dot_s16x8: SMLALD on int16 pairs on the DSP path). The int8 kernel first gathers the
 * pixel's taps into scratch as int16 with the input offset added, so both kernels share that dot product.
 */
#include "../support/tfg_nn_s16.h"

/* The first filter row ky >= 0 with out + pad - ky a multiple of stride (then every stride-th one). */
static int32_t first_tap(int32_t out, int32_t pad, int32_t stride) {
  const int32_t r = (out + pad) % stride;
  return r < 0 ? r + stride : r;
}

/* The input row of output row `out` under filter row `k` (valid when in [0, size)). */
static int32_t source_row(int32_t out, int32_t pad, int32_t stride, int32_t k) { return (out + pad - k) / stride; }

/*
 * The taps of output pixel (oy, ox), the one place that says which they are: the filter positions (ky, kx), in
 * (ky, kx) order, whose input pixel (iy, ix) exists. The statement after it runs once per tap with the four set.
 * (A macro, so that the walk compiles to the plain nested loops: an iterator function cost 6 % on qemu-m4.)
 */
#define FOR_EACH_TAP(p, in, f, oy, ox, ky, kx, iy, ix)                                                           \
  for (int32_t ky = first_tap((oy), (p)->padding.h, (p)->stride.h), iy; ky < (f)->h; ky += (p)->stride.h)            \
    if ((iy = source_row((oy), (p)->padding.h, (p)->stride.h, ky)) >= 0 && iy < (in)->h)                            \
      for (int32_t kx = first_tap((ox), (p)->padding.w, (p)->stride.w), ix; kx < (f)->w; kx += (p)->stride.w)        \
        if ((ix = source_row((ox), (p)->padding.w, (p)->stride.w, kx)) >= 0 && ix < (in)->w)

static int check_dims(const tfg_conv_params *p, const tfg_dims *in, const tfg_dims *f, const tfg_dims *o) {
  return f->c == in->c && o->c == f->n && o->n == in->n && p->stride.h >= 1 && p->stride.w >= 1 && p->padding.h >= 0 &&
         p->padding.w >= 0;
}

int32_t tfg_transpose_conv_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return ((filter_dims->h * filter_dims->w * filter_dims->c * (int32_t)sizeof(int16_t)) + 3) & ~3;
}

/* One output pixel's taps as int16 (input + offset), in the walk's order: returns their count. */
static int32_t gather_taps_s8(const tfg_conv_params *p, const tfg_dims *in, const tfg_dims *f, const int8_t *input,
                              int32_t b, int32_t oy, int32_t ox, int16_t *field) {
  int32_t taps = 0;
  FOR_EACH_TAP(p, in, f, oy, ox, ky, kx, iy, ix) {
    const int8_t *x = input + ((b * in->h + iy) * in->w + ix) * in->c;
    for (int32_t c = 0; c < in->c; c++) *field++ = (int16_t)(x[c] + p->input_offset);
    taps++;
  }
  return taps;
}

/* Output channel oc's sum over the gathered taps (the same walk as gather_taps_s8). */
static int64_t taps_dot(const tfg_conv_params *p, const tfg_dims *in, const tfg_dims *f, const int16_t *field,
                        const int8_t *filter_oc, int32_t oy, int32_t ox) {
  int64_t acc = 0;
  FOR_EACH_TAP(p, in, f, oy, ox, ky, kx, iy, ix) {
    acc += tfg_nn_dot_s16x8(field, filter_oc + (ky * f->w + kx) * f->c, f->c);
    field += f->c;
  }
  return acc;
}

tfg_status tfg_transpose_conv_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                                 const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                                 const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                 const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  const tfg_conv_params *p = conv_params;
  const tfg_dims *in = input_dims, *f = filter_dims, *o = output_dims;
  if (!check_dims(p, in, f, o)) return TFG_ARG_ERROR;
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tfg_transpose_conv_s8_get_buffer_size(in, f)) return TFG_ARG_ERROR;
  int16_t *field = (int16_t *)ctx->buf;
  const int32_t depth = f->h * f->w * f->c;
  for (int32_t b = 0; b < o->n; b++) {
    for (int32_t oy = 0; oy < o->h; oy++) {
      for (int32_t ox = 0; ox < o->w; ox++) {
        gather_taps_s8(p, in, f, input, b, oy, ox, field);
        for (int32_t oc = 0; oc < o->c; oc++) {
          /* TFLite's int32 scratch accumulator wraps; the int64 sum truncated gives the same bits. */
          int32_t acc = (int32_t)(uint32_t)(uint64_t)taps_dot(p, in, f, field, filter + oc * depth, oy, ox);
          if (bias != NULL) acc = (int32_t)((uint32_t)acc + (uint32_t)bias[oc]);
          const int32_t v = tfg_nn_requantize(acc, quant_params->multiplier[oc], quant_params->shift[oc]) + p->output_offset;
          *output++ = tfg_nn_clamp_s8(v, &p->activation);
        }
      }
    }
  }
  return TFG_OK;
}

tfg_status tfg_transpose_conv_s16(const tfg_conv_params *conv_params, const tfg_per_channel_quant_params *quant_params,
                                  const tfg_dims *input_dims, const int16_t *input, const tfg_dims *filter_dims,
                                  const int8_t *filter, const int64_t *bias, const tfg_dims *output_dims,
                                  int16_t *output) {
  const tfg_conv_params *p = conv_params;
  const tfg_dims *in = input_dims, *f = filter_dims, *o = output_dims;
  if (!check_dims(p, in, f, o)) return TFG_ARG_ERROR;
  const tfg_bias_s16 b64 = {bias, NULL};
  const int32_t depth = f->h * f->w * f->c;
  for (int32_t b = 0; b < o->n; b++) {
    for (int32_t oy = 0; oy < o->h; oy++) {
      for (int32_t ox = 0; ox < o->w; ox++) {
        for (int32_t oc = 0; oc < o->c; oc++) {
          int64_t acc = 0;
          FOR_EACH_TAP(p, in, f, oy, ox, ky, kx, iy, ix) {
            acc += tfg_nn_dot_s16x8(input + ((b * in->h + iy) * in->w + ix) * in->c,
                                    filter + oc * depth + (ky * f->w + kx) * f->c, f->c);
          }
          *output++ = tfg_nn_finish_s16(acc, &b64, oc, quant_params->multiplier[oc], quant_params->shift[oc],
                                        &p->activation);
        }
      }
    }
  }
  return TFG_OK;
}
