/* Dispatch to the fastest convolution that supports the geometry; the generator can also call one directly. */
#include "../support/tfg_nn_support.h"

static int is_1x1(const tfg_conv_params *p, const tfg_dims *f) {
  return f->h == 1 && f->w == 1 && p->padding.h == 0 && p->padding.w == 0;
}

int32_t tfg_convolve_wrapper_s8_get_buffer_size(const tfg_conv_params *conv_params, const tfg_dims *input_dims,
                                                const tfg_dims *filter_dims) {
  return is_1x1(conv_params, filter_dims) ? tfg_convolve_1x1_s8_get_buffer_size(input_dims, filter_dims)
                                          : tfg_convolve_s8_get_buffer_size(input_dims, filter_dims);
}

int32_t tfg_convolve_wrapper_s8_get_buffer_size_dsp(const tfg_conv_params *conv_params, const tfg_dims *input_dims,
                                                    const tfg_dims *filter_dims) {
  return is_1x1(conv_params, filter_dims) ? tfg_convolve_1x1_s8_get_buffer_size_dsp(input_dims, filter_dims)
                                          : tfg_convolve_s8_get_buffer_size_dsp(input_dims, filter_dims);
}

int32_t tfg_convolve_wrapper_s8_get_buffer_size_mve(const tfg_conv_params *conv_params, const tfg_dims *input_dims,
                                                    const tfg_dims *filter_dims) {
  return is_1x1(conv_params, filter_dims) ? tfg_convolve_1x1_s8_get_buffer_size_mve(input_dims, filter_dims)
                                          : tfg_convolve_s8_get_buffer_size_mve(input_dims, filter_dims);
}

tfg_status tfg_convolve_wrapper_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                                   const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                                   const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                   const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  if (is_1x1(conv_params, filter_dims)) {
    return tfg_convolve_1x1_s8(ctx, conv_params, quant_params, input_dims, input, filter_dims, filter, bias,
                               output_dims, output);
  }
  return tfg_convolve_s8(ctx, conv_params, quant_params, input_dims, input, filter_dims, filter, bias, output_dims,
                         output);
}
