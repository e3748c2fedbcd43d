/*
 * QUANTIZE between integer types (int8, int16, int32 in and out: TFLite's Requantize, one 32-bit rescale) and
 * float32 <-> int16 at the model's edges (the int8 kernels' arithmetic with int16 saturation).
 */
#include "../support/tfg_nn_s16.h"

tfg_status tfg_requantize(const tfg_requantize_params *params, int32_t size, const void *input, void *output) {
  const tfg_requantize_params *p = params;
  const int ok_in = p->input_bytes == 1 || p->input_bytes == 2 || p->input_bytes == 4;
  const int ok_out = p->output_bytes == 1 || p->output_bytes == 2 || p->output_bytes == 4;
  if (!ok_in || !ok_out || size < 0) {
    return TFG_ARG_ERROR;
  }
  for (int32_t i = 0; i < size; i++) {
    const int32_t x = (int32_t)((uint32_t)tfg_nn_load_element(input, p->input_bytes, i) + (uint32_t)p->input_offset);
    const int32_t v = tfg_nn_requantize(x, p->multiplier, p->shift) + p->output_offset;
    tfg_nn_store_element(output, p->output_bytes, i, TFG_MIN(TFG_MAX(v, p->min), p->max));
  }
  return TFG_OK;
}

tfg_status tfg_quantize_f32_s16(const float *input, int32_t size, float scale, int32_t zero_point, int16_t *output) {
  if (size < 0 || !(scale > 0.0f)) {
    return TFG_ARG_ERROR;
  }
  for (int32_t i = 0; i < size; i++) {
    output[i] = tfg_nn_sat16(tfg_nn_round_half_away_f32(input[i] / scale) + zero_point);
  }
  return TFG_OK;
}

tfg_status tfg_dequantize_s16_f32(const int16_t *input, int32_t size, float scale, int32_t zero_point, float *output) {
  if (size < 0) {
    return TFG_ARG_ERROR;
  }
  const double s = (double)scale;
  for (int32_t i = 0; i < size; i++) {
    output[i] = (float)(s * (double)((int32_t)input[i] - zero_point));
  }
  return TFG_OK;
}
