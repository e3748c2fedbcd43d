/*
 * Generic int8 depthwise convolution, any channel multiplier: output channel ic * ch_mult + m reads input channel
 * ic only. Out-of-bounds taps are skipped, which equals padding with the input zero point.
 */
#include "../support/tfg_nn_support.h"

int32_t tfg_depthwise_conv_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  (void)filter_dims;
  return 0;
}

static int32_t window_sum(const tfg_dw_conv_params *p, const tfg_dims *in, const int8_t *input_batch,
                          const tfg_dims *f, const int8_t *filter, int32_t oy, int32_t ox, int32_t ic, int32_t oc,
                          int32_t out_c) {
  int32_t acc = 0;
  for (int32_t ky = 0; ky < f->h; ky++) {
    const int32_t iy = oy * p->stride.h - p->padding.h + ky * p->dilation.h;
    if (iy < 0 || iy >= in->h) {
      continue;
    }
    for (int32_t kx = 0; kx < f->w; kx++) {
      const int32_t ix = ox * p->stride.w - p->padding.w + kx * p->dilation.w;
      if (ix < 0 || ix >= in->w) {
        continue;
      }
      const int32_t x = input_batch[(iy * in->w + ix) * in->c + ic] + p->input_offset;
      acc += filter[(ky * f->w + kx) * out_c + oc] * x;
    }
  }
  return acc;
}

tfg_status tfg_depthwise_conv_s8(const tfg_context *ctx, const tfg_dw_conv_params *dw_params,
                                 const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                                 const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                 const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  (void)ctx;
  const int32_t out_c = output_dims->c;
  if (dw_params->ch_mult < 1 || out_c != input_dims->c * dw_params->ch_mult || filter_dims->c != out_c ||
      output_dims->n != input_dims->n || dw_params->stride.h < 1 || dw_params->stride.w < 1 ||
      dw_params->dilation.h < 1 || dw_params->dilation.w < 1) {
    return TFG_ARG_ERROR;
  }
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
