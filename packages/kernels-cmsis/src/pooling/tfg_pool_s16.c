/*
 * Average and max pooling on int16, the int8 kernels' arithmetic (same scale in and out): in-bounds taps only,
 * the mean rounded half away from zero, then the activation clamp. Plain C.
 */
#include "../support/tfg_nn_s16.h"

static tfg_status pool_s16(int average, const tfg_pool_params *p, const tfg_dims *in, const int16_t *input,
                           const tfg_dims *f, const tfg_dims *o, int16_t *output) {
  if (o->n != in->n || o->c != in->c) {
    return TFG_ARG_ERROR;
  }
  int16_t *out = output;
  for (int32_t b = 0; b < in->n; b++) {
    for (int32_t oy = 0; oy < o->h; oy++) {
      const int32_t y0 = oy * p->stride.h - p->padding.h;
      const int32_t ys = TFG_MAX(0, y0), ye = TFG_MIN(in->h, y0 + f->h);
      for (int32_t ox = 0; ox < o->w; ox++) {
        const int32_t x0 = ox * p->stride.w - p->padding.w;
        const int32_t xs = TFG_MAX(0, x0), xe = TFG_MIN(in->w, x0 + f->w);
        const int32_t count = (ye - ys) * (xe - xs);
        for (int32_t c = 0; c < in->c; c++) {
          int32_t acc = average ? 0 : INT32_MIN;
          for (int32_t iy = ys; iy < ye; iy++) {
            for (int32_t ix = xs; ix < xe; ix++) {
              const int32_t v = input[((b * in->h + iy) * in->w + ix) * in->c + c];
              acc = average ? acc + v : TFG_MAX(acc, v);
            }
          }
          int32_t v = acc;
          if (average) {
            if (count < 1) {
              return TFG_ARG_ERROR;
            }
            v = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          }
          *out++ = (int16_t)TFG_MIN(TFG_MAX(v, p->activation.min), p->activation.max);
        }
      }
    }
  }
  return TFG_OK;
}

tfg_status tfg_avgpool_s16(const tfg_pool_params *pool_params, const tfg_dims *input_dims, const int16_t *input,
                           const tfg_dims *filter_dims, const tfg_dims *output_dims, int16_t *output) {
  return pool_s16(1, pool_params, input_dims, input, filter_dims, output_dims, output);
}

tfg_status tfg_maxpool_s16(const tfg_pool_params *pool_params, const tfg_dims *input_dims, const int16_t *input,
                           const tfg_dims *filter_dims, const tfg_dims *output_dims, int16_t *output) {
  return pool_s16(0, pool_params, input_dims, input, filter_dims, output_dims, output);
}
