/*
 * Fully connected int8, per-tensor or per-channel requantization. With symmetric weights (filter_offset 0, as
 * TFLite always has) the work is one GEMM that adds the input offset while widening the input; a weight zero
 * point takes the direct path. No scratch.
 */
#include "../support/tfg_nn_support.h"

int32_t tfg_fully_connected_s8_get_buffer_size(const tfg_dims *filter_dims) {
  (void)filter_dims;
  return 0;
}

static void direct_with_filter_offset(const tfg_fc_params *p, const tfg_nn_requant *q, int32_t batches,
                                      int32_t depth, int32_t channels, const int8_t *input, const int8_t *filter,
                                      const int32_t *bias, int8_t *output) {
  for (int32_t b = 0; b < batches; b++) {
    for (int32_t c = 0; c < channels; c++) {
      int32_t acc = 0;
      for (int32_t k = 0; k < depth; k++) {
        acc += (filter[c * depth + k] + p->filter_offset) * (input[b * depth + k] + p->input_offset);
      }
      if (bias != 0) {
        acc += bias[c];
      }
      const int32_t qi = c * q->quant_stride;
      acc = tfg_nn_requantize(acc, q->multiplier[qi], q->shift[qi]);
      output[b * channels + c] = tfg_nn_clamp_s8(acc + p->output_offset, &p->activation);
    }
  }
}

static tfg_status fully_connected(const tfg_context *ctx, const tfg_fc_params *p, const int32_t *multiplier,
                                  const int32_t *shift, int32_t quant_stride, const tfg_dims *input_dims,
                                  const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                  const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  const int32_t depth = filter_dims->n;
  const int32_t channels = filter_dims->c;
  const int32_t batches = input_dims->n;
  if (input_dims->h * input_dims->w * input_dims->c != depth || output_dims->c != channels ||
      output_dims->n != batches) {
    return TFG_ARG_ERROR;
  }
  if (p->filter_offset != 0) {
    const tfg_nn_requant q = {bias, multiplier, shift, quant_stride, 0, p->output_offset, p->activation};
    direct_with_filter_offset(p, &q, batches, depth, channels, input, filter, bias, output);
    return TFG_OK;
  }
  (void)ctx; /* one pass over the weights per batch: widening them first would not pay */
  const tfg_nn_requant q = {bias, multiplier, shift, quant_stride, p->input_offset, p->output_offset, p->activation};
  tfg_nn_gemm_s8(input, depth, batches, filter, channels, depth, &q, output, channels, 0);
  return TFG_OK;
}

tfg_status tfg_fully_connected_s8(const tfg_context *ctx, const tfg_fc_params *fc_params,
                                  const tfg_per_tensor_quant_params *quant_params, const tfg_dims *input_dims,
                                  const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                  const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  return fully_connected(ctx, fc_params, &quant_params->multiplier, &quant_params->shift, 0, input_dims, input,
                         filter_dims, filter, bias, output_dims, output);
}

tfg_status tfg_fully_connected_per_channel_s8(const tfg_context *ctx, const tfg_fc_params *fc_params,
                                              const tfg_per_channel_quant_params *quant_params,
                                              const tfg_dims *input_dims, const int8_t *input,
                                              const tfg_dims *filter_dims, const int8_t *filter,
                                              const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  return fully_connected(ctx, fc_params, quant_params->multiplier, quant_params->shift, 1, input_dims, input,
                         filter_dims, filter, bias, output_dims, output);
}
