/*
 * CONV_2D 16x8 (TFLite's reference_integer_ops::ConvPerChannel for int16 input): int16 activations, int8 weights,
 * int64 (or int32) bias, any stride, padding, dilation and channel groups, exact in int64, then TFLite's 16x8
 * rescale. With scratch for one receptive field (tfg_convolve_s16_get_buffer_size), each output pixel's field is
 * gathered once per group (padding as zeros: int16 activations have zero point 0) and every output channel of the
 * group is one long dot product over it (tfg_nn_dot_s16x8: SMLALD on int16 pairs on the DSP path); without, the
 * dot products run tap by tap over the input.
 */
#include "../support/tfg_nn_s16.h"

int32_t tfg_convolve_s16_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return ((filter_dims->h * filter_dims->w * filter_dims->c * (int32_t)sizeof(int16_t)) + 3) & ~3;
}

/* One receptive field (kh * kw * filter_c values from channel_base on), out-of-bounds taps zero. */
static void gather_field(const tfg_conv_params *p, const tfg_dims *in, const tfg_dims *f, const int16_t *input,
                         int32_t b, int32_t iy0, int32_t ix0, int32_t channel_base, int16_t *field) {
  const size_t row = (size_t)f->c * sizeof(int16_t);
  for (int32_t ky = 0; ky < f->h; ky++) {
    const int32_t iy = iy0 + ky * p->dilation.h;
    for (int32_t kx = 0; kx < f->w; kx++, field += f->c) {
      const int32_t ix = ix0 + kx * p->dilation.w;
      if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w) {
        memset(field, 0, row);
      } else {
        memcpy(field, input + ((b * in->h + iy) * in->w + ix) * in->c + channel_base, row);
      }
    }
  }
}

tfg_status tfg_convolve_s16(const tfg_context *ctx, const tfg_conv_params *conv_params,
                            const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                            const int16_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                            const tfg_bias_s16 *bias, const tfg_dims *output_dims, int16_t *output) {
  const tfg_dims *in = input_dims, *f = filter_dims, *o = output_dims;
  const int32_t filter_c = f->c;
  if (filter_c < 1 || in->c % filter_c != 0 || o->c != f->n || o->n != in->n) {
    return TFG_ARG_ERROR;
  }
  const int32_t groups = in->c / filter_c;
  if (o->c % groups != 0) {
    return TFG_ARG_ERROR;
  }
  const int32_t out_per_group = o->c / groups;
  const tfg_conv_params *p = conv_params;
  int16_t *out = output;
  const int32_t depth = f->h * f->w * filter_c;
  if (ctx != NULL && ctx->buf != NULL && ctx->size >= tfg_convolve_s16_get_buffer_size(input_dims, filter_dims)) {
    int16_t *field = (int16_t *)ctx->buf;
    for (int32_t b = 0; b < in->n; b++) {
      for (int32_t oy = 0; oy < o->h; oy++) {
        for (int32_t ox = 0; ox < o->w; ox++) {
          for (int32_t g = 0; g < groups; g++) {
            gather_field(p, in, f, input, b, oy * p->stride.h - p->padding.h, ox * p->stride.w - p->padding.w,
                         g * filter_c, field);
            for (int32_t oc = g * out_per_group; oc < (g + 1) * out_per_group; oc++) {
              const int64_t acc = tfg_nn_dot_s16x8(field, filter + oc * depth, depth);
              out[oc] = tfg_nn_finish_s16(acc, bias, oc, quant_params->multiplier[oc], quant_params->shift[oc],
                                          &p->activation);
            }
          }
          out += o->c;
        }
      }
    }
    return TFG_OK;
  }
  for (int32_t b = 0; b < in->n; b++) {
    for (int32_t oy = 0; oy < o->h; oy++) {
      const int32_t iy0 = oy * p->stride.h - p->padding.h;
      for (int32_t ox = 0; ox < o->w; ox++) {
        const int32_t ix0 = ox * p->stride.w - p->padding.w;
        for (int32_t oc = 0; oc < o->c; oc++) {
          const int32_t channel_base = (oc / out_per_group) * filter_c;
          int64_t acc = 0;
          for (int32_t ky = 0; ky < f->h; ky++) {
            const int32_t iy = iy0 + ky * p->dilation.h;
            if (iy < 0 || iy >= in->h) {
              continue;
            }
            for (int32_t kx = 0; kx < f->w; kx++) {
              const int32_t ix = ix0 + kx * p->dilation.w;
              if (ix < 0 || ix >= in->w) {
                continue;
              }
              const int16_t *x = input + ((b * in->h + iy) * in->w + ix) * in->c + channel_base;
              const int8_t *w = filter + ((oc * f->h + ky) * f->w + kx) * filter_c;
              acc += tfg_nn_dot_s16x8(x, w, filter_c);
            }
          }
          *out++ = tfg_nn_finish_s16(acc, bias, oc, quant_params->multiplier[oc], quant_params->shift[oc],
                                     &p->activation);
        }
      }
    }
  }
  return TFG_OK;
}
