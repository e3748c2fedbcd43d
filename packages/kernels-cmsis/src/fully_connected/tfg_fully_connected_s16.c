/*
 * FULLY_CONNECTED 16x8: int16 input, int8 weights [out, in], int64 (or int32) bias, one multiplier per output.
 * The dot products are tfg_nn_dot_s16x8 (SMLALD on int16 input pairs on the DSP path). No scratch.
 */
#include "../support/tfg_nn_s16.h"

tfg_status tfg_fully_connected_s16(const tfg_per_channel_quant_params *quant_params, const tfg_activation *activation,
                                   int32_t batches, int32_t depth, int32_t out_features, const int16_t *input,
                                   const int8_t *filter, const tfg_bias_s16 *bias, int16_t *output) {
  if (batches < 0 || depth < 0 || out_features < 0) {
    return TFG_ARG_ERROR;
  }
  for (int32_t r = 0; r < batches; r++) {
    const int16_t *x = input + r * depth;
    for (int32_t o = 0; o < out_features; o++) {
      const int64_t acc = tfg_nn_dot_s16x8(x, filter + o * depth, depth);
      output[r * out_features + o] =
          tfg_nn_finish_s16(acc, bias, o, quant_params->multiplier[o], quant_params->shift[o], activation);
    }
  }
  return TFG_OK;
}
