/*
 * DEPTHWISE_CONV_2D 16x8: int16 activations, int8 weights [1, kh, kw, c * m], int64 bias (TFLite Micro's int16
 * depthwise takes no other). Output channel c * m + j accumulates input channel c over the in-bounds taps.
 *
 * DSP path (channel multiplier 1): four channels per step, two int16 input pairs against four weights widened in
 * registers, SMLABB/SMLATB/SMLABT/SMLATT into four int32 accumulators. Exact while a product sum fits int32:
 * |x * w| <= 2^22, so at most 511 taps (bigger windows take the int64 loop); the sums then widen to int64.
 */
#include "../support/tfg_nn_s16.h"

#define DW_S16_MAX_INT32_TAPS 511

tfg_status tfg_depthwise_conv_s16(const tfg_dw_conv_params *dw_params, const tfg_per_channel_quant_params *quant_params,
                                  const tfg_dims *input_dims, const int16_t *input, const tfg_dims *filter_dims,
                                  const int8_t *filter, const int64_t *bias, const tfg_dims *output_dims,
                                  int16_t *output) {
  const tfg_dims *in = input_dims, *f = filter_dims, *o = output_dims;
  const tfg_dw_conv_params *p = dw_params;
  const int32_t m = p->ch_mult;
  if (m < 1 || o->c != in->c * m || f->c != o->c || o->n != in->n) {
    return TFG_ARG_ERROR;
  }
  const tfg_bias_s16 b = {bias, NULL};
  int16_t *out = output;
  for (int32_t n = 0; n < in->n; n++) {
    for (int32_t oy = 0; oy < o->h; oy++) {
      const int32_t iy0 = oy * p->stride.h - p->padding.h;
      for (int32_t ox = 0; ox < o->w; ox++) {
        const int32_t ix0 = ox * p->stride.w - p->padding.w;
        int32_t oc = 0;
#if TFG_NN_HAS_DSP
        if (m == 1 && f->h * f->w <= DW_S16_MAX_INT32_TAPS) {
          for (; oc + 4 <= o->c; oc += 4) {
            int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
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
                const int16_t *x = input + ((n * in->h + iy) * in->w + ix) * in->c + oc;
                int32_t x01, x23;
                memcpy(&x01, x, sizeof x01);
                memcpy(&x23, x + 2, sizeof x23);
                const int32_t w4 = tfg_nn_read_s8x4(filter + (ky * f->w + kx) * f->c + oc);
                const int32_t w02 = tfg_sxtb16(w4), w13 = tfg_sxtb16_ror8(w4);
                a0 = __smlabb(x01, w02, a0);
                a1 = __smlatb(x01, w13, a1);
                a2 = __smlabt(x23, w02, a2);
                a3 = __smlatt(x23, w13, a3);
              }
            }
            const int32_t acc[4] = {a0, a1, a2, a3};
            for (int32_t k = 0; k < 4; k++) {
              *out++ = tfg_nn_finish_s16(acc[k], &b, oc + k, quant_params->multiplier[oc + k],
                                         quant_params->shift[oc + k], &p->activation);
            }
          }
        }
#endif
        for (; oc < o->c; oc++) {
          const int32_t c = oc / m;
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
              acc += (int32_t)input[((n * in->h + iy) * in->w + ix) * in->c + c] *
                     filter[(ky * f->w + kx) * f->c + oc];
            }
          }
          *out++ = tfg_nn_finish_s16(acc, &b, oc, quant_params->multiplier[oc], quant_params->shift[oc],
                                     &p->activation);
        }
      }
    }
  }
  return TFG_OK;
}
