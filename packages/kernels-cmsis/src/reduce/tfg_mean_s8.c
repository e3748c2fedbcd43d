/*
 * Mean over any subset of the 4 axes (TFLite's integer mean): sum of (q - input zero point), rescaled by the
 * input/output scale ratio, divided by the element count rounding half away from zero, plus the output zero
 * point. Loops output-first so it needs no scratch.
 */
#include "../support/tfg_nn_support.h"

tfg_status tfg_mean_s8(const tfg_mean_params *params, const tfg_dims *input_dims, const int8_t *input,
                       int8_t *output) {
  const int32_t extent[4] = {input_dims->n, input_dims->h, input_dims->w, input_dims->c};
  const int32_t stride[4] = {extent[1] * extent[2] * extent[3], extent[2] * extent[3], extent[3], 1};
  int32_t out_extent[4], red_extent[4], count = 1;
  for (int32_t d = 0; d < 4; d++) {
    const int reduced = (params->axes_mask >> (3 - d)) & 1;
    out_extent[d] = reduced ? 1 : extent[d];
    red_extent[d] = reduced ? extent[d] : 1;
    count *= red_extent[d];
  }
  if (count < 1) {
    return TFG_ARG_ERROR;
  }
  const int64_t half = count / 2;
  int8_t *out = output;
  for (int32_t a = 0; a < out_extent[0]; a++)
    for (int32_t b = 0; b < out_extent[1]; b++)
      for (int32_t c = 0; c < out_extent[2]; c++)
        for (int32_t e = 0; e < out_extent[3]; e++) {
          const int8_t *base = input + a * stride[0] + b * stride[1] + c * stride[2] + e;
          int32_t sum = 0;
          for (int32_t i = 0; i < red_extent[0]; i++)
            for (int32_t j = 0; j < red_extent[1]; j++)
              for (int32_t k = 0; k < red_extent[2]; k++)
                for (int32_t l = 0; l < red_extent[3]; l++) {
                  sum += base[i * stride[0] + j * stride[1] + k * stride[2] + l] + params->input_offset;
                }
          const int64_t acc = tfg_nn_requantize(sum, params->multiplier, params->shift);
          const int32_t v = (int32_t)((acc > 0 ? acc + half : acc - half) / count) + params->output_offset;
          *out++ = (int8_t)TFG_MIN(TFG_MAX(v, INT8_MIN), INT8_MAX);
        }
  return TFG_OK;
}
