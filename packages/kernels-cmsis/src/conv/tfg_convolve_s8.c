/*
 * Generic int8 convolution, any stride, padding and dilation: gather the receptive fields of a block of output
 * pixels (im2col, padding filled with the input zero point so that it contributes nothing), then one GEMM of the
 * block against all filters. With the DSP extension (no Helium) the block goes through the pixel-pair GEMM
 * (tfg_nn_pair_gemm_s8.c), which widens each pair of columns once and reads the int8 weights directly; first
 * layers (1-3 input channels, small receptive fields) take tfg_convolve_few_channels_s8.c.
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

#include <string.h>

#define TFG_CONV_PAIRS (TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE)

/* The DSP path: the im2col block (TFG_CONV_BLOCK_ROWS output pixels, tfg_nn.h), then the pixel-pair GEMM's widened
   pair; its first-layer convolution may decline at run time (a requantization its records cannot hold): room for
   both. */
int32_t tfg_convolve_s8_get_buffer_size_dsp(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  const int32_t depth = filter_dims->h * filter_dims->w * input_dims->c;
  const int32_t generic = tfg_nn_align4(TFG_CONV_BLOCK_ROWS * depth) + tfg_nn_pair_gemm_s8_scratch_size(depth);
  return TFG_MAX(generic, tfg_convolve_few_channels_s8_scratch_size(input_dims, filter_dims));
}

/* Helium, as plain C: the im2col block, then the GEMM's own scratch (none). */
int32_t tfg_convolve_s8_get_buffer_size_mve(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  const int32_t depth = filter_dims->h * filter_dims->w * input_dims->c;
  return tfg_nn_align4(TFG_CONV_BLOCK_ROWS * depth) + tfg_nn_gemm_s8_packed_size(depth);
}

int32_t tfg_convolve_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
#if TFG_CONV_PAIRS
  return tfg_convolve_s8_get_buffer_size_dsp(input_dims, filter_dims);
#else
  return tfg_convolve_s8_get_buffer_size_mve(input_dims, filter_dims);
#endif
}

static void im2col_pixel(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input_batch,
                         const tfg_dims *f, int32_t oy, int32_t ox, int8_t *col) {
  const int8_t pad_value = (int8_t)(-p->input_offset);
  const size_t row_bytes = (size_t)in->c;
  for (int32_t ky = 0; ky < f->h; ky++) {
    const int32_t iy = oy * p->stride.h - p->padding.h + ky * p->dilation.h;
    for (int32_t kx = 0; kx < f->w; kx++) {
      const int32_t ix = ox * p->stride.w - p->padding.w + kx * p->dilation.w;
      if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w) {
        memset(col, pad_value, row_bytes);
      } else {
        memcpy(col, input_batch + (iy * in->w + ix) * in->c, row_bytes);
      }
      col += in->c;
    }
  }
}

#if TFG_CONV_PAIRS
/* Every batch through the first-layer path, when it takes the layer (it declines before writing anything). */
static int convolve_few_channels(const tfg_conv_params *p, const tfg_per_channel_quant_params *q, const tfg_dims *in,
                                 const int8_t *input, const tfg_dims *f, const int8_t *filter, const int32_t *bias,
                                 const tfg_dims *out, int8_t *output, int32_t *scratch) {
  if (tfg_convolve_few_channels_s8_scratch_size(in, f) == 0) {
    return 0;
  }
  for (int32_t b = 0; b < in->n; b++) {
    if (!tfg_convolve_few_channels_s8(p, q, in, input + b * in->h * in->w * in->c, f, filter, bias, out,
                                      output + b * out->h * out->w * out->c, scratch)) {
      return 0;
    }
  }
  return 1;
}

