/*
 * CONV_2D 16x8 (TFLite's reference_integer_ops::ConvPerChannel for int16 input): int16 activations, int8 weights,
 * int64 (or int32) bias, any stride, padding, dilation and channel groups. Each output is a sum over the in-bounds
 * taps of a contiguous channel dot product (tfg_nn_dot_s16x8: SMLALD on int16 pairs on the DSP path), exact in
 * int64, then TFLite's 16x8 rescale. No scratch.
 */
#include "../support/tfg_nn_s16.h"

tfg_status tfg_convolve_s16(const tfg_conv_params *conv_params, const tfg_per_channel_quant_params *quant_params,
                            const tfg_dims *input_dims, const int16_t *input, const tfg_dims *filter_dims,
                            const int8_t *filter, const tfg_bias_s16 *bias, const tfg_dims *output_dims,
                            int16_t *output) {
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
