/*
 * Float <-> int8 at the model's edges, with TFLite's arithmetic: quantize divides in float32 and rounds half
 * away from zero; dequantize multiplies in double and stores float32. Build with -ffp-contract=off (implied by
 * -std=c99) so no fused multiply-add changes a rounding.
 */
#include "../support/tfg_nn_support.h"

tfg_status tfg_quantize_f32_s8(const float *input, int32_t size, float scale, int32_t zero_point, int8_t *output) {
  if (size < 0 || !(scale > 0.0f)) {
    return TFG_ARG_ERROR;
  }
  for (int32_t i = 0; i < size; i++) {
    const int32_t v = tfg_nn_round_half_away_f32(input[i] / scale) + zero_point;
    output[i] = (int8_t)TFG_MIN(TFG_MAX(v, INT8_MIN), INT8_MAX);
  }
  return TFG_OK;
}

tfg_status tfg_dequantize_s8_f32(const int8_t *input, int32_t size, float scale, int32_t zero_point, float *output) {
  if (size < 0) {
    return TFG_ARG_ERROR;
  }
  const double s = (double)scale;
  for (int32_t i = 0; i < size; i++) {
    output[i] = (float)(s * (double)((int32_t)input[i] - zero_point));
  }
  return TFG_OK;
}
