/*
 * Grouped int8 convolution (1 < groups < channels: ONNX Conv's group attribute, TFLite CONV_2D with a filter
 * narrower than its input): output channel oc reads input channels (oc / (out_c / groups)) * filter_c onward.
 * Per output pixel and group, the receptive field of the group's channels is gathered once into scratch as int16
 * with the input offset added (padding taps 0: they add nothing, as the reference's skipped taps), and each of the
 * group's output channels is one dot product with its OHWI filter row (tfg_nn_dot_s16x8: SMLALD on int16 pairs on
 * the DSP path). TFLite's int32 accumulator wraps; the int64 sum truncated gives the same bits.
 */
#include "../support/tfg_nn_s16.h"

int32_t tfg_convolve_grouped_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return ((filter_dims->h * filter_dims->w * filter_dims->c * (int32_t)sizeof(int16_t)) + 3) & ~3;
}

/* One receptive field of filter_c channels from channel_base on, as int16 with the input offset; padding 0. */
static void gather_field(const tfg_conv_params *p, const tfg_dims *in, const tfg_dims *f, const int8_t *input_batch,
                         int32_t iy0, int32_t ix0, int32_t channel_base, int16_t *field) {
  for (int32_t ky = 0; ky < f->h; ky++) {
    const int32_t iy = iy0 + ky * p->dilation.h;
    for (int32_t kx = 0; kx < f->w; kx++, field += f->c) {
      const int32_t ix = ix0 + kx * p->dilation.w;
      if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w) {
        memset(field, 0, (size_t)f->c * sizeof(int16_t));
        continue;
      }
      const int8_t *x = input_batch + (iy * in->w + ix) * in->c + channel_base;
      for (int32_t c = 0; c < f->c; c++) field[c] = (int16_t)(x[c] + p->input_offset);
    }
  }
}

tfg_status tfg_convolve_grouped_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                                   const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                                   const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                   const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  const tfg_conv_params *p = conv_params;
  const tfg_dims *in = input_dims, *f = filter_dims, *o = output_dims;
  if (f->c < 1 || in->c % f->c != 0 || o->c != f->n || o->n != in->n || o->c % (in->c / f->c) != 0) {
    return TFG_ARG_ERROR;
  }
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tfg_convolve_grouped_s8_get_buffer_size(in, f)) {
    return TFG_ARG_ERROR;
  }
  const int32_t groups = in->c / f->c;
  const int32_t out_per_group = o->c / groups;
  const int32_t depth = f->h * f->w * f->c;
  int16_t *field = (int16_t *)ctx->buf;
  for (int32_t b = 0; b < in->n; b++) {
    const int8_t *input_batch = input + b * in->h * in->w * in->c;
    for (int32_t oy = 0; oy < o->h; oy++) {
      for (int32_t ox = 0; ox < o->w; ox++) {
        for (int32_t g = 0; g < groups; g++) {
          gather_field(p, in, f, input_batch, oy * p->stride.h - p->padding.h, ox * p->stride.w - p->padding.w,
                       g * f->c, field);
          for (int32_t oc = g * out_per_group; oc < (g + 1) * out_per_group; oc++) {
            int32_t acc = (int32_t)(uint32_t)(uint64_t)tfg_nn_dot_s16x8(field, filter + oc * depth, depth);
            if (bias != NULL) acc = (int32_t)((uint32_t)acc + (uint32_t)bias[oc]);
            const int32_t v =
                tfg_nn_requantize(acc, quant_params->multiplier[oc], quant_params->shift[oc]) + p->output_offset;
            output[oc] = tfg_nn_clamp_s8(v, &p->activation);
          }
        }
        output += o->c;
      }
    }
  }
  return TFG_OK;
}
