/*
 * MEAN on int16 (TFLite Micro's QuantizedMeanOrSum): a wrapping int32 sum of (q + input_offset) over the reduced
 * axes, one rescale with the multiplier that already holds 1 / count, the output offset, int16 saturation.
 */
#include "../support/tfg_nn_s16.h"

tfg_status tfg_mean_s16(const tfg_mean_params *params, const tfg_dims *input_dims, const int16_t *input,
                        int16_t *output) {
  const int32_t extent[4] = {input_dims->n, input_dims->h, input_dims->w, input_dims->c};
  const int32_t stride[4] = {extent[1] * extent[2] * extent[3], extent[2] * extent[3], extent[3], 1};
  int32_t out_extent[4], red_extent[4];
  for (int32_t d = 0; d < 4; d++) {
    const int reduced = (params->axes_mask >> (3 - d)) & 1;
    out_extent[d] = reduced ? 1 : extent[d];
    red_extent[d] = reduced ? extent[d] : 1;
  }
  int16_t *out = output;
  for (int32_t a = 0; a < out_extent[0]; a++)
    for (int32_t b = 0; b < out_extent[1]; b++)
      for (int32_t c = 0; c < out_extent[2]; c++)
        for (int32_t e = 0; e < out_extent[3]; e++) {
          const int16_t *base = input + a * stride[0] + b * stride[1] + c * stride[2] + e;
          uint32_t sum = 0;
          for (int32_t i = 0; i < red_extent[0]; i++)
            for (int32_t j = 0; j < red_extent[1]; j++)
              for (int32_t k = 0; k < red_extent[2]; k++)
                for (int32_t l = 0; l < red_extent[3]; l++) {
                  sum += (uint32_t)(base[i * stride[0] + j * stride[1] + k * stride[2] + l] + params->input_offset);
                }
          const int32_t v = tfg_nn_requantize((int32_t)sum, params->multiplier, params->shift) + params->output_offset;
          *out++ = tfg_nn_sat16(v);
        }
  return TFG_OK;
}
