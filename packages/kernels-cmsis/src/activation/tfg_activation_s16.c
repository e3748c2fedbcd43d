/*
 * One-input functions on 16-bit tensors, where a 65536-entry table would not pay: int16 LOGISTIC and TANH
 * (TFLite's interpolated sigmoid table, Q0.15 out) and LEAKY_RELU on int8 or int16 (TFLite's identity and alpha
 * rescales). In-place (output == input) is allowed.
 */
#include "../support/tfg_nn_s16.h"

tfg_status tfg_logistic_s16(int32_t size, int32_t input_multiplier, int32_t input_left_shift, const int16_t *input,
                            int16_t *output) {
  for (int32_t i = 0; i < size; i++) {
    output[i] = tfg_nn_logistic_s16(input[i], input_multiplier, input_left_shift);
  }
  return TFG_OK;
}

tfg_status tfg_tanh_s16(int32_t size, int32_t input_multiplier, int32_t input_left_shift, const int16_t *input,
                        int16_t *output) {
  for (int32_t i = 0; i < size; i++) {
    output[i] = tfg_nn_tanh_s16(input[i], input_multiplier, input_left_shift);
  }
  return TFG_OK;
}

tfg_status tfg_leaky_relu(const tfg_leaky_relu_params *params, int32_t size, const void *input, void *output) {
  const tfg_leaky_relu_params *p = params;
  if (p->element_bytes != 1 && p->element_bytes != 2) {
    return TFG_ARG_ERROR;
  }
  const int32_t min = p->element_bytes == 1 ? INT8_MIN : INT16_MIN;
  const int32_t max = p->element_bytes == 1 ? INT8_MAX : INT16_MAX;
  for (int32_t i = 0; i < size; i++) {
    const int32_t v0 = tfg_nn_load_element(input, p->element_bytes, i) + p->input_offset;
    const int32_t scaled = v0 >= 0 ? tfg_nn_requantize(v0, p->identity_multiplier, p->identity_shift)
                                   : p->alpha_sign * tfg_nn_requantize(v0, p->alpha_multiplier, p->alpha_shift);
    tfg_nn_store_element(output, p->element_bytes, i, TFG_MIN(TFG_MAX(p->output_offset + scaled, min), max));
  }
  return TFG_OK;
}
