/*
 * 1x1 convolution without padding: each output pixel's receptive field is one input pixel, so input rows feed
 * the GEMM in place (a whole image at once for stride 1, one output row at a time otherwise).
 */
#include "../support/tfg_nn_support.h"

int32_t tfg_convolve_1x1_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return tfg_nn_gemm_s8_packed_size(filter_dims->c);
}

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
  const int32_t channels = filter_dims->n;
  const int32_t depth = input_dims->c;
  /* The packed GEMM reads every input row once per 4-channel block, so it needs an output apart from the input;
     a generated model may stream a layer in place (output rows trailing input rows), which the row-by-row
     GEMM supports. */
  const uintptr_t in_begin = (uintptr_t)input, out_begin = (uintptr_t)output;
  const uintptr_t in_end = in_begin + (uintptr_t)(input_dims->n * input_dims->h * input_dims->w * depth);
  const uintptr_t out_end = out_begin + (uintptr_t)(output_dims->n * output_dims->h * output_dims->w * channels);
  const int overlaps = in_begin < out_end && out_begin < in_end;
  int16_t *packed = overlaps ? 0 : (int16_t *)ctx->buf;
  const tfg_nn_requant requant = {bias, quant_params->multiplier, quant_params->shift, 1, conv_params->input_offset,
                                  conv_params->output_offset, conv_params->activation};

  if (sh == 1 && sw == 1 && output_dims->h == input_dims->h && output_dims->w == input_dims->w) {
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
}