/* Input channels a multiple of 4: no int8 im2col; pixel pairs in increasing order, each field widened directly. */
static void convolve_widened_pairs(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input_batch,
                                   const tfg_dims *f, const int8_t *filter, const tfg_nn_requant *requant, int all_fast,
                                   const tfg_dims *out, int8_t *output_batch, int32_t *widened) {
  const int32_t pixels = out->h * out->w, channels = out->c, depth = f->h * f->w * in->c;
  tfg_nn_field_geometry g;
  tfg_nn_field_geometry_init(&g, p, in, f, depth);
  for (int32_t first = 0; first < pixels; first += 2) {
    const int32_t second = first + 1 < pixels ? first + 1 : first;
    tfg_nn_widen_field(&g, input_batch, first / out->w, first % out->w, 0, widened, 0);
    tfg_nn_widen_field(&g, input_batch, second / out->w, second % out->w, 1, widened, 0);
    tfg_nn_pair_gemm_widened_s8(widened, filter, channels, depth, requant, all_fast, output_batch + first * channels,
                                output_batch + second * channels);
  }
}
#endif

tfg_status tfg_convolve_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                           const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                           const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                           const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  if (filter_dims->c != input_dims->c || output_dims->c != filter_dims->n || output_dims->n != input_dims->n ||
      conv_params->stride.h < 1 || conv_params->stride.w < 1 || conv_params->dilation.h < 1 ||
      conv_params->dilation.w < 1) {
    return TFG_ARG_ERROR;
  }
  if (ctx == 0 || ctx->buf == 0 || ctx->size < tfg_convolve_s8_get_buffer_size(input_dims, filter_dims)) {
    return TFG_ARG_ERROR;
  }
  const int32_t channels = filter_dims->n;
  const int32_t depth = filter_dims->h * filter_dims->w * input_dims->c;
  int8_t *cols = (int8_t *)ctx->buf;
  int16_t *packed = (int16_t *)(void *)((int8_t *)ctx->buf + tfg_nn_align4(TFG_CONV_BLOCK_ROWS * depth));
  const tfg_nn_requant requant = {bias, quant_params->multiplier, quant_params->shift, 1, conv_params->input_offset,
                                  conv_params->output_offset, conv_params->activation};

  const int32_t pixels = output_dims->h * output_dims->w;
#if TFG_CONV_PAIRS
  if (convolve_few_channels(conv_params, quant_params, input_dims, input, filter_dims, filter, bias, output_dims, output,
                            (int32_t *)ctx->buf)) {
    return TFG_OK;
  }
  const int all_fast = tfg_nn_pair_gemm_s8_all_fast(&requant, channels);
#endif
  for (int32_t b = 0; b < input_dims->n; b++) {
    const int8_t *input_batch = input + b * input_dims->h * input_dims->w * input_dims->c;
    int8_t *output_batch = output + b * pixels * channels;
#if TFG_CONV_PAIRS
    if (input_dims->c % 4 == 0) {
      convolve_widened_pairs(conv_params, input_dims, input_batch, filter_dims, filter, &requant, all_fast, output_dims,
                             output_batch, (int32_t *)(void *)packed);
      continue;
    }
#endif
    for (int32_t first = 0; first < pixels; first += TFG_CONV_BLOCK_ROWS) {
      const int32_t rows = TFG_MIN(TFG_CONV_BLOCK_ROWS, pixels - first);
      for (int32_t r = 0; r < rows; r++) {
        const int32_t pixel = first + r;
        im2col_pixel(conv_params, input_dims, input_batch, filter_dims, pixel / output_dims->w,
                     pixel % output_dims->w, cols + r * depth);
      }
      int8_t *out_block = output_batch + first * channels;
#if TFG_CONV_PAIRS
      for (int32_t r = 0; r < rows; r += 2) {
        const int32_t r1 = r + 1 < rows ? r + 1 : r;
        tfg_nn_pair_gemm_s8(cols + r * depth, cols + r1 * depth, filter, channels, depth, &requant, all_fast,
                            out_block + r * channels, out_block + r1 * channels, (int32_t *)(void *)packed);
      }
#else
      tfg_nn_gemm_s8(cols, depth, rows, filter, channels, depth, &requant, out_block, channels, packed);
#endif
    }
  }
  return TFG_OK;
}
