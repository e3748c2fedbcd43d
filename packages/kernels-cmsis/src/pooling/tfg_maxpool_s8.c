/*
 * Max pooling over the in-bounds taps of each window. The DSP path takes 4 channels per word: a running
 * byte-lane maximum by SSUB8 (sets the GE flag of every lane where the tap is >= the maximum so far) and SEL,
 * 2 instructions per 4 channel-taps, then the activation clamp the same way and one word store; 2x2 windows
 * (the usual MaxPool2D 2x2 / 2) without loops over the taps.
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

#if TFG_NN_HAS_DSP
static inline uint32_t read_u8x4(const int8_t *p) { return (uint32_t)tfg_nn_read_s8x4(p); }
#endif

/* out[c] = clamp(max over the window's rows/columns of row[... + c]) for c < ch. */
static void pool_window(const int8_t *first, int32_t row_stride, int32_t rows, int32_t cols, int32_t ch,
                        const tfg_activation *act, int8_t *out) {
  int32_t c = 0;
#if TFG_NN_HAS_DSP
  const uint32_t min4 = tfg_dup8(act->min), max4 = tfg_dup8(act->max);
  if (rows == 2 && cols == 2) {
    /* The common 2x2 window: four loads and three maxima per 4 channels. */
    const int8_t *below = first + row_stride;
    for (; c + 4 <= ch; c += 4) {
      const uint32_t top = tfg_max_s8x4(read_u8x4(first + c), read_u8x4(first + ch + c));
      const uint32_t bottom = tfg_max_s8x4(read_u8x4(below + c), read_u8x4(below + ch + c));
      const uint32_t best = tfg_clamp_s8x4(tfg_max_s8x4(top, bottom), min4, max4);
      memcpy(out + c, &best, sizeof(best));
    }
  }
  for (; c + 4 <= ch; c += 4) {
    uint32_t best = 0x80808080u;
    const int8_t *row = first + c;
    for (int32_t ky = 0; ky < rows; ky++, row += row_stride) {
      int32_t kx = 0;
      for (; kx + 2 <= cols; kx += 2) {
        best = tfg_max_s8x4(best, tfg_max_s8x4(read_u8x4(row + kx * ch), read_u8x4(row + (kx + 1) * ch)));
      }
      if (kx < cols) {
        best = tfg_max_s8x4(best, read_u8x4(row + kx * ch));
      }
    }
    best = tfg_clamp_s8x4(best, min4, max4);
    memcpy(out + c, &best, sizeof(best));
  }
#endif
  for (; c < ch; c++) {
    int32_t best = INT8_MIN;
    const int8_t *row = first + c;
    for (int32_t ky = 0; ky < rows; ky++, row += row_stride) {
      for (int32_t kx = 0; kx < cols; kx++) {
        best = TFG_MAX(best, (int32_t)row[kx * ch]);
      }
    }
    out[c] = tfg_nn_clamp_s8(best, act);
  }
}

tfg_status tfg_maxpool_s8(const tfg_context *ctx, const tfg_pool_params *pool_params, const tfg_dims *input_dims,
                          const int8_t *input, const tfg_dims *filter_dims, const tfg_dims *output_dims,
                          int8_t *output) {
  (void)ctx;
  const tfg_pool_params *p = pool_params;
  const int32_t ch = input_dims->c;
  if (output_dims->c != ch || output_dims->n != input_dims->n || p->stride.h < 1 || p->stride.w < 1) {
    return TFG_ARG_ERROR;
  }
  const int32_t row_stride = input_dims->w * ch;
  for (int32_t b = 0; b < input_dims->n; b++) {
    for (int32_t oy = 0; oy < output_dims->h; oy++) {
      const int32_t y0 = oy * p->stride.h - p->padding.h;
      const int32_t ky_begin = TFG_MAX(0, -y0), ky_end = TFG_MIN(filter_dims->h, input_dims->h - y0);
      for (int32_t ox = 0; ox < output_dims->w; ox++) {
        const int32_t x0 = ox * p->stride.w - p->padding.w;
        const int32_t kx_begin = TFG_MAX(0, -x0), kx_end = TFG_MIN(filter_dims->w, input_dims->w - x0);
        if (ky_end <= ky_begin || kx_end <= kx_begin) {
          return TFG_ARG_ERROR;
        }
        const int8_t *first = input + ((b * input_dims->h + y0 + ky_begin) * input_dims->w + x0 + kx_begin) * ch;
        int8_t *out = output + ((b * output_dims->h + oy) * output_dims->w + ox) * ch;
        pool_window(first, row_stride, ky_end - ky_begin, kx_end - kx_begin, ch, &p->activation, out);
      }
    }
  }
  return TFG_OK;
}
