/*
 * 1x1 convolution without padding: each output pixel's receptive field is one input pixel, so input pixels feed
 * the GEMM directly (no im2col).
 *
 * The output may overlap the input as a row stream (output rows trailing the input rows they come from, as a
 * generated model plans in-place layers); one call then still does the whole layer:
 * - DSP path: output pixels go in increasing order, two at a time, and each pair's inputs are widened into
 *   scratch before its outputs are written, so the order is safe and no weights are packed per call.
 * - Plain C and Helium: the GEMM visits channel blocks outside rows, so an overlapping layer goes one output row
 *   per GEMM call (a row's input and output never overlap under the row-stream rule).
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

#define TFG_1X1_PAIRS (TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE)

/* The DSP path widens each pair of input pixels into scratch; plain C and Helium run the GEMM on the input. */
static int32_t buffer_size(const tfg_dims *filter_dims, int dsp_path) {
  return dsp_path ? tfg_nn_pair_gemm_s8_scratch_size(filter_dims->c) : tfg_nn_gemm_s8_packed_size(filter_dims->c);
}

int32_t tfg_convolve_1x1_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return buffer_size(filter_dims, TFG_1X1_PAIRS);
}

int32_t tfg_convolve_1x1_s8_get_buffer_size_dsp(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return buffer_size(filter_dims, 1);
}

int32_t tfg_convolve_1x1_s8_get_buffer_size_mve(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return buffer_size(filter_dims, 0);
}

#if TFG_1X1_PAIRS
static void convolve_pairs(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input, const int8_t *filter,
                           const tfg_nn_requant *requant, const tfg_dims *out, int8_t *output, int32_t *widened) {
  const int32_t channels = out->c, depth = in->c;
  const int32_t per_image = out->h * out->w, total = out->n * per_image;
  const int32_t sh = p->stride.h, sw = p->stride.w;
  const int all_fast = tfg_nn_pair_gemm_s8_all_fast(requant, channels);
  for (int32_t first = 0; first < total; first += 2) {
    const int8_t *x[2];
    for (int32_t j = 0; j < 2; j++) {
      const int32_t px = first + j < total ? first + j : first;
      const int32_t b = px / per_image, oy = (px % per_image) / out->w, ox = px % out->w;
      x[j] = input + ((b * in->h + oy * sh) * in->w + ox * sw) * depth;
    }
    int8_t *o0 = output + first * channels;
    int8_t *o1 = first + 1 < total ? o0 + channels : o0;
    tfg_nn_pair_gemm_s8(x[0], x[1], filter, channels, depth, requant, all_fast, o0, o1, widened);
  }
}
#endif

tfg_status tfg_convolve_1x1_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                               const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                               const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                               const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  if (filter_dims->h != 1 || filter_dims->w != 1 || conv_params->padding.h != 0 || conv_params->padding.w != 0) {
    return TFG_NO_IMPL_ERROR;
  }
  const int32_t sh = conv_params->stride.h, sw = conv_params->stride.w;
  if (filter_dims->c != input_dims->c || output_dims->c != filter_dims->n || output_dims->n != input_dims->n ||
      sh < 1 || sw < 1 || (output_dims->h - 1) * sh >= input_dims->h || (output_dims->w - 1) * sw >= input_dims->w) {
    return TFG_ARG_ERROR;
  }
  if (ctx == 0 || (ctx->buf == 0 && ctx->size > 0) || ctx->size < tfg_convolve_1x1_s8_get_buffer_size(input_dims, filter_dims)) {
    return TFG_ARG_ERROR;
  }
  const tfg_nn_requant requant = {bias, quant_params->multiplier, quant_params->shift, 1, conv_params->input_offset,
                                  conv_params->output_offset, conv_params->activation};
#if TFG_1X1_PAIRS
  convolve_pairs(conv_params, input_dims, input, filter, &requant, output_dims, output, (int32_t *)ctx->buf);
  return TFG_OK;
#else
  const int32_t channels = filter_dims->n;
  const int32_t depth = input_dims->c;
  const uintptr_t in_begin = (uintptr_t)input, out_begin = (uintptr_t)output;
  const uintptr_t in_end = in_begin + (uintptr_t)(input_dims->n * input_dims->h * input_dims->w * depth);
  const uintptr_t out_end = out_begin + (uintptr_t)(output_dims->n * output_dims->h * output_dims->w * channels);
  const int overlaps = in_begin < out_end && out_begin < in_end;
  int16_t *packed = (int16_t *)ctx->buf;
  if (!overlaps && sh == 1 && sw == 1 && output_dims->h == input_dims->h && output_dims->w == input_dims->w) {
    const int32_t rows = input_dims->n * input_dims->h * input_dims->w;
    tfg_nn_gemm_s8(input, depth, rows, filter, channels, depth, &requant, output, channels, packed);
    return TFG_OK;
  }
  for (int32_t b = 0; b < input_dims->n; b++) {
    for (int32_t oy = 0; oy < output_dims->h; oy++) {
      const int8_t *in_row = input + ((b * input_dims->h + oy * sh) * input_dims->w) * depth;
      int8_t *out_row = output + ((b * output_dims->h + oy) * output_dims->w) * channels;
      tfg_nn_gemm_s8(in_row, sw * depth, output_dims->w, filter, channels, depth, &requant, out_row, channels, packed);
    }
  }
  return TFG_OK;
#endif
}
