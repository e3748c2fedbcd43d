/*
 * Average pooling, int8 in and out with the same quantization (as TFLite requires). Only in-bounds taps are
 * counted; the mean is rounded half away from zero.
 *
 * DSP path: 4 channels per word, summed in int16 lanes by SXTAB16 (channels 0 and 2 in one register, 1 and 3
 * with ROR 8 in the other): 3 instructions per 4 channel-taps. Exact while the window has at most 256 taps
 * (|sum| <= 256 * 128 fits int16); larger windows take the plain loop.
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

#define AVGPOOL_MAX_LANE_TAPS 256

int32_t tfg_avgpool_s8_get_buffer_size(const tfg_dims *output_dims) {
  (void)output_dims;
  return 0;
}

static inline int32_t rounded_mean(int32_t sum, int32_t count) {
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

#if TFG_NN_HAS_DSP
/* The signed int16 in the low (lane 0) or high (lane 1) half of a pair. */
static inline int32_t lane_lo(int32_t pair) { return (int32_t)(int16_t)(uint16_t)((uint32_t)pair & 0xFFFFu); }
static inline int32_t lane_hi(int32_t pair) { return pair >> 16; }
#endif

/* out[c] = clamp(rounded mean over the window of row[... + c]) for c < ch. */
static void average_window(const int8_t *first, int32_t row_stride, int32_t rows, int32_t cols, int32_t ch,
                           const tfg_activation *act, int8_t *out) {
  const int32_t count = rows * cols;
  int32_t c = 0;
#if TFG_NN_HAS_DSP
  if (count <= AVGPOOL_MAX_LANE_TAPS) {
    for (; c + 4 <= ch; c += 4) {
      int32_t even = 0, odd = 0;
      const int8_t *row = first + c;
      for (int32_t ky = 0; ky < rows; ky++, row += row_stride) {
        for (int32_t kx = 0; kx < cols; kx++) {
          const int32_t word = tfg_nn_read_s8x4(row + kx * ch);
          even = tfg_sxtab16(even, word);
          odd = tfg_sxtab16_ror8(odd, word);
        }
      }
      out[c] = tfg_nn_clamp_s8(rounded_mean(lane_lo(even), count), act);
      out[c + 1] = tfg_nn_clamp_s8(rounded_mean(lane_lo(odd), count), act);
      out[c + 2] = tfg_nn_clamp_s8(rounded_mean(lane_hi(even), count), act);
      out[c + 3] = tfg_nn_clamp_s8(rounded_mean(lane_hi(odd), count), act);
    }
  }
#endif
  for (; c < ch; c++) {
    int32_t sum = 0;
    const int8_t *row = first + c;
    for (int32_t ky = 0; ky < rows; ky++, row += row_stride) {
      for (int32_t kx = 0; kx < cols; kx++) {
        sum += row[kx * ch];
      }
    }
    out[c] = tfg_nn_clamp_s8(rounded_mean(sum, count), act);
  }
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
  const int32_t row_stride = input_dims->w * ch;
  for (int32_t b = 0; b < input_dims->n; b++) {
    for (int32_t oy = 0; oy < output_dims->h; oy++) {
      const int32_t y0 = oy * p->stride.h - p->padding.h;
      const int32_t ky_begin = TFG_MAX(0, -y0), ky_end = TFG_MIN(filter_dims->h, input_dims->h - y0);
      for (int32_t ox = 0; ox < output_dims->w; ox++) {
        const int32_t x0 = ox * p->stride.w - p->padding.w;
        const int32_t kx_begin = TFG_MAX(0, -x0), kx_end = TFG_MIN(filter_dims->w, input_dims->w - x0);
        if (ky_end <= ky_begin || kx_end <= kx_begin) {
          return TFG_ARG_ERROR; /* a window entirely in padding has no average */
        }
        const int8_t *first = input + ((b * input_dims->h + y0 + ky_begin) * input_dims->w + x0 + kx_begin) * ch;
        int8_t *out = output + ((b * output_dims->h + oy) * output_dims->w + ox) * ch;
        average_window(first, row_stride, ky_end - ky_begin, kx_end - kx_begin, ch, &p->activation, out);
      }
    }
  }
  return TFG_OK;
}
