/*
 * Average pooling, int8 in and out with the same quantization (as TFLite requires). Only in-bounds taps are
 * counted; the mean is rounded half away from zero.
 */
#include "../support/tfg_nn_support.h"

int32_t tfg_avgpool_s8_get_buffer_size(const tfg_dims *output_dims) {
  (void)output_dims;
  return 0;
}

tfg_status tfg_avgpool_s8(const tfg_context *ctx, const tfg_pool_params *pool_params, const tfg_dims *input_dims,
                          const int8_t *input, const tfg_dims *filter_dims, const tfg_dims *output_dims,
                          int8_t *output) {
  (void)ctx;
  const tfg_pool_params *p = pool_params;
  const int32_t ch = input_dims->c;
  if (output_dims->c != ch || output_dims->n != input_dims->n || p->stride.h < 1 || p->stride.w < 1) {
    return TFG_ARG_ERROR;
  }
  for (int32_t b = 0; b < input_dims->n; b++) {
    for (int32_t oy = 0; oy < output_dims->h; oy++) {
      const int32_t y0 = oy * p->stride.h - p->padding.h;
      const int32_t ky_begin = TFG_MAX(0, -y0), ky_end = TFG_MIN(filter_dims->h, input_dims->h - y0);
      for (int32_t ox = 0; ox < output_dims->w; ox++) {
        const int32_t x0 = ox * p->stride.w - p->padding.w;
        const int32_t kx_begin = TFG_MAX(0, -x0), kx_end = TFG_MIN(filter_dims->w, input_dims->w - x0);
        const int32_t count = (ky_end - ky_begin) * (kx_end - kx_begin);
        if (ky_end <= ky_begin || kx_end <= kx_begin) {
          return TFG_ARG_ERROR; /* a window entirely in padding has no average */
        }
        int8_t *out = output + ((b * output_dims->h + oy) * output_dims->w + ox) * ch;
        for (int32_t c = 0; c < ch; c++) {
          int32_t sum = 0;
          for (int32_t ky = ky_begin; ky < ky_end; ky++) {
            const int8_t *row = input + ((b * input_dims->h + y0 + ky) * input_dims->w + x0) * ch + c;
            for (int32_t kx = kx_begin; kx < kx_end; kx++) {
              sum += row[kx * ch];
            }
          }
          const int32_t mean = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          out[c] = tfg_nn_clamp_s8(mean, &p->activation);
        }
      }
    }
  }
  return TFG_OK;
}
