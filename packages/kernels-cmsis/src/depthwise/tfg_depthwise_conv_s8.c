/*
 * Generic int8 depthwise convolution, any channel multiplier: output channel ic * ch_mult + m reads input channel
 * ic only. Out-of-bounds taps are skipped, which equals padding with the input zero point.
 */
#include "../support/tfg_nn_dsp.h"
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

#if TFG_NN_HAS_DSP
/*
 * Channel multiplier 1 on the DSP extension: 4 channels at a time. Each tap loads one word of input and one of
 * weights; SXTAB16 widens the input and adds the offset in one step, and SMLABB/SMLATT accumulate the 4 lanes.
 * Window bounds are computed once per output pixel, so no tap is tested.
 */
static void depthwise_mult1_dsp(const tfg_dw_conv_params *p, const tfg_per_channel_quant_params *quant,
                                const tfg_dims *in, const int8_t *input_batch, const tfg_dims *f, const int8_t *filter,
                                const int32_t *bias, const tfg_dims *out, int8_t *output_batch) {
  const int32_t channels = in->c;
  const int32_t offset2 = tfg_dup16(p->input_offset);
  const int32_t dh = p->dilation.h, dw = p->dilation.w;
  for (int32_t oy = 0; oy < out->h; oy++) {
    const int32_t y0 = oy * p->stride.h - p->padding.h;
    /* first ky with y0 + ky*dh >= 0, and the end ky with y0 + ky*dh < in->h */
    const int32_t ky_begin = y0 >= 0 ? 0 : (-y0 + dh - 1) / dh;
    const int32_t ky_end = TFG_MIN(f->h, in->h - y0 <= 0 ? 0 : (in->h - y0 + dh - 1) / dh);
    for (int32_t ox = 0; ox < out->w; ox++) {
      const int32_t x0 = ox * p->stride.w - p->padding.w;
      const int32_t kx_begin = x0 >= 0 ? 0 : (-x0 + dw - 1) / dw;
      const int32_t kx_end = TFG_MIN(f->w, in->w - x0 <= 0 ? 0 : (in->w - x0 + dw - 1) / dw);
      int8_t *o = output_batch + (oy * out->w + ox) * channels;
      int32_t c = 0;
      for (; c + 4 <= channels; c += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int32_t ky = ky_begin; ky < ky_end; ky++) {
          const int8_t *x = input_batch + ((y0 + ky * dh) * in->w + x0 + kx_begin * dw) * channels + c;
          const int8_t *w = filter + (ky * f->w + kx_begin) * channels + c;
          for (int32_t kx = kx_begin; kx < kx_end; kx++, x += dw * channels, w += channels) {
            const int32_t xw = tfg_nn_read_s8x4(x), ww = tfg_nn_read_s8x4(w);
            const int32_t xe = tfg_sxtab16(offset2, xw), xo = tfg_sxtab16_ror8(offset2, xw);
            const int32_t we = tfg_sxtb16(ww), wo = tfg_sxtb16_ror8(ww);
            a0 = __smlabb(xe, we, a0);
            a1 = __smlabb(xo, wo, a1);
            a2 = __smlatt(xe, we, a2);
            a3 = __smlatt(xo, wo, a3);
          }
        }
        const int32_t acc[4] = {a0, a1, a2, a3};
        for (int32_t j = 0; j < 4; j++) {
          const int32_t oc = c + j;
          const int32_t v = tfg_nn_requantize(acc[j] + (bias != 0 ? bias[oc] : 0), quant->multiplier[oc], quant->shift[oc]);
          o[oc] = tfg_nn_clamp_s8(v + p->output_offset, &p->activation);
        }
      }
      for (; c < channels; c++) {
        int32_t acc = window_sum(p, in, input_batch, f, filter, oy, ox, c, c, channels);
        if (bias != 0) {
          acc += bias[c];
        }
        acc = tfg_nn_requantize(acc, quant->multiplier[c], quant->shift[c]);
        o[c] = tfg_nn_clamp_s8(acc + p->output_offset, &p->activation);
      }
    }
  }
}
#endif

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
#if TFG_NN_HAS_DSP
  if (dw_params->ch_mult == 1) {
    for (int32_t b = 0; b < input_dims->n; b++) {
      depthwise_mult1_dsp(dw_params, quant_params, input_dims, input + b * input_dims->h * input_dims->w * input_dims->c,
                          filter_dims, filter, bias, output_dims, output + b * output_dims->h * output_dims->w * out_c);
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
